"""A real ``redis-server`` on a free loopback port, which tests stop and start again."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from _servers import free_port


def _ask(port: int, command: bytes) -> bytes:
    """One command's reply: a status line, or the body of a bulk string."""
    with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
        sock.sendall(command)
        reader = sock.makefile("rb")
        line = reader.readline()
        if not line.startswith(b"$"):
            return line
        return reader.read(int(line[1:]) + 2)[:-2]


def _reply(reader: BinaryIO) -> object:
    """One RESP2 reply: bytes for a status or bulk string, an int, a list, or ``None``."""
    line = reader.readline()[:-2]
    kind, rest = line[:1], line[1:]
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if int(rest) < 0 else reader.read(int(rest) + 2)[:-2]
    if kind == b"*":
        return None if int(rest) < 0 else [_reply(reader) for _ in range(int(rest))]
    return rest


class RedisServer:
    """``start()`` spawns redis-server and waits for PING; ``stop()`` kills it (a fault);
    ``start()`` again serves the same port."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is required by these tests: apt-get install redis-server")
        self.binary = binary
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lexigram-web-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited with {self.process.returncode}")
            try:
                if _ask(self.port, b"PING\r\n").startswith(b"+PONG"):
                    return
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        pytest.fail(f"redis-server did not answer PING on port {self.port} within {timeout}s")

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open, nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
            process.wait(timeout=10)

    def command(self, *parts: str) -> object:
        """The reply to one command, sent on a connection of its own."""
        encoded = [part.encode() for part in parts]
        sent = b"*%d\r\n" % len(encoded) + b"".join(
            b"$%d\r\n%s\r\n" % (len(part), part) for part in encoded
        )
        with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
            sock.sendall(sent)
            return _reply(sock.makefile("rb"))

    def calls(self, command: str) -> int:
        """How many times the server ran ``command`` (``INFO commandstats``)."""
        stats = self.command("INFO", "commandstats")
        assert isinstance(stats, bytes)
        for line in stats.decode().splitlines():
            if line.startswith(f"cmdstat_{command.lower()}:"):
                return int(dict(f.split("=") for f in line.split(":", 1)[1].split(","))["calls"])
        return 0

    def client_names(self) -> list[str]:
        """The ``name`` of every client connection (``CLIENT LIST``), this query's excepted."""
        reply = _ask(self.port, b"CLIENT LIST\r\n").decode()
        names: list[str] = []
        for line in reply.splitlines():
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            if fields.get("cmd") != "client|list" and "name" in fields:
                names.append(fields["name"])
        return names


def serve_redis() -> Iterator[RedisServer]:
    """The body of the ``redis_server`` fixture (see ``conftest.py``)."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)
