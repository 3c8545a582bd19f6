"""The report's tables of the web benchmarks: in-process, route scaling, loopback.

In-process figures are read by CPU time (``process_time``) when the run recorded it, which a
busy shared machine disturbs far less than wall clock; the wall-clock ratios follow in their
own table. Loopback figures are wrk's request rate and the server's CPU time per request,
the latter also relative to the bare ASGI floor on the same server.
"""

from __future__ import annotations

from typing import Any

from . import scenarios as s
from .frameworks import BASELINE, FLOOR, FRAMEWORKS, LEXIGRAM

Cells = dict[tuple[Any, str], dict[str, Any]]


def us(ns: float) -> str:
    value = ns / 1000
    return f"{value:,.0f} µs" if value >= 100 else f"{value:.1f} µs"


def x(ratio: float) -> str:
    return f"{ratio:.2f}x"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def by(rows: list[dict[str, Any]], key: str) -> Cells:
    return {(row[key], row["framework"]): row for row in rows}


def median(row: dict[str, Any]) -> float:
    """The in-process figure of a cell: CPU time when recorded, else wall clock."""
    value: float = row.get("cpu_median_ns") or row["median_ns"]
    return value


def clock_name(rows: list[dict[str, Any]]) -> str:
    return "CPU time" if all(row.get("cpu_median_ns") for row in rows) else "wall clock"


# -- in-process ---------------------------------------------------------------------------------
def inprocess(results: dict[str, Any], chart: str | None) -> list[str]:
    rows = results.get("inprocess")
    if not rows:
        return []
    cells = by(rows, "scenario")
    clock = clock_name(rows)
    lines = [
        "## In-process ASGI",
        "",
        f"Throughput relative to raw Starlette by {clock} (above 1.00x: faster than the"
        f" hand-written Starlette endpoint); in brackets the median {clock} per request."
        f" Median of {results['plan']['rounds']} interleaved rounds.",
        "",
        *table(["scenario", *FRAMEWORKS], _ratio_rows(cells, median)),
    ]
    if chart:
        lines += ["", f"![Throughput relative to raw Starlette, in-process]({chart})"]
    if clock == "CPU time":
        lines += [
            "",
            "The same runs by wall clock:",
            "",
            *table(["scenario", *FRAMEWORKS], _ratio_rows(cells, lambda r: r["median_ns"])),
        ]
    return lines + _garbage(results, cells)


def _ratio_rows(cells: Cells, figure: Any) -> list[list[str]]:
    body = []
    for key, scenario in s.SCENARIOS.items():
        base = figure(cells[(key, BASELINE)])
        line = [scenario.title]
        for framework in FRAMEWORKS:
            ns = figure(cells[(key, framework)])
            line.append(f"{x(base / ns)} ({us(ns)})")
        body.append(line)
    return body


def _garbage(results: dict[str, Any], cells: Cells) -> list[str]:
    if any(row.get("objects_per_request") is None for row in results["inprocess"]):
        return []
    body = []
    for key, scenario in s.SCENARIOS.items():
        counts = [cells[(key, f)]["objects_per_request"] for f in FRAMEWORKS]
        body.append([scenario.title, *(f"{n:g}" if n == int(n) else f"{n:.1f}" for n in counts)])
    requests = results["plan"].get("garbage_requests", "N")
    return [
        "",
        "Objects left for the cyclic garbage collector per request (the collector off,"
        f" {requests} requests, then the objects one full collection finds, divided by"
        f" {requests}; 0: everything a request made was freed by reference counting):",
        "",
        *table(["scenario", *FRAMEWORKS], body),
    ]


def lexigram_garbage(results: dict[str, Any]) -> float | None:
    """The most objects per request Lexigram left in any scenario (``None``: not counted)."""
    counts = [
        row.get("objects_per_request")
        for row in results.get("inprocess", [])
        if row["framework"] == LEXIGRAM
    ]
    if not counts or any(n is None for n in counts):
        return None
    return max(n for n in counts if n is not None)


# -- route scaling ------------------------------------------------------------------------------
def routing(results: dict[str, Any], chart: str | None) -> list[str]:
    rows = results.get("routing")
    if not rows:
        return []
    cells = by(rows, "routes")
    counts = sorted({row["routes"] for row in rows})
    frameworks = [f for f in FRAMEWORKS if (counts[0], f) in cells]
    timing, startup = [], []
    for framework in frameworks:
        times = [median(cells[(n, framework)]) for n in counts]
        timing.append([framework, *(us(t) for t in times), x(times[-1] / times[0])])
        startup.append(
            [framework, *(f"{cells[(n, framework)]['startup_s']:.2f} s" for n in counts)]
        )
    names = [f"{n:,}" for n in counts]
    lines = [
        "## Route-count scaling",
        "",
        f"Median {clock_name(rows)} per request to the last of N parameterised routes"
        " (`/r{i}/{id:int}`, the path parameter converted to an int); the last column is the"
        " time at the largest N divided by the time at the smallest (1.00x: flat).",
        "",
        *table(["framework", *names, f"{names[-1]} vs {names[0]}"], timing),
    ]
    if chart:
        lines += ["", f"![Time per request against the number of routes]({chart})"]
    lines += [
        "",
        "Time to build the app and run its startup (route compilation), in a fresh process per"
        " framework (median of three, frameworks interleaved; an app whose build took over 30 s"
        " is timed once, in the benchmark process):",
        "",
        *table(["framework", *names], startup),
    ]
    return lines


# -- loopback -----------------------------------------------------------------------------------
def loopback(results: dict[str, Any]) -> list[str]:
    rows = results.get("loopback")
    if not rows:
        return []
    cells = by(rows, "scenario")
    keys = [k for k in s.SCENARIOS if (k, BASELINE) in cells]
    columns = [f for f in (FLOOR, *FRAMEWORKS) if (keys[0], f) in cells]
    body = []
    for key in keys:
        base = cells[(key, BASELINE)]["rps"]
        line = [s.SCENARIOS[key].title]
        for framework in columns:
            rps = cells[(key, framework)]["rps"]
            line.append(f"{x(rps / base)} ({rps:,.0f}/s)")
        body.append(line)
    plan = results["plan"]
    passes = plan.get("loopback_passes", 1)
    return [
        "## Loopback (granian + wrk)",
        "",
        "Requests per second relative to raw Starlette; in brackets wrk's requests per second"
        f" (median of {passes} pass{'es' if passes > 1 else ''}). Each app on granian"
        f" (1 worker, uvloop), `wrk -t1 -c{plan['connections']} -d{plan['loopback_seconds']}s`"
        " after a 1 s warm-up; a scenario's servers all run, loaded one at a time in an"
        " order rotating every pass. Server and load share the machine's cores (and the"
        " server's own per-request cost is in every figure), so these ratios are closer to 1"
        " and noisier than the in-process ones. *bare ASGI* is the floor: a hand-written ASGI"
        " callable per scenario doing the same work with no framework.",
        "",
        *table(["scenario", *columns], body),
        *_timeouts(rows),
        *_server_cpu(rows, cells, keys, columns),
    ]


def _server_cpu(
    rows: list[dict[str, Any]], cells: Cells, keys: list[str], columns: list[str]
) -> list[str]:
    if not all(row.get("server_cpu_us") for row in rows):
        return []
    floor = FLOOR if FLOOR in columns else BASELINE
    body = []
    for key in keys:
        base = cells[(key, floor)]["server_cpu_us"]
        line = [s.SCENARIOS[key].title]
        for framework in columns:
            value = cells[(key, framework)]["server_cpu_us"]
            line.append(f"{x(value / base)} ({value:.0f} µs)")
        body.append(line)
    return [
        "",
        "The server's CPU time per request during the same runs (user + system, granian"
        f" included), relative to {floor}'s on the same server (1.00x: the floor; above it:"
        " more CPU per request); in brackets the median µs per request. Another process's"
        " load disturbs this much less than the request rate.",
        "",
        *table(["scenario", *columns], body),
    ]


def lexigram_cpu_over_floor(results: dict[str, Any], only: str | None = None) -> float | None:
    """Lexigram's server CPU per request over the floor's, in its worst loopback scenario
    (``only``: in that scenario)."""
    cells = by(results.get("loopback", []), "scenario")
    ratios = [
        cells[(key, LEXIGRAM)]["server_cpu_us"] / cells[(key, FLOOR)]["server_cpu_us"]
        for key in ([only] if only is not None else s.SCENARIOS)
        if (key, FLOOR) in cells and (key, LEXIGRAM) in cells
        and cells[(key, FLOOR)].get("server_cpu_us")
    ]  # fmt: skip
    return max(ratios) if ratios else None


def _timeouts(rows: list[dict[str, Any]]) -> list[str]:
    slow = [r for r in rows if r.get("timeouts")]
    if not slow:
        return []
    listed = ", ".join(f"{r['framework']} {r['scenario']} {r['timeouts']}" for r in slow)
    return ["", f"Requests wrk timed out (after 5 s): {listed}."]
