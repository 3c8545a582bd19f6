"""The report: ``benchmarks.md`` (tables of ratios, method, machine, versions) and charts."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import observability, tables
from . import scenarios as s
from .frameworks import BASELINE, FRAMEWORKS, LEXIGRAM
from .tables import by, median, table, x

CHART = "benchmarks.png"
ROUTES_CHART = "benchmarks-routes.png"


# -- targets ------------------------------------------------------------------------------------
Target = tuple[str, float | None, float, str]
"""(target, measured, threshold, "higher" or "lower": which side of the threshold meets it)."""


def _targets(results: dict[str, Any]) -> list[Target]:
    """Every target the results can check (in-process figures by CPU time when recorded)."""
    cells = by(results.get("inprocess", []), "scenario")
    routes = by(results.get("routing", []), "routes")

    def ns(key: str, framework: str) -> float | None:
        row = cells.get((key, framework))
        return median(row) if row else None

    def speedup(key: str, other: str) -> float | None:
        mine, theirs = ns(key, LEXIGRAM), ns(key, other)
        return theirs / mine if mine and theirs else None

    found: list[Target] = [
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
        growth = median(high) / median(low) if low and high else None
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
    if results.get("inprocess"):
        found.append(("objects left for the cyclic GC per request, worst scenario, = 0",
                      tables.lexigram_garbage(results), 0.0, "lower"))  # fmt: skip
    if results.get("loopback"):
        found.append(("server CPU per request ≤ 1.3x bare ASGI, worst loopback scenario",
                      tables.lexigram_cpu_over_floor(results), 1.3, "lower"))  # fmt: skip
    return found + _peer_targets(results, speedup)


Speedup = Callable[[str, str], float | None]


def _peer_targets(results: dict[str, Any], speedup: Speedup) -> list[Target]:
    """The performance issue's table: every scenario against BlackSheep (POST body ≥ 1.0x,
    the others ≥ 1.2x), the full pipeline ≥ 2.5x raw Starlette, building and starting the
    largest routed app no slower than BlackSheep, plaintext on loopback ≤ 1.3x the floor."""
    found: list[Target] = [
        (f"{scenario.title} ≥ {limit:g}x BlackSheep", speedup(key, "BlackSheep"), limit, "higher")
        for key, scenario in s.SCENARIOS.items()
        for limit in [1.0 if key == s.BODY else 1.2]
    ]
    pipeline = speedup(s.PIPELINE, BASELINE)
    found.append(("full pipeline ≥ 2.5x raw Starlette", pipeline, 2.5, "higher"))
    built = by(results.get("routing", []), "routes")
    counts = sorted({row["routes"] for row in results.get("routing", [])})
    if counts:
        mine, theirs = built.get((counts[-1], LEXIGRAM)), built.get((counts[-1], "BlackSheep"))
        ratio = None
        if mine and theirs and theirs["startup_s"]:
            ratio = mine["startup_s"] / theirs["startup_s"]
        name = f"build + start with {counts[-1]:,} routes ≤ 1.0x BlackSheep's time"
        found.append((name, ratio, 1.0, "lower"))
    if results.get("loopback"):
        floor = tables.lexigram_cpu_over_floor(results, s.PLAINTEXT)
        found.append(("server CPU per request ≤ 1.3x bare ASGI, plaintext on loopback",
                      floor, 1.3, "lower"))  # fmt: skip
    return found


def _targets_section(results: dict[str, Any]) -> list[str]:
    rows = []
    for name, measured, limit, direction in _targets(results):
        if measured is None:
            rows.append([name, "not measured", ""])
            continue
        met = measured >= limit if direction == "higher" else measured <= limit
        shown = f"{measured:g}" if "objects" in name else x(measured)
        rows.append([name, shown, "yes" if met else "**no**"])
    return [
        "## Targets",
        "",
        "The first five are the acceptance targets of the harness; then the targets of the"
        " design (throughput relative to raw Starlette, in-process, by CPU time when recorded;"
        " objects per request; server CPU on loopback relative to the bare ASGI floor); last,"
        " the performance targets against the fastest peer (in-process CPU time against"
        " BlackSheep, the full pipeline against raw Starlette, startup time, plaintext server"
        " CPU against the floor).",
        "",
        *table(["target", "measured", "met"], rows),
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
        *table(["", ""], rows),
        "",
        *table(["package", "version"], versions),
    ]


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

    cells = by(results["inprocess"], "scenario")
    keys = list(s.SCENARIOS)
    frameworks = [f for f in FRAMEWORKS if f != BASELINE]  # the baseline is the 1x line
    height = 0.8 / len(frameworks)
    fig, ax = plt.subplots(figsize=(9, 7))
    for index, framework in enumerate(frameworks):
        ratios = [median(cells[(k, BASELINE)]) / median(cells[(k, framework)]) for k in keys]
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
    ax.set_title(
        f"In-process ASGI, {tables.clock_name(results['inprocess'])}, median of interleaved rounds",
        pad=30,
    )
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

    cells = by(results["routing"], "routes")
    counts = sorted({row["routes"] for row in results["routing"]})
    fig, ax = plt.subplots(figsize=(8, 5))
    for framework in FRAMEWORKS:
        if (counts[0], framework) not in cells:
            continue
        times = [median(cells[(n, framework)]) / 1000 for n in counts]
        ax.plot(counts, times, marker="o", label=framework)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("routes registered (hitting the last)")
    ax.set_ylabel(f"µs per request, {tables.clock_name(results['routing'])} (log)")
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
        tables.inprocess(results, ratio_chart),
        tables.routing(results, routes_chart),
        tables.loopback(results),
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
