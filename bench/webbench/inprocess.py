"""The in-process driver's measurement: apps started once, interleaved rounds, medians.

A *cell* is one app answering one request (a framework in a scenario, or a framework with a
given route count). Every cell is started (ASGI lifespan) and checked before timing. Each
cell's request count is fixed once from a warm-up (enough requests for about ``batch_ms``),
then every round times one batch of that many requests per cell; within a group (a scenario)
the frameworks take turns in an order that rotates every round, so a slow spell of the
machine spreads over all of them. The figures per cell are the median ns per request by wall
clock and by CPU time, and (for the scenarios) the objects it leaves per request for the
cyclic garbage collector. The collector runs as it would in production: nothing is frozen.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import asgi
from .scenarios import Request


@dataclass
class Cell:
    group: str
    framework: str
    app: Any
    request: Request
    status: int
    check: Callable[[asgi.Response], None]
    startup_s: float = 0.0
    count: int = 0
    samples: list[float] = field(default_factory=list[float])
    """Wall-clock ns per request, one per round."""
    cpu_samples: list[float] = field(default_factory=list[float])
    """CPU-time ns per request, one per round."""
    objects_per_request: float | None = None
    lifespan: asgi.Lifespan | None = None
    settle: Callable[[], object] | None = None
    """Run inside each batch's timing after its requests (see ``asgi.time_requests``)."""

    @property
    def median_ns(self) -> float:
        return statistics.median(self.samples)

    @property
    def median_cpu_ns(self) -> float:
        return statistics.median(self.cpu_samples)


async def start(cell: Cell) -> None:
    """Run the app's lifespan startup, then check its answer (twice: state must not leak)."""
    began = time.perf_counter()
    cell.lifespan = asgi.Lifespan(cell.app)
    await cell.lifespan.startup()
    cell.startup_s += time.perf_counter() - began
    for _ in range(2):
        cell.check(await asgi.call(cell.app, cell.request))


async def stop(cells: Sequence[Cell]) -> None:
    for cell in cells:
        if cell.lifespan is not None:
            await cell.lifespan.shutdown()
            cell.lifespan = None


async def calibrate(cell: Cell, batch_ms: float, min_count: int, max_count: int) -> None:
    probe = 10
    await asgi.time_requests(cell.app, cell.request, probe, cell.status)  # warm caches
    per_request, _ = await asgi.time_requests(cell.app, cell.request, probe * 2, cell.status)
    wanted = int(batch_ms * 1e6 / max(per_request, 1.0))
    cell.count = max(min_count, min(max_count, wanted))


async def measure(
    cells: Sequence[Cell],
    rounds: int,
    *,
    batch_ms: float,
    min_count: int = 20,
    max_count: int = 20_000,
    garbage_requests: int = 0,
    progress: Callable[[str], None] = print,
) -> None:
    """Fill every cell's samples with ``rounds`` batch timings (ns per request); with
    ``garbage_requests``, count each cell's objects per request over that many requests."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(cell.group, []).append(cell)
    await _rounds(groups, rounds, batch_ms, min_count, max_count, progress)
    if garbage_requests:
        targets = [(cell.app, cell.request, cell.status) for cell in cells]
        counts = await asgi.garbage_per_request(targets, garbage_requests)
        for cell, objects in zip(cells, counts, strict=True):
            cell.objects_per_request = objects
        progress(f"  objects per request counted over {garbage_requests} requests per app")


async def _rounds(
    groups: dict[str, list[Cell]],
    rounds: int,
    batch_ms: float,
    min_count: int,
    max_count: int,
    progress: Callable[[str], None],
) -> None:
    for members in groups.values():
        for cell in members:
            await calibrate(cell, batch_ms, min_count, max_count)
    for number in range(rounds):
        for members in groups.values():
            shift = number % len(members)
            order = members[shift:] + members[:shift]
            if number % 2:
                order.reverse()
            for cell in order:
                wall, cpu = await asgi.time_requests(
                    cell.app, cell.request, cell.count, cell.status, cell.settle
                )
                cell.samples.append(wall)
                cell.cpu_samples.append(cpu)
        progress(f"  round {number + 1}/{rounds} done")
