"""Run the benchmarks and write the report: ``python bench/run.py [--quick]``.

``uv run nox -s bench`` runs this (after checking every scenario with pytest); see
``webbench/runner.py`` for the options.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webbench.runner import main

if __name__ == "__main__":
    main()
