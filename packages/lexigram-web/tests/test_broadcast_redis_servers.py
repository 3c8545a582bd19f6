"""Broadcast between OS processes through a real redis-server: a bare broadcaster in a child
process, and two uvicorn servers whose WebSocket connections and event streams receive what
the other server publishes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _redis import RedisServer, serve_redis
from _servers import first_answer, free_port, stop, uvicorn_command
from websockets.sync.client import connect

pytestmark = [pytest.mark.extra("redis"), pytest.mark.extra("uvicorn")]
TESTS_DIR = Path(__file__).parent
TIMEOUT = 10.0

SUBSCRIBER = """
import asyncio, sys
from lexigram.web.redis import RedisBroadcaster

async def main() -> None:
    broadcaster = RedisBroadcaster(sys.argv[1])
    async with broadcaster.subscribe("handoff") as messages:
        print("subscribed", flush=True)
        async with asyncio.timeout(30):
            async for message in messages:
                print(message.decode(), flush=True)
                break
    await broadcaster.aclose()

asyncio.run(main())
"""


def test_a_message_published_in_one_process_is_received_in_another(
    redis_server: RedisServer,
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", SUBSCRIBER, redis_server.url], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == "subscribed\n"
            assert asyncio.run(_publish(redis_server.url, "handoff", f"from {os.getpid()}")) == 1
            assert child.stdout.readline() == f"from {os.getpid()}\n"
            assert child.wait(timeout=TIMEOUT) == 0
        finally:
            if child.poll() is None:
                child.kill()


async def _publish(url: str, channel: str, text: str) -> int:
    from lexigram.web.redis import RedisBroadcaster

    publisher = RedisBroadcaster(url)
    try:
        return await publisher.publish(channel, text.encode())
    finally:
        await publisher.aclose()


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[RedisServer]:
    yield from serve_redis()


@pytest.fixture(scope="module")
def two_hosts(
    shared_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """Two uvicorn processes serving ``broadcast_fixture_app`` on one Redis."""
    redis_server = shared_redis
    tmp_path = tmp_path_factory.mktemp("two-hosts")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    env.update(
        LEXIGRAM_WEB__BROADCAST__BACKEND="redis", LEXIGRAM_WEB__BROADCAST__URL=redis_server.url
    )
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    hosts: list[str] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path / f"{name}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    uvicorn_command("broadcast_fixture_app:app", port),
                    cwd=TESTS_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
                )  # fmt: skip
            started.append((process, log))
            first_answer(process, port, log)
            hosts.append(f"127.0.0.1:{port}")
        yield hosts[0], hosts[1]
    finally:
        for process, log in started:
            stop(process, log)


def test_a_websocket_broadcast_on_one_host_reaches_the_sockets_of_the_other(
    two_hosts: tuple[str, str],
) -> None:
    a, b = two_hosts
    with (
        connect(f"ws://{a}/room", open_timeout=TIMEOUT) as on_a,
        connect(f"ws://{b}/room", open_timeout=TIMEOUT) as on_b,
    ):
        pid_a = json.loads(on_a.recv(timeout=TIMEOUT))["host"]
        pid_b = json.loads(on_b.recv(timeout=TIMEOUT))["host"]
        assert pid_a != pid_b
        on_a.send(json.dumps("from a's socket"))
        assert on_b.recv(timeout=TIMEOUT) == "from a's socket"
        assert on_a.recv(timeout=TIMEOUT) == "from a's socket"
        answered = httpx.post(f"http://{b}/say", params={"text": "from b's route"}, timeout=TIMEOUT)
        assert answered.json() == 2  # both processes hold a connection of the route
        assert json.loads(on_a.recv(timeout=TIMEOUT)) == {"said": "from b's route"}
        assert json.loads(on_b.recv(timeout=TIMEOUT)) == {"said": "from b's route"}


def test_an_event_stream_on_one_host_follows_what_the_other_publishes(
    two_hosts: tuple[str, str],
) -> None:
    a, b = two_hosts
    with (
        httpx.Client(timeout=TIMEOUT) as client,
        client.stream("GET", f"http://{b}/follow") as stream,
    ):
        lines = stream.iter_lines()
        assert [next(lines), next(lines)] == [": following", ""]
        published = httpx.post(f"http://{a}/news", params={"text": "hello"}, timeout=TIMEOUT)
        assert published.json() == 1  # b's process is the one subscribed
        assert [next(lines), next(lines)] == ["event: news", "data: hello"]
