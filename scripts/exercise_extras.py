"""Exercise one extra of one package, inside a venv holding only ``package[extra]`` (run by
``nox -s release_check`` for every extra, from the local wheels). Standard library at the top:
what an extra brings is imported inside its check.

    python scripts/exercise_extras.py PACKAGE EXTRA

Each lexigram-web extra has a check that uses the feature the way an application does (the
server extras serve a real socket and complete a WebSocket handshake). For the other packages,
an extra named like a public submodule (``lexigram.ratelimit.redis``) must import without
asking for an install; an extra without either is only installed (the ``installed`` check).
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEADLINE = 60.0
SERVED_APP = """
from lexigram.web import LexigramApp, WebSocket

app = LexigramApp()


@app.get("/ping")
async def ping() -> str:
    return "pong"


@app.websocket("/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _websocket_echo(port: int, text: str) -> str:
    """A WebSocket handshake on /echo, one masked text frame out, the echoed frame back."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        head, _, rest = answer.partition(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0].decode()
        if " 101 " not in f"{status} ":
            raise AssertionError(f"the WebSocket handshake was answered {status!r}")
        payload, mask = text.encode(), os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
        while len(rest) < 2 or len(rest) < 2 + (rest[1] & 0x7F):
            rest += sock.recv(4096)
        return rest[2 : 2 + (rest[1] & 0x7F)].decode()


def serve_and_echo(server: str) -> None:
    """``lexigram run`` on ``server``: an HTTP answer and a WebSocket echo over a real socket."""
    folder = Path(tempfile.mkdtemp())
    (folder / "extra_check_app.py").write_text(SERVED_APP)
    port = _free_port()
    lexigram = Path(sys.executable).parent / "lexigram"
    command = [str(lexigram), "run", "extra_check_app:app", "--server", server, "--port",
               str(port), "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=folder)
    try:
        deadline = time.monotonic() + DEADLINE
        while True:
            if process.poll() is not None:
                raise AssertionError(f"lexigram run --server {server} exited: {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as answer:
                    body = answer.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{server} did not answer within {DEADLINE}s") from None
                time.sleep(0.1)
        if body != b'"pong"':
            raise AssertionError(f"GET /ping answered {body!r}")
        if _websocket_echo(port, "hello") != "hello":
            raise AssertionError("the WebSocket did not echo")
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE)


def asgi_get(app: Any, path: str, body: bytes = b"", headers: list[Any] | None = None) -> Any:
    """One request straight through the ASGI interface (started and stopped around it)."""

    async def call() -> tuple[int, bytes]:
        sent: list[dict[str, Any]] = []
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST" if body else "GET", "scheme": "http", "path": path,
            "raw_path": path.encode(), "root_path": "", "query_string": b"",
            "headers": [(b"content-length", str(len(body)).encode()), *(headers or [])],
            "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80),
        }  # fmt: skip

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async with app.lifespan():
            await app(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    return asyncio.run(call())


def _web() -> Any:
    """``lexigram.web`` (imported here: the lint environment running mypy has no packages)."""
    return importlib.import_module("lexigram.web")


def check_templates() -> None:
    folder = Path(tempfile.mkdtemp())
    (folder / "hello.html").write_text("<p>{{ name }}</p>")
    assert _web().Templates(folder).render("hello.html", {"name": "<b>"}) == "<p>&lt;b&gt;</p>"


def check_multipart() -> None:
    web = _web()
    app = web.LexigramApp()

    async def greet(name: str = web.form()) -> str:
        return f"hi {name}"

    app.post("/greet")(greet)
    body = b'--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nann\r\n--xyz--\r\n'
    content_type = (b"content-type", b"multipart/form-data; boundary=xyz")
    assert asgi_get(app, "/greet", body, [content_type]) == (200, b'"hi ann"')


def check_yaml() -> None:
    folder = Path(tempfile.mkdtemp())
    (folder / "application.yaml").write_text("web:\n  port: 9123\n")
    assert _web().load_web_config(folder, environ={}).port == 9123


def check_docs() -> None:
    status, page = asgi_get(_web().LexigramApp(), "/docs")
    assert status == 200 and b"swagger" in page.lower(), (status, page[:200])


def check_testing() -> None:
    testing: Any = importlib.import_module("lexigram.web.testing")
    app = _web().LexigramApp()

    async def ping() -> str:
        return "pong"

    app.get("/ping")(ping)
    with testing.TestClient(app) as client:
        assert client.get("/ping").json() == "pong"


def check_result() -> None:
    result: Any = importlib.import_module("lexigram.result")
    app = _web().LexigramApp()

    async def half(n: int) -> object:  # a Result, mapped to its status
        return result.Ok(n // 2) if n % 2 == 0 else result.Err("odd")

    app.get("/half/{n:int}")(half)
    assert asgi_get(app, "/half/4") == (200, b"2")


def check_redis() -> None:
    """The rate-limit backend and the broadcaster on Redis import; a broadcaster built from a
    ``broadcast`` section reports itself not connected before it starts."""
    importlib.import_module("lexigram.ratelimit.redis")
    redis: Any = importlib.import_module("lexigram.web.redis")
    config = _web().BroadcastConfig(backend="redis", url="redis://127.0.0.1:1/0")
    status = redis.RedisBroadcaster.from_config(config).status()
    assert status.backend == "redis" and not status.connected, status


WEB_CHECKS: dict[str, Callable[[], object]] = {
    "granian": lambda: serve_and_echo("granian"),
    "uvicorn": lambda: serve_and_echo("uvicorn"),
    "templates": check_templates,
    "multipart": check_multipart,
    "yaml": check_yaml,
    "docs": check_docs,
    "testing": check_testing,
    "result": check_result,
    "ratelimit": lambda: importlib.import_module("lexigram.ratelimit.di"),
    "redis": check_redis,
    "cqrs": lambda: importlib.import_module("lexigram.cqrs.di"),
    "otel": lambda: importlib.import_module("lexigram.web.otel"),
    "prometheus": lambda: importlib.import_module("lexigram.web.prometheus"),
}


def exercise(package: str, extra: str) -> str:
    """Run the check for ``package[extra]``; what was checked, in a few words."""
    if package == "lexigram-web":
        check = WEB_CHECKS.get(extra)
        if check is None:
            raise AssertionError(
                f"lexigram-web[{extra}] has no check: add one to WEB_CHECKS in {__file__}"
            )
        check()
        return f"lexigram-web[{extra}] works"
    submodule = f"lexigram.{package.removeprefix('lexigram-').replace('-', '_')}.{extra}"
    if importlib.util.find_spec(submodule) is not None:
        importlib.import_module(submodule)
        return f"{submodule} imports"
    return f"{package}[{extra}] installed (no submodule of that name)"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(exercise(*argv))
    except Exception as exc:
        print(f"{argv[0]}[{argv[1]}]: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
