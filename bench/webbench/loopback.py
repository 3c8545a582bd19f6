"""The loopback driver: each app on granian (1 worker) on a free 127.0.0.1 port, ``wrk`` as
the load, the same duration and connection count for every app. Only loopback traffic.

Every server's answer is checked (one request with ``http.client``) before the load runs; a
short warm-up run precedes the measured one. The figure is wrk's requests per second.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import asgi, checks
from . import scenarios as s
from .frameworks import FRAMEWORKS, load

BENCH_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class LoadResult:
    scenario: str
    framework: str
    rps: float
    latency_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    timeouts: int


def ensure_wrk() -> str:
    """The path of ``wrk``; installed from Debian's packages with apt-get when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print("wrk is missing: installing it with apt-get install -y wrk", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run([apt, "install", "-y", "-qq", "wrk"], env=env, check=False).returncode:
            subprocess.run([apt, "update", "-qq"], env=env, check=True)
            subprocess.run([apt, "install", "-y", "-qq", "wrk"], env=env, check=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("the loopback benchmark needs wrk: apt-get install -y wrk")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(port: int, request: s.Request, timeout: float = 5.0) -> asgi.Response:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(
            request.method,
            request.target(),
            body=request.body or None,
            headers=dict(request.headers),
        )
        reply = connection.getresponse()
        headers = {name.lower(): value for name, value in reply.getheaders()}
        return asgi.Response(reply.status, headers, reply.read())
    finally:
        connection.close()


class Server:
    """One granian process serving one framework's app for one scenario."""

    def __init__(self, framework: str, scenario: str, log: Path) -> None:
        self.framework = framework
        self.scenario = scenario
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        granian = str(Path(sys.executable).with_name("granian"))
        command = [
            granian, "--interface", "asgi", "--host", HOST, "--port", str(self.port),
            "--workers", "1", "--loop", "uvloop", "--no-ws", "--log-level", "warning",
            "--working-dir", str(BENCH_DIR), "--factory", "webbench.serve:create",
        ]  # fmt: skip
        env = {**os.environ, "BENCH_FRAMEWORK": self.framework, "BENCH_SCENARIO": self.scenario}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def wait_ready(self, request: s.Request, deadline_s: float = 60.0) -> asgi.Response:
        deadline = time.monotonic() + deadline_s
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"granian exited; see {self.log}")
            try:
                return fetch(self.port, request, timeout=2.0)
            except OSError as exc:
                if time.monotonic() > deadline:
                    message = f"granian did not answer in {deadline_s} s; see {self.log}"
                    raise RuntimeError(message) from exc
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGINT)  # the group of the granian we started
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _lua(request: s.Request) -> str:
    lines = [f'wrk.method = "{request.method}"']
    for name, value in request.headers:
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if request.body:
        lines.append(f"wrk.body = [==[{request.body.decode()}]==]")
    return "\n".join(lines) + "\n"


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(output: str) -> dict[str, float]:
    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else 0.0

    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s)\b", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": number(r"(\d+) requests in"),
        "non_2xx": number(r"Non-2xx or 3xx responses: (\d+)"),
        "latency_ms": float(latency.group(1)) * _UNITS[latency.group(2)] if latency else 0.0,
        # connect/read/write errors mean a broken exchange; timeouts only a slow one
        "socket_errors": float(sum(int(g) for g in errors.groups()[:3])) if errors else 0.0,
        "timeouts": float(errors.group(4)) if errors else 0.0,
    }


def run_wrk(
    wrk: str, port: int, request: s.Request, script: Path, seconds: float, connections: int
) -> dict[str, float]:
    url = f"http://{HOST}:{port}{request.target()}"
    command = [
        wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
        "-s", str(script), url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def measure(
    scenario_keys: list[str],
    frameworks: list[str],
    *,
    seconds: float,
    warmup_s: float,
    connections: int,
    progress: Any = print,
) -> list[LoadResult]:
    wrk = ensure_wrk()
    results: list[LoadResult] = []
    with tempfile.TemporaryDirectory(prefix="lexigram-bench-") as tmp:
        folder = Path(tmp)
        for key in scenario_keys:
            scenario = s.SCENARIOS[key]
            script = folder / f"{key}.lua"
            script.write_text(_lua(scenario.request))
            for framework in frameworks:
                log = folder / f"{framework}-{key}.log".replace(" ", "_")
                with Server(framework, key, log) as server:
                    try:
                        answer = server.wait_ready(scenario.request)
                        checks.check_answer(load(framework), scenario, answer)
                    except (AssertionError, RuntimeError):
                        sys.stderr.write(log.read_text() if log.exists() else "")
                        raise
                    run_wrk(wrk, server.port, scenario.request, script, warmup_s, connections)
                    stats = run_wrk(
                        wrk, server.port, scenario.request, script, seconds, connections
                    )
                requests = int(stats["requests"])
                non_2xx = int(stats["non_2xx"])
                expected_non_2xx = requests if scenario.status >= 300 else 0
                if non_2xx != expected_non_2xx or stats["socket_errors"]:
                    raise RuntimeError(
                        f"{framework} {key}: {non_2xx} non-2xx of {requests} requests,"
                        f" {int(stats['socket_errors'])} socket errors"
                    )
                result = LoadResult(
                    key, framework, stats["rps"], stats["latency_ms"], requests, non_2xx,
                    int(stats["socket_errors"]), int(stats["timeouts"]),
                )  # fmt: skip
                results.append(result)
                progress(f"  {key:10} {framework:14} {result.rps:10.0f} req/s")
    return results


def as_rows(results: list[LoadResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]


__all__ = ["FRAMEWORKS", "LoadResult", "as_rows", "ensure_wrk", "measure"]
