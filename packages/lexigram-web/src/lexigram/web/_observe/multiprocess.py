"""The directory of prometheus-client's multiprocess mode, prepared before workers start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = ["ENV", "prepare_multiprocess_dir"]

ENV: Final = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Create ``$PROMETHEUS_MULTIPROC_DIR`` if missing and delete the metric files left there
    by earlier runs (their counts would otherwise be served as this run's). Call it once,
    before the workers start (``lexigram run`` does); ``None`` when the variable is unset."""
    env = os.environ if environ is None else environ
    raw = env.get(ENV)
    if not raw:
        return None
    directory = Path(raw)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    return directory
