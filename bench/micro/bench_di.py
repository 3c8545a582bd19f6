"""lexigram-di against a direct constructor call, punq, dishka and rodi.

Run: ``python bench/micro/bench_di.py [--quick]`` with the ``bench`` group installed.
Scenarios: a transient 3-deep graph (``C(B(A()))``), a warm singleton, a scoped service per
request (open a scope, resolve, close) and a scoped service resolved again in an open scope.
Contenders are interleaved in rounds; the figure is the median ns/op over a fixed loop.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dishka
import punq
import rodi

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


Case = Callable[[], object]
Cases = dict[str, Case | None]

TRANSIENT = "transient 3-deep graph"
SINGLETON = "warm singleton"
REQUEST = "scoped: open scope + resolve + close"
CACHED = "scoped: resolve again in an open scope"


def direct() -> Cases:
    settings = Settings()
    session = Session(settings)
    return {
        TRANSIENT: lambda: C(B(A())),
        SINGLETON: lambda: settings,
        REQUEST: lambda: Session(settings),
        CACHED: lambda: session,
    }


def lexigram_resolve() -> Cases:
    c = Container().transient(A).transient(B).transient(C).singleton(Settings).scoped(Session)
    c.validate()
    open_scope = c.scope()

    def request() -> object:
        with c.scope() as scope:
            return scope.resolve(Session)

    return {
        TRANSIENT: lambda: c.resolve(C),
        SINGLETON: lambda: c.resolve(Settings),
        REQUEST: request,
        CACHED: lambda: open_scope.resolve(Session),
    }


def lexigram_resolver() -> Cases:
    c = Container().transient(A).transient(B).transient(C).singleton(Settings).scoped(Session)
    get_c, get_settings, get_session = c.resolver(C), c.resolver(Settings), c.resolver(Session)
    new_scope = c.scope
    open_scope = c.scope()

    def request() -> object:
        scope = new_scope()
        value = get_session(scope)
        scope.close()
        return value

    return {
        TRANSIENT: lambda: get_c(None),
        SINGLETON: lambda: get_settings(None),
        REQUEST: request,
        CACHED: lambda: get_session(open_scope),
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
        CACHED: None,
    }


def raw_dishka() -> Cases:
    provider = dishka.Provider()
    for cls in (A, B, C):
        provider.provide(cls, scope=dishka.Scope.APP, cache=False)
    provider.provide(Settings, scope=dishka.Scope.APP)
    provider.provide(Session, scope=dishka.Scope.REQUEST)
    container = dishka.make_container(provider)
    open_scope = container().__enter__()

    def request() -> object:
        with container() as scope:
            return scope.get(Session)

    return {
        TRANSIENT: lambda: container.get(C),
        SINGLETON: lambda: container.get(Settings),
        REQUEST: request,
        CACHED: lambda: open_scope.get(Session),
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
        CACHED: lambda: provider.get(Session, open_scope),
    }


CONTENDERS: dict[str, Callable[[], Cases]] = {
    "direct": direct,
    "lexigram resolve()": lexigram_resolve,
    "lexigram resolver()": lexigram_resolver,
    "punq": raw_punq,
    "dishka": raw_dishka,
    "rodi": raw_rodi,
}


def _time(fn: Case, loops: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(loops):
        fn()
    return (time.perf_counter_ns() - start) / loops


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    loops, rounds = (20_000, 5) if args.quick else (200_000, 15)
    cases = {name: build() for name, build in CONTENDERS.items()}
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in cases}
    for _ in range(rounds):
        for name, scenario in cases.items():
            for case, fn in scenario.items():
                if fn is None:
                    continue
                n = max(loops // 100, 200) if name == "punq" else loops
                samples[name].setdefault(case, []).append(_time(fn, n))
    medians = {n: {c: statistics.median(v) for c, v in s.items()} for n, s in samples.items()}
    names = list(cases)
    print(f"{'scenario':40}" + "".join(f"{n:>21}" for n in names))
    rows: list[dict[str, Any]] = []
    for case in (TRANSIENT, SINGLETON, REQUEST, CACHED):
        line = f"{case:40}"
        for name in names:
            value = medians[name].get(case)
            line += f"{'n/a' if value is None else f'{value:,.0f} ns':>21}"
        print(line)
        for ours in ("lexigram resolve()", "lexigram resolver()"):
            mine = medians[ours][case]
            row: dict[str, Any] = {"scenario": case, "contender": ours, "ns_per_op": mine}
            for peer in ("direct", "punq", "dishka", "rodi"):
                theirs = medians[peer].get(case)
                if theirs is not None:
                    row[f"{peer}_ns"] = theirs
                    row[f"ratio_to_{peer}"] = mine / theirs
            rows.append(row)
    print()
    print("ratios (ours / peer: below 1.0 means faster than the peer)")
    for row in rows:
        pairs = [(k.removeprefix("ratio_to_"), v) for k, v in row.items() if k.startswith("ratio")]
        ratios = ", ".join(f"{peer} {value:.2f}x" for peer, value in pairs)
        print(f"  {row['scenario']:40} {row['contender']:20} {ratios}")
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "di.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
