"""Swagger UI and ReDoc render the rich app's operations in headless Chromium, against a real
uvicorn server on a loopback port, with no network access beyond it.

Chromium is Debian's ``chromium`` package; when ``/usr/bin/chromium`` is missing the test
installs it with ``apt-get`` (root). Failing to get it fails the test: it is never skipped.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _servers import first_answer, free_port, stop

pytestmark = [
    pytest.mark.extra("docs"),
    pytest.mark.extra("uvicorn"),
    pytest.mark.extra("multipart"),
]

TESTS_DIR = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
BROWSER_DEADLINE = 120.0
INSTALL_DEADLINE = 900.0
PATHS = ["/users", "/users/{user_id}", "/pets/{pet_id}", "/pets", "/profile", "/avatars"]
OPERATION_IDS = ["createUser", "UsersController_get_user", "get_pet", "upload_avatar"]


def ensure_chromium() -> str:
    """The Chromium binary, installed from Debian's packages if missing."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]
    for step in steps:
        result = subprocess.run(
            step, capture_output=True, text=True, env=env, timeout=INSTALL_DEADLINE, check=False
        )
        if result.returncode != 0:
            pytest.fail(
                f"{' '.join(step)} failed ({result.returncode}); the docs UI test needs"
                f" Chromium (run it as root, or install Debian's chromium):\n{result.stderr}"
            )
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if found is None:
        pytest.fail("apt-get installed chromium but no chromium binary was found")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The rich app served by uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    command = [
        sys.executable, "-m", "uvicorn", "openapi_fixture_app:app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=TESTS_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        assert first_answer(process, port, log, "/openapi.json").status_code == 200
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process, log)


def chromium(binary: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={profile}", "--virtual-time-budget=10000", *arguments,
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=BROWSER_DEADLINE, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_swagger_ui_renders_the_operations(server: str, tmp_path: Path) -> None:
    binary = ensure_chromium()
    dom = chromium(binary, tmp_path / "profile", "--dump-dom", f"{server}/docs").stdout
    assert dom.count('class="opblock opblock-') >= 12, dom[-3000:]
    for path in PATHS:
        assert f'data-path="{path}"' in dom, f"{path} not rendered"
    assert "Pet Shop" in dom
    screenshot = tmp_path / "docs.png"
    chromium(
        binary, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,1600",
        f"{server}/docs",
    )  # fmt: skip
    assert png_size(screenshot) == (1280, 1600)
    assert screenshot.stat().st_size > 30_000


def test_redoc_renders_the_operations(server: str, tmp_path: Path) -> None:
    binary = ensure_chromium()
    dom = chromium(binary, tmp_path / "profile", "--dump-dom", f"{server}/redoc").stdout
    for operation_id in OPERATION_IDS:
        assert f'operation/{operation_id}"' in dom, f"{operation_id} not rendered"
    assert "Pet Shop" in dom
    screenshot = tmp_path / "redoc.png"
    chromium(
        binary, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,1600",
        f"{server}/redoc",
    )  # fmt: skip
    assert png_size(screenshot) == (1280, 1600)
    assert screenshot.stat().st_size > 30_000
