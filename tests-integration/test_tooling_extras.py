"""Every extra brings what its feature needs: scripts/exercise_extras.py (run by
``nox -s release_check`` in a venv holding only ``package[extra]``) has a check for each
lexigram-web extra, and its checks use the features for real."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB = tomllib.loads((ROOT / "packages" / "lexigram-web" / "pyproject.toml").read_text())
WEB_EXTRAS: dict[str, list[str]] = WEB["project"]["optional-dependencies"]
WEBSOCKET_LIBRARIES = ("websockets", "wsproto")


def load_script() -> ModuleType:
    path = ROOT / "scripts" / "exercise_extras.py"
    spec = importlib.util.spec_from_file_location("exercise_extras", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


extras = load_script()


def test_the_uvicorn_extra_brings_a_websocket_library() -> None:
    requirements = " ".join(WEB_EXTRAS["uvicorn"])
    standard = re.search(r"\buvicorn\[[^\]]*\bstandard\b", requirements) is not None
    assert standard or any(lib in requirements for lib in WEBSOCKET_LIBRARIES), requirements


def test_every_lexigram_web_extra_has_a_check() -> None:
    assert sorted(set(WEB_EXTRAS) - {"all"}) == sorted(extras.WEB_CHECKS)


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_the_server_check_completes_a_websocket_handshake_on_a_real_socket(server: str) -> None:
    assert extras.exercise("lexigram-web", server) == f"lexigram-web[{server}] works"


def test_an_extra_named_like_a_submodule_must_import_it() -> None:
    assert extras.exercise("lexigram-ratelimit", "redis") == "lexigram.ratelimit.redis imports"


def test_a_lexigram_web_extra_without_a_check_is_refused() -> None:
    with pytest.raises(AssertionError, match="has no check: add one to WEB_CHECKS"):
        extras.exercise("lexigram-web", "telepathy")
