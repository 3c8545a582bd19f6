"""The report: ``benchmarks.md`` (tables of ratios, method, machine, versions) and charts."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import observability
from . import scenarios as s
from .frameworks import BASELINE, FRAMEWORKS, LEXIGRAM

CHART = "benchmarks.png"
ROUTES_CHART = "benchmarks-routes.png"


def _us(ns: float) -> str:
    us = ns / 1000
    return f"{us:,.0f} µs" if us >= 100 else f"{us:.1f} µs"


def _x(ratio: float) -> str:
    return f"{ratio:.2f}x"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _by(rows: list[dict[str, Any]], key: str) -> dict[tuple[Any, str], dict[str, Any]]:
    return {(row[key], row["framework"]): row for row in rows}


# -- targets ------------------------------------------------------------------------------------
def _targets(results: dict[str, Any]) -> list[tuple[str, float | None, float, str]]:
    """(target, measured, threshold, how the measure is read) for every target we can check."""
    cells = _by(results.get("inprocess", []), "scenario")
    routes = _by(results.get("routing", []), "routes")

    def ns(key: str, framework: str) -> float | None:
        row = cells.get((key, framework))
        return row["median_ns"] if row else None

    def speedup(key: str, other: str) -> float | None:
        mine, theirs = ns(key, LEXIGRAM), ns(key, other)
        return theirs / mine if mine and theirs else None

    found: list[tuple[str, float | None, float, str]] = [
        ("full pipeline ≥ 1.0x raw Starlette", speedup(s.PIPELINE, BASELINE), 1.0, "higher"),
        ("full pipeline ≥ 2x FastAPI", speedup(s.PIPELINE, "FastAPI"), 2.0, "higher"),
        ("full pipeline ≥ Litestar", speedup(s.PIPELINE, "Litestar"), 1.0, "higher"),
        (
            "body validation ≥ 0.9x raw Starlette + pydantic",
            speedup(s.BODY, BASELINE),
            0.9,
            "higher",
        ),
    ]
    counts = sorted({row["routes"] for row in results.get("routing", [])})
    if counts:
        low, high = (routes.get((counts[0], LEXIGRAM)), routes.get((counts[-1], LEXIGRAM)))
        growth = high["median_ns"] / low["median_ns"] if low and high else None
        found.append(
            (f"{counts[-1]:,} routes ≤ 1.1x the time of {counts[0]:,} routes", growth, 1.1, "lower")
        )
    design = [
        ("JSON 1 kB ≥ 1.57x raw Starlette", s.JSON_1K, 1.57),
        ("path param → int ≥ 1.34x raw Starlette", s.PATH_INT, 1.34),
        ("two validated query params ≥ 1.21x raw Starlette", s.QUERY, 1.21),
        ("POST body → model ≥ 1.0x raw Starlette", s.BODY, 1.0),
        ("full pipeline ≥ 1.25x raw Starlette (goal)", s.PIPELINE, 1.25),
        ("404 ≥ 1.0x raw Starlette", s.ERROR, 1.0),
    ]
    found += [(name, speedup(key, BASELINE), limit, "higher") for name, key, limit in design]
    return found


def _targets_section(results: dict[str, Any]) -> list[str]:
    rows = []
    for name, measured, limit, direction in _targets(results):
        if measured is None:
            rows.append([name, "not measured", ""])
            continue
        met = measured >= limit if direction == "higher" else measured <= limit
        rows.append([name, _x(measured), "yes" if met else "**no**"])
    return [
        "## Targets",
        "",
        "The first five are the acceptance targets of the harness; the others are the per-scenario"
        " targets of the design (throughput relative to raw Starlette). In-process figures.",
        "",
        *_table(["target", "measured", "met"], rows),
    ]


# -- sections -----------------------------------------------------------------------------------
PART_NAMES = {
    "inprocess": "in-process",
    "routing": "route scaling",
    "loopback": "loopback",
    "micro": "micro-benchmarks",
    "observability": "observability overhead",
}


def _load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "n/a"


def _machine_section(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    rows = [
        ["CPU", f"{m['cpu']} ({m['cores']} cores, {m['usable_cores']} usable)"],
        ["Python", f"{m['python']} ({m['implementation']}), {m['system']}"],
        ["run", "quick" if results["quick"] else "full"],
    ]
    seconds = results.get("seconds", {})
    for part, load in results.get("load", {}).items():
        took = seconds.get(part)
        rows.append(
            [
                f"load average (1/5/15 min), {PART_NAMES.get(part, part)}",
                f"before {_load(load['before'])}, after {_load(load['after'])}"
                + (f"; {took:.0f} s" if took is not None else ""),
            ]
        )
    versions = [[name, version] for name, version in results["versions"].items()]
    return [
        "## Machine and versions",
        "",
        *_table(["", ""], rows),
        "",
        *_table(["package", "version"], versions),
    ]


def _inprocess_section(results: dict[str, Any], chart: str | None) -> list[str]:
    rows = results.get("inprocess")
    if not rows:
        return []
    cells = _by(rows, "scenario")
    body = []
    for key, scenario in s.SCENARIOS.items():
        base = cells[(key, BASELINE)]["median_ns"]
        line = [scenario.title]
        for framework in FRAMEWORKS:
            ns = cells[(key, framework)]["median_ns"]
            line.append(f"{_x(base / ns)} ({_us(ns)})")
        body.append(line)
    lines = [
        "## In-process ASGI",
        "",
        "Throughput relative to raw Starlette (above 1.00x: faster than the hand-written"
        " Starlette endpoint); in brackets the median time per request. Median of"
        f" {results['plan']['rounds']} interleaved rounds.",
        "",
        *_table(["scenario", *FRAMEWORKS], body),
    ]
    if chart:
        lines += ["", f"![Throughput relative to raw Starlette, in-process]({chart})"]
    return lines


def _routing_section(results: dict[str, Any], chart: str | None) -> list[str]:
    rows = results.get("routing")
    if not rows:
        return []
    cells = _by(rows, "routes")
    counts = sorted({row["routes"] for row in rows})
    frameworks = [f for f in FRAMEWORKS if (counts[0], f) in cells]
    timing, startup = [], []
    for framework in frameworks:
        times = [cells[(n, framework)]["median_ns"] for n in counts]
        timing.append([framework, *(_us(t) for t in times), _x(times[-1] / times[0])])
        startup.append(
            [framework, *(f"{cells[(n, framework)]['startup_s']:.2f} s" for n in counts)]
        )
    names = [f"{n:,}" for n in counts]
    lines = [
        "## Route-count scaling",
        "",
        "Median time per request to the last of N parameterised routes (`/r{i}/{id:int}`,"
        " the path parameter converted to an int); the last column is the time at the"
        " largest N divided by the time at the smallest (1.00x: flat).",
        "",
        *_table(["framework", *names, f"{names[-1]} vs {names[0]}"], timing),
    ]
    if chart:
        lines += ["", f"![Time per request against the number of routes]({chart})"]
    lines += [
        "",
        "Time to build the app and run its startup (route compilation), once per app:",
        "",
        *_table(["framework", *names], startup),
    ]
    return lines


def _loopback_section(results: dict[str, Any]) -> list[str]:
    rows = results.get("loopback")
    if not rows:
        return []
    cells = _by(rows, "scenario")
    keys = [k for k in s.SCENARIOS if (k, BASELINE) in cells]
    body = []
    for key in keys:
        base = cells[(key, BASELINE)]["rps"]
        line = [s.SCENARIOS[key].title]
        for framework in FRAMEWORKS:
            rps = cells[(key, framework)]["rps"]
            line.append(f"{_x(rps / base)} ({rps:,.0f}/s)")
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
        " and noisier than the in-process ones.",
        "",
        *_table(["scenario", *FRAMEWORKS], body),
        *_timeouts(rows),
        *_server_cpu(rows, cells, keys),
    ]


def _server_cpu(
    rows: list[dict[str, Any]], cells: dict[tuple[Any, str], dict[str, Any]], keys: list[str]
) -> list[str]:
    if not all(row.get("server_cpu_us") for row in rows):
        return []
    body = []
    for key in keys:
        base = cells[(key, BASELINE)]["server_cpu_us"]
        line = [s.SCENARIOS[key].title]
        for framework in FRAMEWORKS:
            us = cells[(key, framework)]["server_cpu_us"]
            line.append(f"{_x(base / us)} ({us:.0f} µs)")
        body.append(line)
    return [
        "",
        "The server's CPU time per request during the same runs (user + system, granian"
        " included), as a ratio to raw Starlette's (above 1.00x: less CPU per request); in"
        " brackets the median µs per request. Another process's load disturbs this much less"
        " than the request rate.",
        "",
        *_table(["scenario", *FRAMEWORKS], body),
    ]


def _timeouts(rows: list[dict[str, Any]]) -> list[str]:
    slow = [r for r in rows if r.get("timeouts")]
    if not slow:
        return []
    listed = ", ".join(f"{r['framework']} {r['scenario']} {r['timeouts']}" for r in slow)
    return ["", f"Requests wrk timed out (after 5 s): {listed}."]


def _micro_section(results: dict[str, Any]) -> list[str]:
    rows = results.get("micro")
    if not rows:
        return []
    lines = [
        "## Micro-benchmarks of the other packages",
        "",
        "Each package's own benchmark against its peers (`bench/micro/bench_*.py`), as printed.",
    ]
    for row in rows:
        lines += ["", f"### {row['script']}", "", "```text", row["output"], "```"]
    return lines


METHOD = (Path(__file__).with_name("method.md")).read_text().strip()


# -- charts -------------------------------------------------------------------------------------
def _ratio_chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    cells = _by(results["inprocess"], "scenario")
    keys = list(s.SCENARIOS)
    frameworks = [f for f in FRAMEWORKS if f != BASELINE]  # the baseline is the 1x line
    height = 0.8 / len(frameworks)
    fig, ax = plt.subplots(figsize=(9, 7))
    for index, framework in enumerate(frameworks):
        ratios = [
            cells[(k, BASELINE)]["median_ns"] / cells[(k, framework)]["median_ns"] for k in keys
        ]
        positions = [i + (index - (len(frameworks) - 1) / 2) * height for i in range(len(keys))]
        widths = [r - 1.0 for r in ratios]  # bars grow from 1x: left is slower, right faster
        ax.barh(positions, widths, left=1.0, height=height, label=framework)
    ax.axvline(1.0, color="black", linewidth=0.8, label="raw Starlette (1x)")
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}x"))
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([s.SCENARIOS[k].title.split(":")[0] for k in keys])
    ax.invert_yaxis()
    ax.set_xlabel("throughput relative to raw Starlette (log scale; right of 1x is faster)")
    ax.set_title("In-process ASGI, median of interleaved rounds", pad=30)
    ax.legend(
        loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(frameworks) + 1, frameon=False
    )
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _routes_chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = _by(results["routing"], "routes")
    counts = sorted({row["routes"] for row in results["routing"]})
    fig, ax = plt.subplots(figsize=(8, 5))
    for framework in FRAMEWORKS:
        if (counts[0], framework) not in cells:
            continue
        times = [cells[(n, framework)]["median_ns"] / 1000 for n in counts]
        ax.plot(counts, times, marker="o", label=framework)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("routes registered (hitting the last)")
    ax.set_ylabel("µs per request (log)")
    ax.set_title("Route-count scaling, in-process")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, Any], page: Path, images: Path) -> list[Path]:
    """Write the page and its charts; return the paths written."""
    images.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def chart(name: str, draw: Callable[[dict[str, Any], Path], None], part: str) -> str | None:
        if not results.get(part):
            return None
        path = images / name
        draw(results, path)
        written.append(path)
        return os.path.relpath(path, page.parent)

    ratio_chart = chart(CHART, _ratio_chart, "inprocess")
    routes_chart = chart(ROUTES_CHART, _routes_chart, "routing")
    intro = [
        "# Benchmarks",
        "",
        "Lexigram against a hand-written raw Starlette endpoint and against FastAPI, Litestar and"
        " BlackSheep: the same scenarios, one run, one machine, reported as ratios. Reproduce"
        " with `uv run nox -s bench` (writes this page; `bench_quick` is the short CI run,"
        " written to `bench/results/`).",
    ]
    if results["quick"]:
        intro += ["", "**Quick run**: few rounds and small counts; not the published figures."]
    sections = [
        intro,
        _targets_section(results) if results.get("inprocess") else [],
        _inprocess_section(results, ratio_chart),
        _routing_section(results, routes_chart),
        _loopback_section(results),
        observability.section(results),
        _micro_section(results),
        METHOD.splitlines(),
        _machine_section(results),
    ]
    text = "\n\n".join("\n".join(section) for section in sections if section) + "\n"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text)
    written.insert(0, page)
    return written
