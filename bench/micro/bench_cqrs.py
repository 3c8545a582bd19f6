"""lexigram-cqrs send overhead against a direct ``await handler.handle(cmd)``, mediatr and lato.

Run: ``python bench/micro/bench_cqrs.py [--quick]`` with the ``bench`` group installed.
Contenders are interleaved in rounds; each figure is the median ns per send over a fixed
loop, by CPU time (``process_time``) and by wall clock. "overhead" is the time above the
direct await; "ratio" is the time divided by the direct await (1.00x = free). Every
contender calls the same kind of handler: an instance's ``async def handle`` returning a
field of the command. The "CQRSModule" rows wire the bus as an application does (and the
web layer resolves it): ``CQRSModule.configure(handlers=[...])`` booted in an
``Application``, the handler class built by the container for every message.
"""

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lato
from _timing import Samples, time_async
from mediatr import Mediator

from lexigram.cqrs import Command, CommandBus, HandlerRegistry, MessageKind, Next
from lexigram.cqrs.di import CQRSModule
from lexigram.di import Application, Container, Provider

Send = Callable[[], Awaitable[object]]
DIRECT = "direct await handler.handle(cmd)"
MODULE = "lexigram via CQRSModule"
MODULE_SCOPED = "lexigram via CQRSModule, scoped dep"


# -- lexigram ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Add(Command[int]):
    value: int


class AddHandler:
    async def handle(self, command: Add) -> int:
        return command.value + 1


@dataclass(frozen=True)
class Bump(Command[int]):
    value: int


class Tally:
    """A scoped service: its handler needs a DI scope per message."""

    def __init__(self) -> None:
        self.count = 0


class BumpHandler:
    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    async def handle(self, command: Bump) -> int:
        return command.value + 1


class TallyProvider(Provider):
    def register(self, container: Container) -> None:
        container.scoped(Tally)


async def passthrough(message: Any, next: Next) -> Any:
    return await next(message)


async def passthrough_too(message: Any, next: Next) -> Any:
    return await next(message)


def lexigram_bus(*behaviours: object) -> CommandBus:
    registry = HandlerRegistry()
    registry.register(MessageKind.COMMAND, Add, AddHandler())
    return CommandBus(registry, behaviours=behaviours)


async def module_bus(stack: AsyncExitStack) -> CommandBus:
    module = CQRSModule.configure(handlers=[AddHandler, BumpHandler])
    app = await stack.enter_async_context(
        Application.boot(modules=[module], providers=[TallyProvider()])
    )
    return app.container.resolve(CommandBus)


# -- mediatr (its registries are process-global: one request class per scenario) ---------------
class MAdd:
    def __init__(self, value: int) -> None:
        self.value = value


class MAddWrapped(MAdd):
    pass


class MAddHandler:
    async def handle(self, request: MAdd) -> int:
        return request.value + 1


class MAddWrappedHandler:
    async def handle(self, request: MAddWrapped) -> int:
        return request.value + 1


async def m_first(request: MAddWrapped, next: Callable[[], Awaitable[object]]) -> object:
    return await next()


async def m_second(request: MAddWrapped, next: Callable[[], Awaitable[object]]) -> object:
    return await next()


def mediatr_setup() -> tuple[Mediator, Mediator]:
    Mediator.register_handler(MAddHandler)
    Mediator.register_handler(MAddWrappedHandler)
    Mediator.register_behavior(m_first)
    Mediator.register_behavior(m_second)
    plain, wrapped = MAddHandler(), MAddWrappedHandler()

    def manager(cls: type, is_behavior: bool = False) -> object:
        return plain if cls is MAddHandler else wrapped if cls is MAddWrappedHandler else cls()

    return Mediator(handler_class_manager=manager), Mediator(handler_class_manager=manager)


# -- lato ---------------------------------------------------------------------------------------
class LAdd(lato.Command):
    value: int


def lato_app(middlewares: int) -> lato.Application:
    app = lato.Application("bench")
    handler = AddHandler()

    @app.handler(LAdd)
    async def handle(command: LAdd) -> int:
        return await handler.handle(command)  # type: ignore[arg-type]

    for _ in range(middlewares):

        async def middleware(ctx: lato.TransactionContext, call_next: Callable[[], Any]) -> Any:
            return await call_next()

        app.transaction_middleware(middleware)
    return app


# -- timing -------------------------------------------------------------------------------------
async def contenders(stack: AsyncExitStack) -> dict[str, Send]:
    command, bump, handler = Add(1), Bump(1), AddHandler()
    bare, two = lexigram_bus(), lexigram_bus(passthrough, passthrough_too)
    wired = await module_bus(stack)
    plain, wrapped = mediatr_setup()
    m_cmd, m_wrapped = MAdd(1), MAddWrapped(1)
    lato_bare, lato_two = lato_app(0), lato_app(2)
    l_cmd = LAdd(value=1)
    return {
        DIRECT: lambda: handler.handle(command),
        "lexigram, no behaviours": lambda: bare.dispatch(command),
        "lexigram, two behaviours": lambda: two.dispatch(command),
        MODULE: lambda: wired.dispatch(command),
        MODULE_SCOPED: lambda: wired.dispatch(bump),
        "mediatr, no behaviours": lambda: plain.send_async(m_cmd),
        "mediatr, two behaviours": lambda: wrapped.send_async(m_wrapped),
        "lato, no middleware": lambda: lato_bare.execute_async(l_cmd),
        "lato, two middlewares": lambda: lato_two.execute_async(l_cmd),
    }


async def run(loops: int, rounds: int) -> dict[str, Samples]:
    async with AsyncExitStack() as stack:
        cases = await contenders(stack)
        for send in cases.values():  # every contender answers correctly before being timed
            result = await send()
            assert result in (2, (2,)), result
        samples = {name: Samples() for name in cases}
        for _ in range(rounds):
            for name, send in cases.items():
                ours = name.startswith(("direct", "lexigram"))
                await time_async(send, loops if ours else max(loops // 10, 100), samples[name])
        return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    loops, rounds = (20_000, 5) if args.quick else (100_000, 15)
    samples = asyncio.run(run(loops, rounds))
    cpu = {name: s.cpu_ns for name, s in samples.items()}
    wall = {name: s.wall_ns for name, s in samples.items()}
    rows: list[dict[str, Any]] = []
    print(f"{'':36} {'--------- CPU time ---------':>31}  {'-------- wall clock --------':>31}")
    print(f"{'scenario':36} {'ns/send':>9} {'overhead ns':>12} {'ratio':>8}"
          f"  {'ns/send':>9} {'overhead ns':>12} {'ratio':>8}")  # fmt: skip
    for name in samples:
        row: dict[str, Any] = {"scenario": name}
        line = f"{name:36}"
        for clock, values in (("cpu", cpu), ("wall", wall)):
            ns, direct = values[name], values[DIRECT]
            row |= {f"{clock}_ns_per_send": ns, f"{clock}_overhead_ns": ns - direct,
                    f"{clock}_ratio_to_direct": ns / direct}  # fmt: skip
            line += f" {ns:9.0f} {ns - direct:12.0f} {ns / direct:7.2f}x "
        rows.append(row)
        print(line.rstrip())
    pairs = [("no behaviours", "mediatr, no behaviours", "lato, no middleware"),
             ("two behaviours", "mediatr, two behaviours", "lato, two middlewares")]  # fmt: skip
    print()
    for label, mediatr_case, lato_case in pairs:
        ours = cpu[f"lexigram, {label}"]
        print(f"{label}: lexigram is {cpu[mediatr_case] / ours:.1f}x faster than mediatr, "
              f"{cpu[lato_case] / ours:.1f}x faster than lato (CPU time)")  # fmt: skip
        rows.append({"scenario": f"speedup, {label}", "vs_mediatr": cpu[mediatr_case] / ours,
                     "vs_lato": cpu[lato_case] / ours})  # fmt: skip
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "cqrs.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
