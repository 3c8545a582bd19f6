"""One module per framework, each with ``build(scenario_key)`` and ``build_routes(count)``.

``FRAMEWORKS`` maps the display name to the module's dotted name; the baseline comes first.
``FLOOR`` is no framework: a hand-written ASGI callable per scenario, measured on the loopback
server as the floor of CPU per request. Modules are imported on demand (``load``) so a loopback
server imports only its framework.
"""

from __future__ import annotations

import importlib
from types import ModuleType

BASELINE = "raw Starlette"
LEXIGRAM = "Lexigram"

FRAMEWORKS: dict[str, str] = {
    BASELINE: "raw_starlette",
    LEXIGRAM: "lexigram_app",
    "FastAPI": "fastapi_app",
    "Litestar": "litestar_app",
    "BlackSheep": "blacksheep_app",
}

DISTRIBUTIONS: dict[str, str] = {
    BASELINE: "starlette",
    LEXIGRAM: "lexigram-web",
    "FastAPI": "fastapi",
    "Litestar": "litestar",
    "BlackSheep": "blacksheep",
}

ROUTING_FRAMEWORKS = [BASELINE, LEXIGRAM, "FastAPI", "Litestar", "BlackSheep"]

FLOOR = "bare ASGI"
LOOPBACK_FRAMEWORKS = [FLOOR, *FRAMEWORKS]
"""On the loopback server the floor runs with the frameworks."""

MODULES: dict[str, str] = {**FRAMEWORKS, FLOOR: "bare_asgi"}


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{MODULES[name]}")
