"""The loopback driver: each app on granian (1 worker) on a free 127.0.0.1 port, ``wrk`` as
the load, the same duration and connection count for every app. Only loopback traffic.

Every server's answer is checked (one request with ``http.client``) before the load runs; a
short warm-up run precedes the measured ones. The figure is the median of wrk's requests per
second over the passes, and the server's CPU time per request (user + system, read from
/proc for the server's process group around each wrk run), which a busy machine disturbs much
less than the request rate.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
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
    server_cpu_us: float
    """Median CPU time (user + system) the server spent per request."""
    rps_per_pass: list[float] = field(default_factory=list[float])
    server_cpu_us_per_pass: list[float] = field(default_factory=list[float])


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

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes (its group)."""
        assert self.process is not None
        return group_cpu_seconds(self.process.pid)

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


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes of process group ``group`` (Linux)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


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


def _started(stack: ExitStack, framework: str, key: str, folder: Path) -> Server:
    """Start ``framework``'s app for scenario ``key`` and check its answer."""
    scenario = s.SCENARIOS[key]
    log = folder / f"{framework}-{key}.log".replace(" ", "_")
    server = stack.enter_context(Server(framework, key, log))
    try:
        checks.check_answer(load(framework), scenario, server.wait_ready(scenario.request))
    except (AssertionError, RuntimeError):
        sys.stderr.write(log.read_text() if log.exists() else "")
        raise
    return server


def _checked(stats: dict[str, float], framework: str, key: str) -> dict[str, float]:
    requests, non_2xx = int(stats["requests"]), int(stats["non_2xx"])
    expected_non_2xx = requests if s.SCENARIOS[key].status >= 300 else 0
    if non_2xx != expected_non_2xx or stats["socket_errors"]:
        raise RuntimeError(
            f"{framework} {key}: {non_2xx} non-2xx of {requests} requests,"
            f" {int(stats['socket_errors'])} socket errors"
        )
    return stats


def measure(
    scenario_keys: list[str],
    frameworks: list[str],
    *,
    seconds: float,
    warmup_s: float,
    connections: int,
    passes: int = 1,
    progress: Any = print,
) -> list[LoadResult]:
    """Per scenario: every framework's server started and checked, each warmed up, then
    ``passes`` rounds of one wrk run per server (order rotating every pass); the figures are
    the medians over the passes (an idle server waits while another is loaded)."""
    wrk = ensure_wrk()
    results: list[LoadResult] = []
    with tempfile.TemporaryDirectory(prefix="lexigram-bench-") as tmp:
        folder = Path(tmp)
        for key in scenario_keys:
            request = s.SCENARIOS[key].request
            script = folder / f"{key}.lua"
            script.write_text(_lua(request))
            with ExitStack() as stack:
                servers = {f: _started(stack, f, key, folder) for f in frameworks}
                for server in servers.values():
                    run_wrk(wrk, server.port, request, script, warmup_s, connections)
                runs: dict[str, list[dict[str, float]]] = {f: [] for f in frameworks}
                for number in range(passes):
                    shift = number % len(frameworks)
                    order = frameworks[shift:] + frameworks[:shift]
                    for framework in reversed(order) if number % 2 else order:
                        server = servers[framework]
                        cpu = server.cpu_seconds()
                        stats = run_wrk(wrk, server.port, request, script, seconds, connections)
                        stats["cpu_s"] = server.cpu_seconds() - cpu
                        runs[framework].append(_checked(stats, framework, key))
            for framework in frameworks:
                result = _summary(key, framework, runs[framework])
                results.append(result)
                progress(f"  {key:10} {framework:14} {result.rps:10.0f} req/s")
    return results


def _summary(key: str, framework: str, runs: list[dict[str, float]]) -> LoadResult:
    def total(name: str) -> int:
        return int(sum(run[name] for run in runs))

    cpu_us = [1e6 * run["cpu_s"] / run["requests"] for run in runs if run["requests"]]
    return LoadResult(
        key, framework,
        statistics.median(run["rps"] for run in runs),
        statistics.median(run["latency_ms"] for run in runs),
        total("requests"), total("non_2xx"), total("socket_errors"), total("timeouts"),
        statistics.median(cpu_us) if cpu_us else 0.0,
        [round(run["rps"], 1) for run in runs],
        [round(us, 2) for us in cpu_us],
    )  # fmt: skip


def as_rows(results: list[LoadResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]


__all__ = ["FRAMEWORKS", "LoadResult", "as_rows", "ensure_wrk", "measure"]
