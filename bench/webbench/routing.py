"""Route-count scaling: apps with N parameterised routes ``/r{i}/{id:int}``, hitting the last.

Each framework's app for each N is built and started once, then measured in-process like the
scenarios, frameworks interleaved per N. The build + startup time reported is measured in a
fresh process per framework (median of ``STARTUP_REPEATS``, frameworks interleaved): in the
benchmark process each app would be built on a heap holding every app built before it, whose
collections it would pay for. An app whose build took over ``SLOW_STARTUP_S`` in the benchmark
process keeps that figure (timed once).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import checks
from . import scenarios as s
from .asgi import Response
from .frameworks import load
from .inprocess import Cell, start


def _check(count: int) -> Callable[[Response], None]:
    def check(response: Response) -> None:
        body = checks.decoded(response)
        assert (response.status, body) == (200, s.routes_body(count)), f"{count} routes: {body!r}"

    return check


STARTUP_REPEATS = 3
SLOW_STARTUP_S = 30.0
_BENCH_DIR = Path(__file__).resolve().parent.parent
_FRESH = """
import asyncio, sys, time
sys.path.insert(0, sys.argv[3])
from webbench import asgi
from webbench.frameworks import load

async def main() -> None:
    module = load(sys.argv[1])
    began = time.perf_counter()
    app = module.build_routes(int(sys.argv[2]))
    lifespan = asgi.Lifespan(app)
    await lifespan.startup()
    print(time.perf_counter() - began)
    await lifespan.shutdown()

asyncio.run(main())
"""


def fresh_startup(framework: str, count: int) -> float:
    """Seconds to build ``framework``'s ``count``-route app and run its startup, in a new
    process (the framework imported before the clock starts)."""
    done = subprocess.run(
        [sys.executable, "-c", _FRESH, framework, str(count), str(_BENCH_DIR)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(done.stdout.split()[-1])


def _fresh_startups(cells: Sequence[Cell], count: int, progress: Callable[[str], None]) -> None:
    timed = [c for c in cells if c.startup_s <= SLOW_STARTUP_S]
    seconds: dict[str, list[float]] = {c.framework: [] for c in timed}
    for _ in range(STARTUP_REPEATS):
        for cell in timed:
            seconds[cell.framework].append(fresh_startup(cell.framework, count))
    for cell in timed:
        cell.startup_s = statistics.median(seconds[cell.framework])
        progress(f"  {count:6} routes {cell.framework:14} fresh process: {cell.startup_s:.2f} s")


async def build_cells(
    frameworks: Sequence[str], counts: Sequence[int], progress: Callable[[str], None] = print
) -> list[Cell]:
    cells: list[Cell] = []
    for count in counts:
        for framework in frameworks:
            began = time.perf_counter()
            app = load(framework).build_routes(count)
            built = time.perf_counter() - began
            cell = Cell(str(count), framework, app, s.routes_request(count), 200, _check(count))
            cell.startup_s = built
            await start(cell)
            progress(
                f"  {count:6} routes {framework:14} built and started in {cell.startup_s:.2f} s"
            )
            cells.append(cell)
        _fresh_startups([c for c in cells if c.group == str(count)], count, progress)
    return cells
