"""Metrics across two workers with ``PROMETHEUS_MULTIPROC_DIR``: granian through ``lexigram run``
(which empties the directory first), uvicorn started directly after
``prepare_multiprocess_dir()`` (the way another launcher does it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from _servers import first_answer, free_port, stop
from prometheus_client.parser import text_string_to_metric_families

from lexigram.web.prometheus import prepare_multiprocess_dir

TESTS_DIR = Path(__file__).parent
LEXIGRAM = Path(sys.executable).parent / "lexigram"
MAX_REQUESTS = 200

pytestmark = pytest.mark.extra("prometheus")

_STALE = """
from prometheus_client import Counter
counter = Counter("http_requests", "stale", ["method", "route", "status_class"])
counter.labels("GET", "/pid", "2xx").inc(1000)
"""


def _count(text: str, route: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "http_requests_total" and sample.labels.get("route") == route:
                return sample.value
    return 0.0


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("uvicorn", marks=pytest.mark.extra("uvicorn")),
        pytest.param("granian", marks=pytest.mark.extra("granian")),
    ],
)
def test_the_endpoint_serves_the_sum_of_both_workers_counts(server: str, tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    # a counter left by an earlier run: lexigram run must empty the directory first
    subprocess.run([sys.executable, "-c", _STALE], env=env, check=True)
    assert list(directory.glob("counter_*.db"))
    port = free_port()
    log = tmp_path / "server.log"
    if server == "granian":
        command = [
            str(LEXIGRAM), "run", "metrics_fixture_app:app", "--port", str(port),
            "--workers", "2", "--server", "granian", "--log-level", "warning",
        ]  # fmt: skip
    else:
        prepare_multiprocess_dir(env)
        # a generous worker health check: a busy machine can take more than uvicorn's 5 s
        # default to import the app, and uvicorn would kill and restart the worker
        command = [
            sys.executable, "-m", "uvicorn", "metrics_fixture_app:app", "--port", str(port),
            "--workers", "2", "--timeout-worker-healthcheck", "60", "--log-level", "warning",
        ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=TESTS_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        first_answer(process, port, log)
        pids: set[int] = set()
        sent = 0
        while sent < MAX_REQUESTS and (len(pids) < 2 or sent < 20):
            # a new connection per request, so the kernel spreads them over the workers
            pids.add(httpx.get(f"http://127.0.0.1:{port}/pid", timeout=5.0).json()["pid"])
            sent += 1
        scrape = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5.0)
    finally:
        stop(process, log)
    assert len(pids) == 2, f"only {pids} answered {sent} requests:\n{log.read_text()}"
    assert scrape.status_code == 200
    assert _count(scrape.text, "/pid") == sent
