"""``lexigram run`` as ``fastapi dev`` / ``litestar run`` users expect it, on real servers:
``--factory``, ``--root-path``, ``--forwarded-allow-ips``, a busy port refused, ``--reload``
watching only the app's sources and ``application*.yaml``."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from _servers import START_DEADLINE, first_answer, free_port, stop

TESTS_DIR = Path(__file__).parent
LEXIGRAM = Path(sys.executable).parent / "lexigram"
SERVERS = [
    pytest.param("uvicorn", marks=pytest.mark.extra("uvicorn")),
    pytest.param("granian", marks=pytest.mark.extra("granian")),
]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}


@contextmanager
def lexigram_run(
    arguments: list[str], port: int, log: Path, cwd: Path = TESTS_DIR, probe: str = "/health/live"
) -> Iterator[subprocess.Popen[bytes]]:
    command = [str(LEXIGRAM), "run", *arguments, "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=clean_env(), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        first_answer(process, port, log, probe)
        yield process
    finally:
        stop(process, log)


@pytest.mark.parametrize("server", SERVERS)
def test_a_factory_behind_a_proxy_under_a_prefix(server: str, tmp_path: Path) -> None:
    port = free_port()
    arguments = [
        "factory_fixture_app:create_app", "--factory", "--server", server,
        "--root-path", "/api", "--forwarded-allow-ips", "127.0.0.1",
    ]  # fmt: skip
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    url = f"http://127.0.0.1:{port}/whoami"
    with lexigram_run(arguments, port, tmp_path / "server.log"):
        from_proxy = httpx.get(url, headers=forwarded).json()
        other_peer = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(transport=other_peer) as client:
            from_elsewhere = client.get(url, headers=forwarded).json()
    assert from_proxy == {
        "client": "203.0.113.7", "scheme": "https", "root_path": "/api", "created": 1,
    }  # fmt: skip
    assert (from_elsewhere["client"], from_elsewhere["scheme"]) == ("127.0.0.2", "http")


@pytest.mark.parametrize("server", SERVERS)
def test_a_busy_port_is_refused_with_a_clear_message(server: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(LEXIGRAM), "run", "server_fixture_app:app", "--server", server, "--port",
             str(port)],
            cwd=TESTS_DIR, env=clean_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"lexigram: error: port {port} on 127.0.0.1 is already in use by another process; "
        "stop it or choose another port (--port, or port in application.yaml)\n"
    )


def write_project(root: Path) -> None:
    """A project whose app writes a log and a database next to its code."""
    package = root / "shop"
    (package / "var").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text(
        "import os\n"
        "from lexigram.web import LexigramApp\n"
        "app = LexigramApp()\n"
        "@app.get('/pid')\n"
        "async def pid() -> int:\n"
        "    return os.getpid()\n"
    )
    (package / "application.yaml").write_text("web: {}\n")


def serving_pid(port: int) -> int | None:
    try:
        pid: int = httpx.get(f"http://127.0.0.1:{port}/pid", timeout=2.0).json()
    except (httpx.TransportError, ValueError):
        return None
    return pid


def wait_for(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{log.read_text()}")
        time.sleep(0.1)


RELOADS = {"granian": r"Changes detected, reloading", "uvicorn": r"Reloading\.\.\."}


@pytest.mark.extra("yaml")
@pytest.mark.parametrize("server", SERVERS)
def test_reload_restarts_on_sources_and_configuration_only(server: str, tmp_path: Path) -> None:
    write_project(tmp_path)
    port = free_port()
    log = tmp_path / "server.log"
    arguments = ["shop.main:app", "--reload", "--server", server]
    with lexigram_run(arguments, port, log, cwd=tmp_path, probe="/pid"):
        first = serving_pid(port)
        for n in range(20):  # what a running app writes: none of it restarts the server
            with (tmp_path / "shop" / "app.log").open("a") as app_log:
                app_log.write(f"line {n}\n")
            (tmp_path / "shop" / "var" / "orders.sqlite3").write_bytes(b"x" * n)
            (tmp_path / "server.sqlite3").write_bytes(b"y" * n)
        source = tmp_path / "shop" / "main.py"
        source.write_text(source.read_text() + "# changed\n")
        wait_for(lambda: serving_pid(port) not in (None, first), "a restart after main.py", log)
        second = serving_pid(port)
        config = tmp_path / "shop" / "application.yaml"
        config.write_text("web: {debug: false}\n")
        wait_for(lambda: serving_pid(port) not in (None, second), "a restart after yaml", log)
        printed = log.read_text()
    assert len(re.findall(RELOADS[server], printed)) == 2, printed
    assert "app.log" not in printed
    assert "sqlite3" not in printed
