"""Startup checks for state an app keeps per process while several workers serve it.

How many workers serve the app is the largest of ``config.workers``, ``LEXIGRAM_WORKERS``
(set by ``run_server`` / ``lexigram run``), ``WEB_CONCURRENCY`` (uvicorn) and
``GRANIAN_WORKERS`` (granian); a server started with a worker count on its own command line
is not seen.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from .._declare.errors import ConfigurationError
from .server import WORKERS_ENV

__all__ = ["check_rate_limit_workers", "worker_count"]

_log = logging.getLogger("lexigram.web")
_COUNT_ENVS = (WORKERS_ENV, "WEB_CONCURRENCY", "GRANIAN_WORKERS")


def worker_count(config: Any, environ: Mapping[str, str]) -> int:
    """How many worker processes serve the app (see the module docstring)."""
    counts = [getattr(config, "workers", 1) or 1]
    for name in _COUNT_ENVS:
        value = environ.get(name, "").strip()
        if value.isdigit():
            counts.append(int(value))
    return max(counts)


def check_rate_limit_workers(
    limiter: Any, config: Any, environ: Mapping[str, str] | None = None
) -> None:
    """Warn when rate limits are counted in each worker's memory while several workers serve
    the app; under the production profile (``config.production``) refuse it, unless
    ``config.allow_per_worker_rate_limits`` accepts it."""
    if limiter is None or not getattr(limiter, "per_process", False):
        return
    workers = worker_count(config, os.environ if environ is None else environ)
    if workers < 2:
        return
    problem = (
        f"rate limits are counted per worker: each of the {workers} workers keeps its own"
        f" counts in memory, so a client gets up to {workers} times every limit"
    )
    fix = "put them on Redis: RateLimitModule.configure(redis_url=...)"
    if getattr(config, "allow_per_worker_rate_limits", False):
        _log.info("%s (allowed by web.allow_per_worker_rate_limits)", problem)
    elif getattr(config, "production", False):
        raise ConfigurationError(
            f"{problem}. Under the production profile this is refused: {fix}, or accept"
            " per-worker limits with web.allow_per_worker_rate_limits: true"
            " (LEXIGRAM_WEB__ALLOW_PER_WORKER_RATE_LIMITS=true)"
        )
    else:
        _log.warning("%s; %s (the production profile refuses to start like this)", problem, fix)
