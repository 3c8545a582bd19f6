"""lexigram-cqrs on Redis Streams against a plain redis-py loop doing the same work.

Run: ``python bench/micro/bench_streams.py [--quick]``; starts its own redis-server on a free
loopback port (``redis-server`` must be installed). Contenders are interleaved in rounds and
each figure is the median of events per CPU second of this (the client) process: the overhead
of the client side, which is what differs between the two (redis-server does the same work for
both), and far less disturbed by other load on the machine than wall time.

- publish: ``EventBus.publish(event)`` (JSON payload and metadata, ``XADD MAXLEN ~``) against
  ``client.xadd`` of the same JSON payload, one awaited call per event;
- consume, 1 and 2 consumers of one group (tasks on one event loop): ``transport.consume`` with
  ``EventBus.receive`` (decode, metadata, delivery, handler, ``XACK`` per batch) against a loop
  of ``XREADGROUP COUNT 32`` / ``json.loads`` / the handler / ``XACK`` of the batch.

Both use one client whose commands are bounded by socket timeouts. "ratio" is ours divided
by the plain loop (1.00x = no overhead; the target is >= 0.80x).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from lexigram.cqrs import Event, EventBus, HandlerRegistry, event_handler, integration_event
from lexigram.cqrs.redis import RedisStreamTransport

BATCH = 32


@integration_event("bench.tick")
@dataclasses.dataclass(frozen=True)
class Tick(Event):
    n: int
    sku: str


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is required: apt-get install redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir],
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


# -- publish ------------------------------------------------------------------------------------
async def publish_ours(client: aioredis.Redis, stream: str, count: int) -> float:
    bus = EventBus(HandlerRegistry(), transport=RedisStreamTransport(client, stream=stream))
    began = time.process_time()
    for n in range(count):
        await bus.publish(Tick(n, "TEA"))
    return count / (time.process_time() - began)


async def publish_plain(client: aioredis.Redis, stream: str, count: int) -> float:
    began = time.process_time()
    for n in range(count):
        data = json.dumps({"n": n, "sku": "TEA"})
        await client.xadd(stream, {"name": "bench.tick", "data": data}, maxlen=100_000)
    return count / (time.process_time() - began)


# -- consume ------------------------------------------------------------------------------------
async def consume_ours(client: aioredis.Redis, stream: str, count: int, consumers: int) -> float:
    done = asyncio.Event()
    handled = 0

    @event_handler(Tick)
    async def handle(event: Tick) -> None:
        nonlocal handled
        handled += 1
        if handled == count:
            done.set()

    transport = RedisStreamTransport(client, stream=stream, batch_size=BATCH, block=0.05)
    bus = EventBus(HandlerRegistry([handle]), transport=transport)
    stop = asyncio.Event()
    began = time.process_time()
    tasks = [
        asyncio.create_task(transport.consume(bus.receive, group="g", consumer=f"c{i}", stop=stop))
        for i in range(consumers)
    ]
    await done.wait()
    elapsed = time.process_time() - began
    stop.set()
    await asyncio.gather(*tasks)
    return count / elapsed


async def consume_plain(client: aioredis.Redis, stream: str, count: int, consumers: int) -> float:
    await client.xgroup_create(stream, "g", id="0", mkstream=True)
    done = asyncio.Event()
    handled = 0

    async def handle(event: Tick) -> None:
        nonlocal handled
        handled += 1
        if handled == count:
            done.set()

    async def loop(name: str) -> None:
        while not done.is_set():
            reply = await client.xreadgroup("g", name, {stream: ">"}, count=BATCH, block=50)
            if not reply:
                continue
            ids = []
            for entry_id, fields in reply[0][1]:
                await handle(Tick(**json.loads(fields[b"data"])))
                ids.append(entry_id)
            await client.xack(stream, "g", *ids)

    began = time.process_time()
    tasks = [asyncio.create_task(loop(f"c{i}")) for i in range(consumers)]
    await done.wait()
    elapsed = time.process_time() - began
    await asyncio.gather(*tasks)
    return count / elapsed


Case = Callable[[aioredis.Redis, str, int], Awaitable[float]]


def cases() -> dict[str, tuple[Case, bool]]:
    """name -> (run, whether the stream is filled with ``count`` events first)."""

    def consuming(run: Callable[..., Awaitable[float]], consumers: int) -> Case:
        return lambda client, stream, count: run(client, stream, count, consumers)

    return {
        "publish, lexigram": (publish_ours, False),
        "publish, plain redis-py": (publish_plain, False),
        "consume 1 consumer, lexigram": (consuming(consume_ours, 1), True),
        "consume 1 consumer, plain redis-py": (consuming(consume_plain, 1), True),
        "consume 2 consumers, lexigram": (consuming(consume_ours, 2), True),
        "consume 2 consumers, plain redis-py": (consuming(consume_plain, 2), True),
    }


async def run(url: str, count: int, rounds: int) -> dict[str, float]:
    # One client for both sides, its commands bounded by socket timeouts (as in production:
    # a command to a Redis that stalls must not hang), so both pay the same for the bound.
    client = aioredis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0)
    filler = EventBus(HandlerRegistry(), transport=RedisStreamTransport(client, stream="fill"))
    samples: dict[str, list[float]] = {name: [] for name in cases()}
    try:
        for _ in range(rounds):
            for name, (case, filled) in cases().items():
                stream = f"bench:{uuid.uuid4().hex[:8]}"
                if filled:
                    await _fill(client, filler, stream, count)
                samples[name].append(await case(client, stream, count))
                await client.delete(stream)
    finally:
        await client.aclose()
    return {name: statistics.median(values) for name, values in samples.items()}


async def _fill(client: aioredis.Redis, bus: EventBus, stream: str, count: int) -> None:
    transport: Any = bus.transport
    transport.stream = stream  # the filler writes where the case reads
    async with client.pipeline(transaction=False) as pipe:
        for n in range(count):
            envelope = bus.catalog.encode(Tick(n, "TEA"))
            pipe.xadd(stream, {"name": envelope.name, "data": envelope.data,
                               "id": envelope.message_id, "correlation": envelope.correlation_id,
                               "causation": "", "time": envelope.timestamp})  # fmt: skip
        await pipe.execute()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, rounds = (400, 3) if args.quick else (5_000, 7)
    process, url = start_redis()
    try:
        medians = asyncio.run(run(url, count, rounds))
    finally:
        process.kill()
        process.wait()
    rows = []
    print(f"{'scenario':38} {'events/CPU s':>12} {'ratio':>8}")
    for name, rate in medians.items():
        plain = medians[name.replace("lexigram", "plain redis-py")]
        ratio = rate / plain
        rows.append({"scenario": name, "events_per_cpu_second": rate, "ratio_to_plain": ratio})
        print(f"{name:38} {rate:12.0f} {rate / plain:7.2f}x")
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "streams.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
