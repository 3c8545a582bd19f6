"""lexigram-ratelimit against ``limits``: the cost of one memory check, Redis throughput.

Run: ``python bench/micro/bench_ratelimit.py [--quick]`` with the ``bench`` group installed
and ``redis-server`` on the PATH (the script starts its own on a free loopback port).

- Memory: one ``hit`` on ``MemoryStorage`` (limits, sync strategies) against
  ``MemoryBackend`` (``MemoryLimit.hit_sync``, and the async ``await policy.hit`` driven
  without an event loop). 10,000 keys in turn, "100/minute": every check is allowed.
  Figures are median ns per check (loop included); "ratio" is the limits peer's time
  divided by ours (2.00x = twice as fast).
- Redis: checks per second, one at a time (latency-bound) and 32 at a time (``gather``),
  against limits' async ``RedisStorage`` (coredis, its default, and redis-py) on the same
  server; "ratio" is our throughput over the limits peer's. Round trips per check are
  counted from the server's ``INFO commandstats`` (``EVALSHA`` + ``EVAL`` calls per check;
  any other command sent by the client would show up too).

Contenders are interleaved in rounds (the order reversed every other round); each figure
is the median of the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from limits import parse, storage, strategies
from limits.aio import storage as aio_storage
from limits.aio import strategies as aio_strategies

from lexigram.ratelimit import MemoryBackend, Rate, RateLimiter
from lexigram.ratelimit.redis import RedisBackend

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "ratelimit.json"
MEMORY_KEYS = [f"user:{i}" for i in range(10_000)]
REDIS_KEYS = [f"user:{i}" for i in range(1_000)]

# (lexigram algorithm, limits strategy) pairs compared one to one
PEERS = {
    "fixed_window": "fixed",
    "sliding_log": "moving",
    "sliding_window": "sliding counter",
    "gcra": "fixed",  # limits has no GCRA: compared with its cheapest strategy
}
SYNC_STRATEGIES = {
    "fixed": strategies.FixedWindowRateLimiter,
    "moving": strategies.MovingWindowRateLimiter,
    "sliding counter": strategies.SlidingWindowCounterRateLimiter,
}
AIO_STRATEGIES = {
    "fixed": aio_strategies.FixedWindowRateLimiter,
    "moving": aio_strategies.MovingWindowRateLimiter,
    "sliding counter": aio_strategies.SlidingWindowCounterRateLimiter,
}


def _order(names: list[str], round_: int) -> list[str]:
    """Contenders in turn, the order reversed every other round (no seat is favoured)."""
    return names if round_ % 2 == 0 else names[::-1]


# -- memory ------------------------------------------------------------------------------------
def _run_coroutine(coro: Coroutine[Any, Any, Any]) -> Any:
    """Drive a coroutine that never suspends (the memory backend never awaits I/O)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("the check suspended")


def memory_contenders() -> dict[str, Callable[[str], object]]:
    item = parse("100/minute")
    contenders: dict[str, Callable[[str], object]] = {}
    for name, cls in SYNC_STRATEGIES.items():
        limiter = cls(storage.MemoryStorage())
        contenders[f"limits {name}"] = lambda key, limiter=limiter: limiter.hit(item, key)
    rate = Rate.parse("100/minute")
    for algorithm in PEERS:
        contenders[f"lexigram {algorithm}"] = MemoryBackend().bind(rate, algorithm).hit_sync  # type: ignore[arg-type]
    policy = RateLimiter(algorithm="fixed_window").policy(rate)
    contenders["lexigram fixed_window (await policy.hit)"] = lambda key: _run_coroutine(
        policy.hit(key)
    )
    return contenders


def time_memory(check: Callable[[str], object], loops: int, offset: int) -> float:
    keys = MEMORY_KEYS
    count = len(keys)
    started = time.perf_counter_ns()
    for index in range(offset, offset + loops):
        check(keys[index % count])
    return (time.perf_counter_ns() - started) / loops


def bench_memory(rounds: int, loops: int) -> dict[str, float]:
    contenders = memory_contenders()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(rounds):
        for name in _order(list(contenders), round_):
            samples[name].append(time_memory(contenders[name], loops, round_ * loops))
    return {name: statistics.median(values) for name, values in samples.items()}


# -- redis -------------------------------------------------------------------------------------
class RedisServer:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit(
                "redis-server is needed for the Redis benchmark (apt-get install redis-server)"
            )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self._pings():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def _pings(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._log.close()


Check = Callable[[str], Awaitable[object]]


async def redis_contenders(port: int) -> tuple[dict[str, Check], list[Any]]:
    item = parse("1000/minute")
    contenders: dict[str, Check] = {}
    closers: list[Any] = []
    for implementation in ("coredis", "redispy"):
        for name, cls in AIO_STRATEGIES.items():
            store = aio_storage.RedisStorage(
                f"async+redis://127.0.0.1:{port}",
                implementation=implementation,
                key_prefix=f"LIMITS-{implementation}-{name.replace(' ', '-')}",
            )
            limiter = cls(store)
            contenders[f"limits {name} ({implementation})"] = lambda key, limiter=limiter: (
                limiter.hit(item, key)
            )
    for algorithm in PEERS:
        ours = RateLimiter(
            RedisBackend(url=f"redis://127.0.0.1:{port}/0", key_prefix=f"bench:{algorithm}:"),
            algorithm=algorithm,  # type: ignore[arg-type]
            on_backend_error="closed",
        )
        closers.append(ours)
        contenders[f"lexigram {algorithm}"] = ours.policy("1000/minute").hit
    return contenders, closers


async def time_sequential(check: Check, loops: int, offset: int) -> float:
    keys = REDIS_KEYS
    count = len(keys)
    started = time.perf_counter_ns()
    for index in range(offset, offset + loops):
        await check(keys[index % count])
    return (time.perf_counter_ns() - started) / loops


async def time_concurrent(check: Check, loops: int, offset: int, width: int = 32) -> float:
    keys = REDIS_KEYS
    count = len(keys)
    started = time.perf_counter_ns()
    for base in range(offset, offset + loops, width):
        await asyncio.gather(*(check(keys[(base + j) % count]) for j in range(width)))
    return (time.perf_counter_ns() - started) / loops


async def command_calls(client: aioredis.Redis) -> dict[str, int]:
    stats: dict[str, Any] = await client.info("commandstats")
    return {name: value["calls"] for name, value in stats.items()}


async def round_trips(port: int, check: Check, checks: int) -> tuple[float, dict[str, int]]:
    """Client commands per check: script calls counted by the server (INFO excluded)."""
    stats = aioredis.Redis(port=port)
    await check("round-trip-warm-up")
    before = await command_calls(stats)
    for index in range(checks):
        await check(f"round-trip-{index % 7}")
    after = await command_calls(stats)
    await stats.aclose()
    delta = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
    delta.pop("cmdstat_info", None)
    scripts = delta.get("cmdstat_evalsha", 0) + delta.get("cmdstat_eval", 0)
    return scripts / checks, delta


async def bench_redis(rounds: int, loops: int) -> dict[str, Any]:
    server = RedisServer()
    try:
        contenders, closers = await redis_contenders(server.port)
        for check in contenders.values():  # connect and load the scripts
            for key in REDIS_KEYS[:50]:
                await check(key)
        sequential: dict[str, list[float]] = {name: [] for name in contenders}
        concurrent: dict[str, list[float]] = {name: [] for name in contenders}
        for round_ in range(rounds):
            for name in _order(list(contenders), round_):
                check = contenders[name]
                sequential[name].append(await time_sequential(check, loops, round_ * loops))
                concurrent[name].append(await time_concurrent(check, loops, round_ * loops))
        trips: dict[str, Any] = {}
        for name, check in contenders.items():
            per_check, delta = await round_trips(server.port, check, 200)
            trips[name] = {"script_calls_per_check": per_check, "commands": delta}
        for limiter in closers:
            await limiter.aclose()
        return {
            "sequential_ns": {n: statistics.median(v) for n, v in sequential.items()},
            "concurrent_ns": {n: statistics.median(v) for n, v in concurrent.items()},
            "round_trips": trips,
        }
    finally:
        server.stop()


# -- report ------------------------------------------------------------------------------------
def print_memory(results: dict[str, float]) -> dict[str, float]:
    print("\nMemory: one check (ns, median; 'ratio' = limits peer time / ours)")
    print(f"{'contender':44} {'ns/check':>10} {'ratio':>8}")
    ratios: dict[str, float] = {}
    for name, ns in results.items():
        ratio = ""
        if name.startswith("lexigram"):
            algorithm = name.split()[1]
            peer = results[f"limits {PEERS[algorithm]}"]
            ratios[name] = peer / ns
            ratio = f"{peer / ns:7.2f}x"
        print(f"{name:44} {ns:10.0f} {ratio:>8}")
    return ratios


def print_redis(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    ratios: dict[str, dict[str, float]] = {}
    for mode in ("sequential_ns", "concurrent_ns"):
        table = results[mode]
        label = "one at a time" if mode == "sequential_ns" else "32 concurrent"
        print(f"\nRedis, {label}: checks/s (median; 'ratio' = ours / limits peer)")
        print(f"{'contender':40} {'checks/s':>10} {'vs coredis':>11} {'vs redispy':>11}")
        ratios[mode] = {}
        for name, ns in table.items():
            cells = ""
            if name.startswith("lexigram"):
                algorithm = name.split()[1]
                peer = PEERS[algorithm]
                for implementation in ("coredis", "redispy"):
                    ratio = table[f"limits {peer} ({implementation})"] / ns
                    ratios[mode][f"{name} vs {implementation}"] = ratio
                    cells += f" {ratio:10.2f}x"
            print(f"{name:40} {1e9 / ns:10.0f}{cells}")
    print("\nRound trips per check (EVALSHA + EVAL calls per check, from INFO commandstats):")
    for name, trip in results["round_trips"].items():
        if name.startswith("lexigram"):
            sent = sorted(set(trip["commands"]) & {"cmdstat_evalsha", "cmdstat_eval"})
            print(f"  {name:38} {trip['script_calls_per_check']:.2f}  ({', '.join(sent)})")
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (under 20 s)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    memory = bench_memory(rounds, 5_000 if args.quick else 30_000)
    memory_ratios = print_memory(memory)
    redis_results = asyncio.run(bench_redis(rounds, 256 if args.quick else 1_024))
    redis_ratios = print_redis(redis_results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "quick": args.quick,
                "rounds": rounds,
                "memory_ns": memory,
                "memory_ratio_vs_limits": memory_ratios,
                "redis": redis_results,
                "redis_ratio_vs_limits": redis_ratios,
            },
            indent=2,
        )
    )
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
