"""lexigram-result against the ``result`` package (PyPI): construction, chains, match.

Run: ``python bench/micro/bench_result.py [--quick]`` with the ``bench`` group installed.
Contenders are interleaved in rounds; the figure is the median ns/op by CPU time
(``process_time``) and by wall clock; the ratio is ``result``'s time divided by ours (above
1.0: we are faster).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import result as peer
from _timing import Samples, time_sync

from lexigram import result as ours


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
    samples: dict[str, dict[str, Samples]] = {n: {} for n in contenders}
    for _ in range(rounds):
        for name, cases in contenders.items():
            for case, fn in cases.items():
                time_sync(fn, loops, samples[name].setdefault(case, Samples()))
    rows = []
    cpu, wall = "CPU time".center(30, "-"), "wall clock".center(30, "-")
    print(f"{'':40} {cpu:>32}  {wall:>32}")
    print(f"{'scenario':40} {'lexigram ns':>12} {'result ns':>10} {'ratio':>8}"
          f"  {'lexigram ns':>12} {'result ns':>10} {'ratio':>8}")  # fmt: skip
    for case in contenders["lexigram"]:
        mine, theirs = samples["lexigram"][case], samples["result"][case]
        row: dict[str, object] = {"scenario": case}
        line = f"{case:40}"
        for clock, ours_ns, peer_ns in (("cpu", mine.cpu_ns, theirs.cpu_ns),
                                        ("wall", mine.wall_ns, theirs.wall_ns)):  # fmt: skip
            row |= {f"{clock}_lexigram_ns": ours_ns, f"{clock}_result_ns": peer_ns,
                    f"{clock}_speedup_vs_result": peer_ns / ours_ns}  # fmt: skip
            line += f" {ours_ns:12.1f} {peer_ns:10.1f} {peer_ns / ours_ns:7.2f}x "
        rows.append(row)
        print(line.rstrip())
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "result.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
