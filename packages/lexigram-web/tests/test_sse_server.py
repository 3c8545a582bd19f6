"""An ``@sse`` route served by uvicorn on a real socket, read with httpx streaming."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from _servers import free_port, running, uvicorn_command

pytestmark = pytest.mark.extra("uvicorn")
TIMEOUT = 5.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("sse-server") / "server.log"
    with running(uvicorn_command("realtime_fixture_app:app", port), port, log) as host:
        yield f"http://{host}"


@contextmanager
def _stream(url: str, headers: dict[str, str] | None = None) -> Iterator[httpx.Response]:
    """GET an event stream, retrying while the cap is still held by streams whose
    disconnect the server has not processed yet (bounded by ``TIMEOUT``)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        with httpx.stream("GET", url, headers=headers, timeout=TIMEOUT) as response:
            if response.status_code != 503 or time.monotonic() > deadline:
                yield response
                return
        time.sleep(0.02)


def _read_events(response: httpx.Response, count: int) -> list[str]:
    """The first ``count`` events (blocks separated by a blank line), heartbeats included."""
    events: list[str] = []
    lines: list[str] = []
    for line in response.iter_lines():
        if line:
            lines.append(line)
            continue
        events.append("\n".join(lines))
        lines = []
        if len(events) == count:
            break
    return events


def _stats(server: str) -> dict[str, int]:
    stats: dict[str, int] = httpx.get(f"{server}/stats", timeout=TIMEOUT).json()
    return stats


def _wait_for_streams_closed(server: str, closed: int) -> dict[str, int]:
    deadline = time.monotonic() + TIMEOUT
    stats = _stats(server)
    while (stats["open_streams"] or stats["closed_streams"] < closed) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.02)
        stats = _stats(server)
    return stats


def test_events_stream_then_a_disconnect_closes_the_generator(server: str) -> None:
    before = _stats(server)["closed_streams"]
    with _stream(f"{server}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [e for e in _read_events(response, 5) if not e.startswith(":")]
        assert events[:2] == [
            'id: 1\nevent: count\ndata: {"n":1}',
            'id: 2\nevent: count\ndata: {"n":2}',
        ]
    stats = _wait_for_streams_closed(server, before + 1)
    assert stats["open_streams"] == 0
    assert stats["closed_streams"] == before + 1


def test_last_event_id_resumes_the_stream(server: str) -> None:
    headers = {"Last-Event-ID": "41"}
    with _stream(f"{server}/events", headers) as response:
        first = next(e for e in _read_events(response, 2) if not e.startswith(":"))
    assert first == 'id: 42\nevent: count\ndata: {"n":42}'


def test_heartbeat_comments_keep_an_idle_stream_alive(server: str) -> None:
    with _stream(f"{server}/events") as response:
        events = _read_events(response, 6)
    assert ": ping" in events


def test_the_connection_cap_answers_503_and_frees_the_slot(server: str) -> None:
    url = f"{server}/events"
    with _stream(url) as one, _stream(url) as two:
        # the slot is taken before the headers go out: two 200s hold both slots
        assert (one.status_code, two.status_code) == (200, 200)
        with httpx.stream("GET", url, timeout=TIMEOUT) as third:
            status = third.status_code
            problem = third.read() if status == 503 else b""
    assert status == 503
    assert third.headers["content-type"] == "application/problem+json"
    assert b"already has its 2 open connections" in problem
    with _stream(url) as again:
        assert again.status_code == 200
