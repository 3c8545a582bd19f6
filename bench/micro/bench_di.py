"""lexigram-di against a direct constructor call, punq, dishka and rodi.

Run: ``python bench/micro/bench_di.py [--quick]`` with the ``bench`` group installed.
Scenarios: a transient 3-deep graph (``C(B(A()))``), a warm singleton, a scoped service per
request (open a scope, resolve, close; once with ``with``, once with ``async with`` and
``await aresolve`` as async code does) and a scoped service resolved again in an open scope
(once with ``resolve``, once awaited with ``aresolve``: on a graph with nothing async the
difference is the one coroutine an ``await`` needs, which the direct row pays too).
Contenders are interleaved in rounds; the figure is the median ns/op over a fixed loop, by
CPU time (``process_time``) and by wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import dishka
import punq
import rodi
from _timing import Samples, time_async, time_sync

from lexigram.di import Container


class A:
    def __init__(self) -> None:
        self.x = 1


class B:
    def __init__(self, a: A) -> None:
        self.a = a


class C:
    def __init__(self, b: B) -> None:
        self.b = b


class Settings:
    def __init__(self) -> None:
        self.debug = False


class Session:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


Sync = Callable[[], object]
Async = Callable[[], Awaitable[object]]
Cases = dict[str, Sync | Async | None]

TRANSIENT = "transient 3-deep graph"
SINGLETON = "warm singleton"
REQUEST = "scoped: open scope + resolve + close"
AREQUEST = "scoped, async: async with + aresolve"
CACHED = "scoped: resolve again in an open scope"
ACACHED = "scoped, async: aresolve again in a scope"
SCENARIOS = (TRANSIENT, SINGLETON, REQUEST, AREQUEST, CACHED, ACACHED)
ASYNC_SCENARIOS = {AREQUEST, ACACHED}
OURS = ("lexigram resolve()", "lexigram resolver()")
PEERS = ("direct", "punq", "dishka", "rodi")


def direct() -> Cases:
    settings = Settings()
    session = Session(settings)

    async def arequest() -> object:
        return Session(settings)

    async def acached() -> object:
        return session

    return {
        TRANSIENT: lambda: C(B(A())),
        SINGLETON: lambda: settings,
        REQUEST: lambda: Session(settings),
        AREQUEST: arequest,
        CACHED: lambda: session,
        ACACHED: acached,
    }


def _container() -> Container:
    c = Container().transient(A).transient(B).transient(C).singleton(Settings).scoped(Session)
    c.validate()
    return c


def lexigram_resolve() -> Cases:
    c = _container()
    open_scope = c.scope()

    def request() -> object:
        with c.scope() as scope:
            return scope.resolve(Session)

    async def arequest() -> object:
        async with c.scope() as scope:
            return await scope.aresolve(Session)

    return {
        TRANSIENT: lambda: c.resolve(C),
        SINGLETON: lambda: c.resolve(Settings),
        REQUEST: request,
        AREQUEST: arequest,
        CACHED: lambda: open_scope.resolve(Session),
        ACACHED: lambda: open_scope.aresolve(Session),
    }


def lexigram_resolver() -> Cases:
    c = _container()
    get_c, get_settings, get_session = c.resolver(C), c.resolver(Settings), c.resolver(Session)
    new_scope = c.scope
    open_scope = c.scope()

    def request() -> object:
        scope = new_scope()
        value = get_session(scope)
        scope.close()
        return value

    async def arequest() -> object:
        async with new_scope() as scope:
            return get_session(scope)

    async def acached() -> object:
        return get_session(open_scope)

    return {
        TRANSIENT: lambda: get_c(None),
        SINGLETON: lambda: get_settings(None),
        REQUEST: request,
        AREQUEST: arequest,
        CACHED: lambda: get_session(open_scope),
        ACACHED: acached,
    }


def raw_punq() -> Cases:
    p = punq.Container()
    p.register(A)
    p.register(B)
    p.register(C)
    p.register(Settings, scope=punq.Scope.singleton)
    return {
        TRANSIENT: lambda: p.resolve(C),
        SINGLETON: lambda: p.resolve(Settings),
        REQUEST: None,
        AREQUEST: None,
        CACHED: None,
        ACACHED: None,
    }


def _dishka_provider() -> dishka.Provider:
    provider = dishka.Provider()
    for cls in (A, B, C):
        provider.provide(cls, scope=dishka.Scope.APP, cache=False)
    provider.provide(Settings, scope=dishka.Scope.APP)
    provider.provide(Session, scope=dishka.Scope.REQUEST)
    return provider


async def raw_dishka() -> Cases:
    container = dishka.make_container(_dishka_provider())
    acontainer = dishka.make_async_container(_dishka_provider())
    open_scope = container().__enter__()
    open_ascope = await acontainer().__aenter__()

    def request() -> object:
        with container() as scope:
            return scope.get(Session)

    async def arequest() -> object:
        async with acontainer() as scope:
            return await scope.get(Session)

    return {
        TRANSIENT: lambda: container.get(C),
        SINGLETON: lambda: container.get(Settings),
        REQUEST: request,
        AREQUEST: arequest,
        CACHED: lambda: open_scope.get(Session),
        ACACHED: lambda: open_ascope.get(Session),
    }


def raw_rodi() -> Cases:
    services = rodi.Container()
    services.add_transient(A)
    services.add_transient(B)
    services.add_transient(C)
    services.add_singleton(Settings)
    services.add_scoped(Session)
    provider = services.build_provider()
    open_scope = provider.create_scope()

    def request() -> object:
        with provider.create_scope() as scope:
            return provider.get(Session, scope)

    return {
        TRANSIENT: lambda: provider.get(C),
        SINGLETON: lambda: provider.get(Settings),
        REQUEST: request,
        AREQUEST: None,
        CACHED: lambda: provider.get(Session, open_scope),
        ACACHED: None,
    }


CONTENDERS: dict[str, Callable[[], Cases | Awaitable[Cases]]] = {
    "direct": direct,
    "lexigram resolve()": lexigram_resolve,
    "lexigram resolver()": lexigram_resolver,
    "punq": raw_punq,
    "dishka": raw_dishka,
    "rodi": raw_rodi,
}


async def run(loops: int, rounds: int) -> dict[str, dict[str, Samples]]:
    cases: dict[str, Cases] = {}
    for name, build in CONTENDERS.items():
        built = build()
        cases[name] = await built if inspect.isawaitable(built) else built
    samples: dict[str, dict[str, Samples]] = {name: {} for name in cases}
    for _ in range(rounds):
        for name, scenario in cases.items():
            n = max(loops // 100, 200) if name == "punq" else loops
            for case, fn in scenario.items():
                if fn is None:
                    continue
                into = samples[name].setdefault(case, Samples())
                if case in ASYNC_SCENARIOS:
                    await time_async(fn, n, into)  # type: ignore[arg-type]
                else:
                    time_sync(fn, n, into)
    return samples


def _table(medians: dict[str, dict[str, float]], names: list[str]) -> None:
    print(f"{'scenario':40}" + "".join(f"{n:>21}" for n in names))
    for case in SCENARIOS:
        line = f"{case:40}"
        for name in names:
            value = medians[name].get(case)
            line += f"{'n/a' if value is None else f'{value:,.0f} ns':>21}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    loops, rounds = (20_000, 5) if args.quick else (200_000, 15)
    samples = asyncio.run(run(loops, rounds))
    names = list(samples)
    clocks = {
        "cpu": {n: {c: s.cpu_ns for c, s in cs.items()} for n, cs in samples.items()},
        "wall": {n: {c: s.wall_ns for c, s in cs.items()} for n, cs in samples.items()},
    }
    print("CPU time (process_time), median ns/op")
    _table(clocks["cpu"], names)
    print()
    print("wall clock, median ns/op")
    _table(clocks["wall"], names)
    rows: list[dict[str, Any]] = []
    for case in SCENARIOS:
        for ours in OURS:
            row: dict[str, Any] = {"scenario": case, "contender": ours}
            for clock, medians in clocks.items():
                mine = medians[ours][case]
                row[f"{clock}_ns_per_op"] = mine
                for peer in PEERS:
                    theirs = medians[peer].get(case)
                    if theirs is not None:
                        row[f"{clock}_{peer}_ns"] = theirs
                        row[f"{clock}_ratio_to_{peer}"] = mine / theirs
            rows.append(row)
    print()
    print("ratios by CPU time (ours / peer: below 1.0 means faster than the peer)")
    for row in rows:
        pairs = [(p, row[f"cpu_ratio_to_{p}"]) for p in PEERS if f"cpu_ratio_to_{p}" in row]
        ratios = ", ".join(f"{peer} {value:.2f}x" for peer, value in pairs)
        print(f"  {row['scenario']:40} {row['contender']:20} {ratios}")
    print()
    for clock, label in (("cpu", "CPU time"), ("wall", "wall clock")):
        punq_ns = clocks[clock]["punq"][TRANSIENT]
        speedups = ", ".join(f"{o} {punq_ns / clocks[clock][o][TRANSIENT]:.0f}x" for o in OURS)
        floor = punq_ns / clocks[clock]["direct"][TRANSIENT]
        print(f"transient 3-deep graph, times faster than punq ({label}): {speedups}"
              f" (a direct constructor call: {floor:.0f}x)")  # fmt: skip
    for clock, label in (("cpu", "CPU time"), ("wall", "wall clock")):
        extra = ", ".join(
            f"{n} +{clocks[clock][n][ACACHED] - clocks[clock][n][CACHED]:,.0f} ns"
            for n in ("direct", *OURS)
        )
        print(f"scoped service again in an open scope, aresolve over resolve ({label}): {extra}"
              f" (direct: the cost of one coroutine)")  # fmt: skip
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "di.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
