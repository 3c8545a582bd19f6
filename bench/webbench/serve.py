"""granian's target for the loopback driver: ``--factory webbench.serve:create``.

The app is chosen by environment variables set by ``loopback``: ``BENCH_FRAMEWORK`` (a name
in ``frameworks.FRAMEWORKS``) and ``BENCH_SCENARIO`` (a scenario key).
"""

from __future__ import annotations

import os
from typing import Any

from .frameworks import load


def create() -> Any:
    return load(os.environ["BENCH_FRAMEWORK"]).build(os.environ["BENCH_SCENARIO"])
