"""lexigram-cqrs on Redis Streams against a plain redis-py loop doing the same work.

Run: ``python bench/micro/bench_streams.py [--quick]``; starts its own redis-server on a free
loopback port (``redis-server`` must be installed). Contenders are interleaved in rounds; each
figure is a median, by wall clock (events per second) and by CPU time of this, the client,
process (events per CPU second: the client side is what differs between the two, redis-server
does the same work for both, and CPU time is far less disturbed by other load on the machine).

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
Rates = tuple[float, float]  # events per second by wall clock, per CPU second of this process


def _start() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _rates(clocks: tuple[float, float], count: int) -> Rates:
    wall, cpu = clocks
    return count / (time.perf_counter() - wall), count / (time.process_time() - cpu)


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
async def publish_ours(client: aioredis.Redis, stream: str, count: int) -> Rates:
    bus = EventBus(HandlerRegistry(), transport=RedisStreamTransport(client, stream=stream))
    clocks = _start()
    for n in range(count):
        await bus.publish(Tick(n, "TEA"))
    return _rates(clocks, count)


async def publish_plain(client: aioredis.Redis, stream: str, count: int) -> Rates:
    clocks = _start()
    for n in range(count):
        data = json.dumps({"n": n, "sku": "TEA"})
        await client.xadd(stream, {"name": "bench.tick", "data": data}, maxlen=100_000)
    return _rates(clocks, count)


# -- consume ------------------------------------------------------------------------------------
async def consume_ours(client: aioredis.Redis, stream: str, count: int, consumers: int) -> Rates:
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
    await client.xgroup_create(stream, "g", id="0", mkstream=True)  # as the plain loop does
    stop = asyncio.Event()
    clocks = _start()
    tasks = [
        asyncio.create_task(transport.consume(bus.receive, group="g", consumer=f"c{i}", stop=stop))
        for i in range(consumers)
    ]
    await done.wait()
    rates = _rates(clocks, count)
    stop.set()
    await asyncio.gather(*tasks)
    return rates


async def consume_plain(client: aioredis.Redis, stream: str, count: int, consumers: int) -> Rates:
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

    clocks = _start()
    tasks = [asyncio.create_task(loop(f"c{i}")) for i in range(consumers)]
    await done.wait()
    rates = _rates(clocks, count)
    await asyncio.gather(*tasks)
    return rates


Case = Callable[[aioredis.Redis, str, int], Awaitable[Rates]]


def cases() -> dict[str, tuple[Case, bool]]:
    """name -> (run, whether the stream is filled with ``count`` events first)."""

    def consuming(run: Callable[..., Awaitable[Rates]], consumers: int) -> Case:
        return lambda client, stream, count: run(client, stream, count, consumers)

    return {
        "publish, lexigram": (publish_ours, False),
        "publish, plain redis-py": (publish_plain, False),
        "consume 1 consumer, lexigram": (consuming(consume_ours, 1), True),
        "consume 1 consumer, plain redis-py": (consuming(consume_plain, 1), True),
        "consume 2 consumers, lexigram": (consuming(consume_ours, 2), True),
        "consume 2 consumers, plain redis-py": (consuming(consume_plain, 2), True),
    }


async def run(url: str, count: int, rounds: int) -> dict[str, Rates]:
    # One client for both sides, its commands bounded by socket timeouts (as in production:
    # a command to a Redis that stalls must not hang), so both pay the same for the bound.
    client = aioredis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0)
    filler = EventBus(HandlerRegistry(), transport=RedisStreamTransport(client, stream="fill"))
    samples: dict[str, list[Rates]] = {name: [] for name in cases()}
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
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in samples.items()
    }


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
    print(f"{'scenario':38} {'events/s':>9} {'ratio':>6} {'events/CPU s':>13} {'ratio':>6}")
    for name, (wall, cpu) in medians.items():
        plain_wall, plain_cpu = medians[name.replace("lexigram", "plain redis-py")]
        rows.append({"scenario": name, "events_per_second": wall,
                     "ratio_wall": wall / plain_wall, "events_per_cpu_second": cpu,
                     "ratio_cpu": cpu / plain_cpu})  # fmt: skip
        print(
            f"{name:38} {wall:9.0f} {wall / plain_wall:5.2f}x {cpu:13.0f} {cpu / plain_cpu:5.2f}x"
        )
    out = Path(__file__).resolve().parent.parent / "results"
    out.mkdir(exist_ok=True)
    (out / "streams.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
