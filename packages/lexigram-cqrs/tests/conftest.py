"""The DI tests import lexigram-di at module level: collect them only where it is installed.

Without the ``di`` extra they may only be deselected (``-m "not extra"``); any other
run without lexigram-di fails loudly instead of silently losing them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

NEEDS_DI = {"test_di_activator.py", "test_di_module.py", "test_di_plans.py"}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name not in NEEDS_DI or importlib.util.find_spec("lexigram.di"):
        return None
    if "not extra" in (config.getoption("markexpr") or ""):
        return True
    raise pytest.UsageError(
        f"{collection_path.name} needs lexigram-di: install the extra "
        '(pip install "lexigram-cqrs[di]") or deselect these tests with -m "not extra"'
    )
