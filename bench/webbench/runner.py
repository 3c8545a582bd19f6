"""``python bench/run.py [--quick]``: every benchmark, then the report.

Full mode writes ``docs/benchmarks.md`` and ``docs/img/benchmarks*.png``; ``--quick`` (the CI
run: small counts, few rounds, two loopback scenarios) writes the same files under
``bench/results/`` so CI never dirties the tree. Raw results always go to
``bench/results/web.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import loopback, machine, observability, report, routing
from . import scenarios as s
from .checks import check_answer
from .frameworks import FRAMEWORKS, LOOPBACK_FRAMEWORKS, ROUTING_FRAMEWORKS, load
from .inprocess import Cell, measure, start, stop

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Plan:
    quick: bool
    rounds: int
    batch_ms: float
    route_counts: tuple[int, ...]
    loopback_scenarios: tuple[str, ...]
    loopback_seconds: int
    loopback_warmup_s: int
    loopback_passes: int
    garbage_requests: int
    connections: int = 32

    @staticmethod
    def make(quick: bool) -> Plan:
        if quick:
            return Plan(True, 5, 15.0, (10, 100, 1_000), (s.PLAINTEXT, s.PIPELINE), 2, 1, 1, 200)
        return Plan(False, 21, 100.0, (10, 100, 1_000, 10_000), tuple(s.SCENARIOS), 2, 1, 5, 2_000)


def say(text: str) -> None:
    print(text, flush=True)


def _check_for(framework: str, key: str) -> Any:
    module = load(framework)
    scenario = s.SCENARIOS[key]
    return lambda response: check_answer(module, scenario, response)


async def run_inprocess(plan: Plan) -> list[dict[str, Any]]:
    say(f"in-process ASGI: {len(s.SCENARIOS)} scenarios x {len(FRAMEWORKS)} frameworks")
    cells: list[Cell] = []
    for key, scenario in s.SCENARIOS.items():
        for framework in FRAMEWORKS:
            app = load(framework).build(key)
            cell = Cell(
                key, framework, app, scenario.request, scenario.status, _check_for(framework, key)
            )
            await start(cell)
            cells.append(cell)
    try:
        await measure(
            cells,
            plan.rounds,
            batch_ms=plan.batch_ms,
            garbage_requests=plan.garbage_requests,
            progress=say,
        )
    finally:
        await stop(cells)
    return [_row(cell, scenario=cell.group) for cell in cells]


async def run_routing(plan: Plan) -> list[dict[str, Any]]:
    say(f"route-count scaling: {plan.route_counts} routes x {len(ROUTING_FRAMEWORKS)} frameworks")
    cells = await routing.build_cells(ROUTING_FRAMEWORKS, plan.route_counts, progress=say)
    try:
        await measure(cells, plan.rounds, batch_ms=plan.batch_ms, progress=say)
    finally:
        await stop(cells)
    return [_row(cell, routes=int(cell.group)) for cell in cells]


def _row(cell: Cell, **key: Any) -> dict[str, Any]:
    return {
        **key,
        "framework": cell.framework,
        "median_ns": cell.median_ns,
        "cpu_median_ns": cell.median_cpu_ns,
        "objects_per_request": cell.objects_per_request,
        "requests_per_batch": cell.count,
        "samples_ns": [round(x, 1) for x in cell.samples],
        "cpu_samples_ns": [round(x, 1) for x in cell.cpu_samples],
        "startup_s": round(cell.startup_s, 4),
    }


def run_loopback(plan: Plan) -> list[dict[str, Any]]:
    say(
        f"loopback (granian, 1 worker; wrk -t1 -c{plan.connections} -d{plan.loopback_seconds}s,"
        f" {plan.loopback_passes} passes): {', '.join(plan.loopback_scenarios)}"
    )
    results = loopback.measure(
        list(plan.loopback_scenarios),
        list(LOOPBACK_FRAMEWORKS),
        seconds=plan.loopback_seconds,
        warmup_s=plan.loopback_warmup_s,
        connections=plan.connections,
        passes=plan.loopback_passes,
        progress=say,
    )
    return loopback.as_rows(results)


def run_micro(plan: Plan) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for script in sorted((BENCH / "micro").glob("bench_*.py")):
        say(f"micro-benchmark {script.name}")
        command = [sys.executable, str(script), *(["--quick"] if plan.quick else [])]
        began = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        say(done.stdout.rstrip())
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"{script.name} failed with exit code {done.returncode}")
        rows.append(
            {
                "script": script.name,
                "seconds": round(time.perf_counter() - began, 2),
                "output": done.stdout.rstrip(),
            }
        )
    return rows


PARTS = ("inprocess", "routing", "loopback", "observability", "micro")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the short CI run")
    parser.add_argument(
        "--only",
        help="comma-separated parts to run (" + ",".join(PARTS) + "); the others are kept from"
        " bench/results/web.json when it holds a run of the same mode",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from bench/results/web.json"
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    raw = RESULTS / "web.json"
    if args.report_only:
        results = json.loads(raw.read_text())
    else:
        parts = args.only.split(",") if args.only else list(PARTS)
        previous = json.loads(raw.read_text()) if args.only and raw.exists() else None
        if previous is not None and previous.get("quick") != args.quick:
            previous = None
        results = collect(Plan.make(args.quick), parts, previous)
        raw.write_text(json.dumps(results, indent=2))
        say(f"raw results: {raw.relative_to(ROOT)}")
    if results["quick"]:
        page, images = RESULTS / "benchmarks.md", RESULTS
    else:
        page, images = ROOT / "docs" / "benchmarks.md", ROOT / "docs" / "img"
    written = report.write(results, page, images)
    say("report: " + ", ".join(str(p.relative_to(ROOT)) for p in written))


def collect(plan: Plan, parts: list[str], previous: dict[str, Any] | None) -> dict[str, Any]:
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}")
    results: dict[str, Any] = dict(previous or {})
    results.update(
        quick=plan.quick,
        plan={
            "rounds": plan.rounds,
            "batch_ms": plan.batch_ms,
            "route_counts": list(plan.route_counts),
            "loopback_seconds": plan.loopback_seconds,
            "loopback_passes": plan.loopback_passes,
            "garbage_requests": plan.garbage_requests,
            "connections": plan.connections,
        },
        machine=machine.describe(),
        versions=machine.versions(),
    )
    load = results["load"] = dict(results.get("load") or {})
    seconds = results["seconds"] = dict(results.get("seconds") or {})
    runners: dict[str, Callable[[Plan], list[dict[str, Any]]]] = {
        "inprocess": lambda p: asyncio.run(run_inprocess(p)),
        "routing": lambda p: asyncio.run(run_routing(p)),
        "loopback": run_loopback,
        "observability": lambda p: asyncio.run(
            observability.run(p.rounds, p.batch_ms, progress=say)
        ),
        "micro": run_micro,
    }
    for part in PARTS:
        if part not in parts:
            continue
        before, began = machine.load_average(), time.perf_counter()
        results[part] = runners[part](plan)
        seconds[part] = round(time.perf_counter() - began, 1)
        load[part] = {"before": before, "after": machine.load_average()}
    return results
