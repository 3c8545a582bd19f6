"""lexigram-result against the ``result`` package (PyPI): construction, chains, match.

Run: ``python bench/micro/bench_result.py [--quick]`` with the ``bench`` group installed.
Contenders are interleaved in rounds; the figure is the median ns/op; the ratio is
``result``'s time divided by ours (above 1.0: we are faster).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import result as peer

from lexigram import result as ours


def _time(fn: Callable[[], object], loops: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(loops):
        fn()
    return (time.perf_counter_ns() - start) / loops


def scenarios(lib: object) -> dict[str, Callable[[], object]]:
    ok_cls = lib.Ok  # type: ignore[attr-defined]
    err_cls = lib.Err  # type: ignore[attr-defined]
    ok, err = ok_cls(1), err_cls("e")

    def inc(v: int) -> int:
        return v + 1

    def dbl(v: int) -> object:
        return ok_cls(v * 2)

    def chain_ok() -> object:
        return ok.map(inc).and_then(dbl).unwrap_or(0)

    def chain_err() -> object:
        return err.map(inc).and_then(dbl).unwrap_or(0)

    if lib is ours:

        def chain_ok() -> object:
            return ok.map_sync(inc).and_then_sync(dbl).unwrap_or(0)  # type: ignore[attr-defined]

        def chain_err() -> object:
            return err.map_sync(inc).and_then_sync(dbl).unwrap_or(0)  # type: ignore[attr-defined]

    def match() -> object:
        match ok:
            case ok_cls(v):
                return v
            case err_cls(e):
                return e
        return None

    return {
        "Ok(1)": lambda: ok_cls(1),
        "3-step chain on Ok": chain_ok,
        "3-step chain on Err (short-circuit)": chain_err,
        "match Ok/Err": match,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    loops, rounds = (20_000, 5) if args.quick else (200_000, 15)
    contenders = {"lexigram": scenarios(ours), "result": scenarios(peer)}
    samples: dict[str, dict[str, list[float]]] = {n: {} for n in contenders}
    for _ in range(rounds):
        for name, cases in contenders.items():
            for case, fn in cases.items():
                samples[name].setdefault(case, []).append(_time(fn, loops))
    rows = []
    print(f"{'scenario':40} {'lexigram ns':>12} {'result ns':>10} {'ratio':>7}")
    for case in contenders["lexigram"]:
        mine = statistics.median(samples["lexigram"][case])
        theirs = statistics.median(samples["result"][case])
        rows.append({"scenario": case, "lexigram_ns": mine, "result_ns": theirs,
                     "speedup_vs_result": theirs / mine})  # fmt: skip
        print(f"{case:40} {mine:12.1f} {theirs:10.1f} {theirs / mine:6.2f}x")
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "result.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
