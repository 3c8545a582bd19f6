"""Exactness across processes: two OS processes hammer one key through one Redis."""

import subprocess
import sys
import time
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.extra("redis")

ALGORITHMS = ("fixed_window", "sliding_log", "gcra")

# Each worker checks, for every algorithm in turn, 250 concurrent hits on one key limited to
# 100/hour (a long window: nothing is replenished during the test). The phases start at
# agreed wall-clock times so that the two processes hammer the key together.
WORKER = """
import asyncio, sys, time
from lexigram.ratelimit import RateLimiter
from lexigram.ratelimit.redis import RedisBackend

async def main(url, prefix, start_at, requests, algorithms):
    backend = RedisBackend(url=url, key_prefix=prefix, timeout=10.0)
    limiter = RateLimiter(backend, on_backend_error="closed")
    await limiter.ping()
    for phase, algorithm in enumerate(algorithms):
        policy = limiter.policy("100/hour", algorithm=algorithm)
        await asyncio.sleep(max(0.0, start_at + 0.3 * phase - time.time()))
        decisions = await asyncio.gather(*(policy.hit("shared") for _ in range(requests)))
        print(algorithm, sum(d.allowed for d in decisions), limiter.health().healthy)
    await limiter.aclose()

url, prefix, start_at, requests, *algorithms = sys.argv[1:]
asyncio.run(main(url, prefix, float(start_at), int(requests), algorithms))
"""


def test_two_processes_get_exactly_the_limit(redis_server: Any) -> None:
    prefix = f"race:{uuid.uuid4().hex[:8]}:"
    start_at = str(time.time() + 1.0)
    args = [sys.executable, "-c", WORKER, redis_server.url, prefix, start_at, "250", *ALGORITHMS]
    workers = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    allowed = dict.fromkeys(ALGORITHMS, 0)
    healthy: list[bool] = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        for line in out.splitlines():
            algorithm, count, ok = line.split()
            allowed[algorithm] += int(count)
            healthy.append(ok == "True")
    assert allowed == dict.fromkeys(ALGORITHMS, 100)
    assert healthy == [True] * 6
