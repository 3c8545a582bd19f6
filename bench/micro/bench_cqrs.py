"""lexigram-cqrs send overhead against a direct ``await handler.handle(cmd)``, mediatr and lato.

Run: ``python bench/micro/bench_cqrs.py [--quick]`` with the ``bench`` group installed.
Contenders are interleaved in rounds; each figure is the median ns per send over a
fixed loop. "overhead" is the time above the direct await; "ratio" is the time
divided by the direct await (1.00x = free). Every contender calls the same kind of
handler: an instance's ``async def handle`` returning a field of the command.
"""

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lato
from mediatr import Mediator

from lexigram.cqrs import Command, CommandBus, HandlerRegistry, MessageKind, Next
from lexigram.cqrs.di import ContainerActivator
from lexigram.di import Container

Send = Callable[[], Awaitable[object]]


# -- lexigram ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Add(Command[int]):
    value: int


class AddHandler:
    async def handle(self, command: Add) -> int:
        return command.value + 1


async def passthrough(message: Any, next: Next) -> Any:
    return await next(message)


async def passthrough_too(message: Any, next: Next) -> Any:
    return await next(message)


def lexigram_bus(*behaviours: object) -> CommandBus:
    registry = HandlerRegistry()
    registry.register(MessageKind.COMMAND, Add, AddHandler())
    return CommandBus(registry, behaviours=behaviours)


def lexigram_di_bus() -> CommandBus:
    container = Container()
    container.transient(AddHandler)
    registry = HandlerRegistry()
    registry.register(MessageKind.COMMAND, Add, AddHandler)
    return CommandBus(registry, activator=ContainerActivator(container))


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
async def _time(send: Send, loops: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(loops):
        await send()
    return (time.perf_counter_ns() - start) / loops


def contenders() -> dict[str, Send]:
    command, handler = Add(1), AddHandler()
    bare, two = lexigram_bus(), lexigram_bus(passthrough, passthrough_too)
    scoped = lexigram_di_bus()
    plain, wrapped = mediatr_setup()
    m_cmd, m_wrapped = MAdd(1), MAddWrapped(1)
    lato_bare, lato_two = lato_app(0), lato_app(2)
    l_cmd = LAdd(value=1)
    return {
        "direct await handler.handle(cmd)": lambda: handler.handle(command),
        "lexigram, no behaviours": lambda: bare.dispatch(command),
        "lexigram, two behaviours": lambda: two.dispatch(command),
        "lexigram + DI scope per message": lambda: scoped.dispatch(command),
        "mediatr, no behaviours": lambda: plain.send_async(m_cmd),
        "mediatr, two behaviours": lambda: wrapped.send_async(m_wrapped),
        "lato, no middleware": lambda: lato_bare.execute_async(l_cmd),
        "lato, two middlewares": lambda: lato_two.execute_async(l_cmd),
    }


async def run(loops: int, rounds: int) -> dict[str, float]:
    cases = contenders()
    for send in cases.values():  # every contender answers correctly before being timed
        result = await send()
        assert result in (2, (2,)), result
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, send in cases.items():
            per_case = loops if name.startswith(("direct", "lexigram")) else max(loops // 10, 100)
            samples[name].append(await _time(send, per_case))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    loops, rounds = (20_000, 5) if args.quick else (100_000, 15)
    medians = asyncio.run(run(loops, rounds))
    direct = medians["direct await handler.handle(cmd)"]
    rows = []
    print(f"{'scenario':36} {'ns/send':>9} {'overhead ns':>12} {'ratio':>8}")
    for name, ns in medians.items():
        rows.append({"scenario": name, "ns_per_send": ns, "overhead_ns": ns - direct,
                     "ratio_to_direct": ns / direct})  # fmt: skip
        print(f"{name:36} {ns:9.0f} {ns - direct:12.0f} {ns / direct:7.2f}x")
    pairs = [("no behaviours", "mediatr, no behaviours", "lato, no middleware"),
             ("two behaviours", "mediatr, two behaviours", "lato, two middlewares")]  # fmt: skip
    print()
    for label, mediatr_case, lato_case in pairs:
        ours = medians[f"lexigram, {label}"]
        faster = (f"{label}: lexigram is {medians[mediatr_case] / ours:.1f}x faster than mediatr, "
                  f"{medians[lato_case] / ours:.1f}x faster than lato")  # fmt: skip
        print(faster)
        rows.append({"scenario": f"speedup, {label}",
                     "vs_mediatr": medians[mediatr_case] / ours,
                     "vs_lato": medians[lato_case] / ours})  # fmt: skip
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "cqrs.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
