"""Timing shared by the micro-benchmarks: every batch is timed by wall clock and CPU time.

Wall clock is what a caller waits; CPU time (``time.process_time_ns``) is what this process
spent, which another process's load on a shared machine disturbs far less. Both are reported;
the ratios are computed from each separately.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

_wall = time.perf_counter_ns
_cpu = time.process_time_ns


@dataclass
class Samples:
    """The per-batch ns/op of one case, by both clocks."""

    wall: list[float] = field(default_factory=list[float])
    cpu: list[float] = field(default_factory=list[float])

    @property
    def wall_ns(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_ns(self) -> float:
        return statistics.median(self.cpu)

    def add(self, wall_ns: float, cpu_ns: float) -> None:
        self.wall.append(wall_ns)
        self.cpu.append(cpu_ns)


def time_sync(fn: Callable[[], object], loops: int, into: Samples) -> None:
    """Call ``fn`` ``loops`` times; record ns per call by wall clock and CPU time."""
    cpu, wall = _cpu(), _wall()
    for _ in range(loops):
        fn()
    wall_ns, cpu_ns = _wall() - wall, _cpu() - cpu
    into.add(wall_ns / loops, cpu_ns / loops)


async def time_async(send: Callable[[], Awaitable[object]], loops: int, into: Samples) -> None:
    """Await ``send()`` ``loops`` times; record ns per call by wall clock and CPU time."""
    cpu, wall = _cpu(), _wall()
    for _ in range(loops):
        await send()
    wall_ns, cpu_ns = _wall() - wall, _cpu() - cpu
    into.add(wall_ns / loops, cpu_ns / loops)
