"""lexigram-web's broadcasters: latency between two processes over Redis, messages per second.

Run: ``python bench/micro/bench_broadcast.py [--quick]`` with ``redis-server`` on the PATH (the
script starts its own on a free loopback port).

- Latency (not in ``--quick``): a child process subscribes; this process publishes one
  message every 2 ms, each carrying its ``CLOCK_MONOTONIC`` send time (one clock for every
  process of the machine); the child records receive time minus send time. p50 / p99 in
  microseconds, for ``RedisBroadcaster`` and for a hand-written redis-py ``PubSub`` reader
  (the baseline: what the broadcaster adds is its reader task and the subscriber's queue).
- Throughput: messages per second from one publishing task (``gather`` of 64 publishes at a
  time) to one subscriber of the same broadcaster, through ``MemoryBroadcaster`` and through
  ``RedisBroadcaster`` (publish, Redis, the reader, the queue, the subscriber), against the
  redis-py baseline (the same publishes, one ``PubSub`` reading them).

"ratio" is ours over the baseline (latency: baseline / ours, so above 1.00x is better).
``--quick`` measures the throughput only, in one short round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from lexigram.web import MemoryBroadcaster
from lexigram.web.redis import RedisBroadcaster

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "broadcast.json"
BATCH = 64

CHILD = """
import asyncio, json, sys, time
import redis.asyncio as aioredis
from lexigram.web.redis import RedisBroadcaster

async def ours(url: str, count: int) -> list[int]:
    broadcaster = RedisBroadcaster(url, channel_prefix="")  # the same channel as the baseline
    lags = []
    async with broadcaster.subscribe("lat") as messages:
        print("ready", flush=True)
        async for message in messages:
            if message == b"warmup":
                if not warm:
                    warm.append(1)
                    print("warm", flush=True)
                continue
            lags.append(time.monotonic_ns() - int(message))
            if len(lags) == count:
                break
    await broadcaster.aclose()
    return lags

async def baseline(url: str, count: int) -> list[int]:
    client = aioredis.Redis.from_url(url)
    pubsub = client.pubsub()
    await pubsub.subscribe("lat")
    await pubsub.get_message(timeout=5.0)  # the subscribe confirmation
    print("ready", flush=True)
    lags = []
    while len(lags) < count:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
        if message is None:
            continue
        if message["data"] == b"warmup":
            if not warm:
                warm.append(1)
                print("warm", flush=True)
            continue
        lags.append(time.monotonic_ns() - int(message["data"]))
    await pubsub.aclose()
    await client.aclose()
    return lags

warm = []
kind, url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
lags = asyncio.run((ours if kind == "ours" else baseline)(url, count))
print(json.dumps(lags), flush=True)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_redis() -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is required: apt-get install redis-server")
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="bench-broadcast-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", folder],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise SystemExit("redis-server did not start")


async def _latency(kind: str, url: str, count: int) -> list[int]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, kind, url, str(count), stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    assert (await child.stdout.readline()).strip() == b"ready"
    publisher = aioredis.Redis.from_url(url)
    warm = asyncio.ensure_future(child.stdout.readline())
    while not warm.done():  # until the child hears us (its subscription is in place)
        await publisher.publish("lat", b"warmup")
        await asyncio.wait((warm,), timeout=0.01)
    assert warm.result().strip() == b"warm"
    for _ in range(count):
        await publisher.publish("lat", str(time.monotonic_ns()).encode())
        await asyncio.sleep(0.002)
    lags: list[int] = json.loads(await child.stdout.readline())
    await child.wait()
    await publisher.aclose()
    return lags


async def _heard(broadcaster: Any, messages: Any) -> None:
    """Publish until the subscriber hears one (its subscription is in place)."""
    while True:
        await broadcaster.publish("tp", b"warmup")
        try:
            async with asyncio.timeout(0.05):
                await anext(aiter(messages))
                return
        except TimeoutError:
            continue


async def _throughput_ours(broadcaster: Any, count: int) -> float:
    async with broadcaster.subscribe("tp") as messages:
        await _heard(broadcaster, messages)
        received = 0

        async def consume() -> None:
            nonlocal received
            async for _ in messages:
                received += 1
                if received == count:
                    return

        consumer = asyncio.create_task(consume())
        started = time.perf_counter()
        payload = b"x" * 64
        for _ in range(count // BATCH):
            await asyncio.gather(*(broadcaster.publish("tp", payload) for _ in range(BATCH)))
        await consumer
        return count / (time.perf_counter() - started)


async def _throughput_baseline(url: str, count: int) -> float:
    reader = aioredis.Redis.from_url(url)
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=4)  # as ours
    writer = aioredis.Redis(connection_pool=pool)
    pubsub = reader.pubsub()
    await pubsub.subscribe("tp")
    await pubsub.get_message(timeout=5.0)
    received = 0

    async def consume() -> None:
        nonlocal received
        while received < count:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
            if message is not None:
                received += 1

    consumer = asyncio.create_task(consume())
    started = time.perf_counter()
    payload = b"x" * 64
    for _ in range(count // BATCH):
        await asyncio.gather(*(writer.publish("tp", payload) for _ in range(BATCH)))
    await consumer
    rate = count / (time.perf_counter() - started)
    await pubsub.aclose()
    await reader.aclose()
    await writer.aclose()
    await pool.disconnect()
    return rate


async def _measure(url: str, rounds: int, latency_count: int, tp_count: int) -> dict[str, Any]:
    lags: dict[str, list[int]] = {"ours": [], "baseline": []}
    rates: dict[str, list[float]] = {"memory": [], "redis": [], "baseline": []}
    for round_ in range(rounds):
        kinds = ["ours", "baseline"] if round_ % 2 == 0 else ["baseline", "ours"]
        for kind in kinds if latency_count else []:
            lags[kind] += await _latency(kind, url, latency_count)
        memory = MemoryBroadcaster(queue_size=tp_count)
        rates["memory"].append(await _throughput_ours(memory, tp_count))
        redis = RedisBroadcaster(url, queue_size=tp_count)
        await redis.start()
        rates["redis"].append(await _throughput_ours(redis, tp_count))
        await redis.aclose()
        rates["baseline"].append(await _throughput_baseline(url, tp_count))
    return {
        "latency_us": {
            kind: {
                "p50": statistics.median(values) / 1000,
                "p99": statistics.quantiles(values, n=100)[98] / 1000,
            }
            for kind, values in lags.items()
            if values
        },
        "messages_per_s": {kind: statistics.median(values) for kind, values in rates.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="throughput only, one short round (no child process)"
    )
    args = parser.parse_args()
    rounds, latency_count, tp_count = (1, 0, 6_400) if args.quick else (3, 1_000, 32_000)
    process, url = _start_redis()
    try:
        results = asyncio.run(_measure(url, rounds, latency_count, tp_count))
    finally:
        process.kill()
        process.wait()
    lat = results["latency_us"]
    rate = results["messages_per_s"]
    if lat:
        print("Latency between two processes over Redis (µs; 'ratio' = baseline / ours)")
        for kind, label in (("ours", "RedisBroadcaster"), ("baseline", "redis-py PubSub")):
            ratio = f"{lat['baseline']['p50'] / lat[kind]['p50']:.2f}x"
            p50, p99 = lat[kind]["p50"], lat[kind]["p99"]
            print(f"  {label:32} p50 {p50:8.0f}  p99 {p99:8.0f}  {ratio}")
    print("\nMessages per second, one publisher to one subscriber ('ratio' = ours / baseline)")
    for kind, label in (("memory", "MemoryBroadcaster"), ("redis", "RedisBroadcaster"),
                        ("baseline", "redis-py PubSub")):  # fmt: skip
        print(f"  {label:32} {rate[kind]:10.0f}  {rate[kind] / rate['baseline']:.2f}x")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
