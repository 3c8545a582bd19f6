"""Makes the ``webbench`` package importable for ``pytest bench/test_scenarios.py``."""

import sys
from pathlib import Path

BENCH = str(Path(__file__).resolve().parent)
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)
