"""``run_server`` and ``lexigram run`` serving a real socket in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from _servers import first_answer, free_port, stop
from starlette.types import Receive, Scope, Send

from lexigram.web._serve._port import PortInUseError, check_port_free
from lexigram.web._serve.server import run_server

TESTS_DIR = Path(__file__).parent
LEXIGRAM = Path(sys.executable).parent / "lexigram"
SERVERS = [
    pytest.param("uvicorn", marks=pytest.mark.extra("uvicorn")),
    pytest.param("granian", marks=pytest.mark.extra("granian")),
]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Never served: the option checks refuse before any server starts."""
    raise AssertionError("not reached")


def serve_and_get(command: list[str], port: int, workdir: Path) -> httpx.Response:
    """Start ``command``, GET /ping once it listens, then stop it with SIGTERM and check
    that it shut down gracefully (the application's lifespan shutdown ran)."""
    log = workdir / "server.log"
    marker = workdir / "stopped"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    env["FIXTURE_SHUTDOWN_MARKER"] = str(marker)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=TESTS_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        response = first_answer(process, port, log)
    finally:
        stop(process, log)
    # Exit status 0 or "terminated by SIGTERM" (servers re-raise the signal after a clean stop).
    assert process.returncode in (0, -signal.SIGTERM), log.read_text()
    assert marker.read_text() == "stopped", log.read_text()
    return response


@pytest.mark.parametrize("server", SERVERS)
def test_lexigram_run_serves_the_app_over_a_socket(server: str, tmp_path: Path) -> None:
    port = free_port()
    command = [str(LEXIGRAM), "run", "server_fixture_app:app", "--port", str(port)]
    response = serve_and_get([*command, "--server", server], port, tmp_path)
    assert response.status_code == 200
    assert response.text == "hello from /ping"


@pytest.mark.parametrize("server", SERVERS)
def test_run_server_serves_an_application_object(server: str, tmp_path: Path) -> None:
    port = free_port()
    script = (
        "from lexigram.web._serve.server import run_server\n"
        "from server_fixture_app import app\n"
        f"run_server(app, port={port}, server={server!r}, log_level='warning')\n"
    )
    response = serve_and_get([sys.executable, "-c", script], port, tmp_path)
    assert response.text == "hello from /ping"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 2}, "workers=2 starts new processes .* import string"),
        ({"reload": True}, "reload starts new processes .* import string"),
        ({"port": 0}, "port must be between 1 and 65535"),
        ({"workers": 0}, "workers must be at least 1"),
        ({"server": "hypercorn"}, "server must be 'granian' or 'uvicorn'"),
        ({"log_level": "loud"}, "log_level must be one of"),
        ({"graceful_timeout": 0}, "graceful_timeout must be a positive number of seconds"),
        ({"graceful_timeout": float("inf")}, "graceful_timeout must be a positive number"),
    ],
)
def test_options_the_server_cannot_honour_are_refused(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        run_server(app, **options)  # type: ignore[arg-type]


def test_a_malformed_import_string_is_refused() -> None:
    with pytest.raises(ValueError, match="not an import string"):
        run_server("server_fixture_app", workers=2)


@pytest.mark.extra("granian")
def test_reloading_with_granian_without_watchfiles_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles", None)
    with pytest.raises(ImportError, match=r'pip install "granian\[reload\]"'):
        run_server("server_fixture_app:app", reload=True, server="granian")


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_a_missing_server_names_the_extra_to_install(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, server, None)
    with pytest.raises(ImportError, match=rf'pip install "lexigram-web\[{server}\]"'):
        run_server(app, server=server)  # type: ignore[arg-type]


def test_a_port_in_use_is_refused_before_any_server_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError) as caught:
            check_port_free("127.0.0.1", port)
    assert str(caught.value) == (
        f"port {port} on 127.0.0.1 is already in use by another process; stop it or choose "
        "another port (--port, or port in application.yaml)"
    )
    check_port_free("127.0.0.1", port)  # free again once the listener is gone


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"header_timeout": 61}, "header_timeout must be at most 60 seconds"),
        ({"keep_alive_timeout": 0}, "keep_alive_timeout must be a positive number of seconds"),
        ({"max_connections": 0}, "max_connections must be at least 1"),
        ({"backlog": 0}, "backlog must be at least 1"),
        ({"root_path": "api/"}, "root_path must start with '/' and not end with '/'"),
        ({"forwarded_allow_ips": ["my-proxy"]}, "'my-proxy' is not an IP address or network"),
    ],
)
def test_limits_no_server_can_use_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_server(app, **options)  # type: ignore[arg-type]


def test_a_backlog_granian_would_raise_silently_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[str, int]] = []
    for server in ("granian", "uvicorn"):
        monkeypatch.setattr(
            f"lexigram.web._serve._{server}.run_{server}",
            lambda _app, options, _before, name=server: served.append((name, options.backlog)),
        )
    # granian queues at least 128 connections whatever it is given
    with pytest.raises(ValueError, match="backlog must be at least 128 with granian, got 64"):
        run_server(app, server="granian", backlog=64)
    run_server(app, server="uvicorn", backlog=64)  # uvicorn listens with the backlog given
    run_server(app, server="granian", backlog=128)
    assert served == [("uvicorn", 64), ("granian", 128)]
