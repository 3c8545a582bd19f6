"""Rate limits counted in process memory while several workers serve the app: a warning at
startup, a refusal under the production profile unless allowed."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _servers import first_answer, free_port, stop
from workers_fixture_app import PerProcessLimiter

from lexigram.web import (
    ConfigurationError,
    LexigramApp,
    RateLimiterProtocol,
    WebConfig,
)
from lexigram.web._serve.scale import worker_count

TESTS_DIR = Path(__file__).parent
LEXIGRAM = Path(sys.executable).parent / "lexigram"
SERVERS = [
    pytest.param("uvicorn", marks=pytest.mark.extra("uvicorn")),
    pytest.param("granian", marks=pytest.mark.extra("granian")),
]


def _app(config: WebConfig | None = None, *, per_process: bool = True) -> LexigramApp:
    app = LexigramApp(config=config)
    limiter = PerProcessLimiter()
    limiter.per_process = per_process
    app.container.singleton(RateLimiterProtocol, instance=limiter)
    return app


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEB_CONCURRENCY", "GRANIAN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEXIGRAM_WORKERS", "2")


async def test_memory_limits_with_several_workers_log_a_warning_naming_the_fix(
    two_workers: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="lexigram.web"):
        async with _app().lifespan():
            pass
    (warning,) = [r for r in caplog.records if "counted per worker" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert "each of the 2 workers keeps its own counts" in warning.getMessage()
    assert "RateLimitModule.configure(redis_url=...)" in warning.getMessage()


async def test_the_production_profile_refuses_memory_limits_with_several_workers(
    two_workers: None,
) -> None:
    app = _app(WebConfig(production=True))
    with pytest.raises(ConfigurationError, match=r"web.allow_per_worker_rate_limits: true"):
        await app.startup()
    assert not app.started


async def test_per_worker_limits_start_in_production_when_explicitly_allowed(
    two_workers: None, caplog: pytest.LogCaptureFixture
) -> None:
    config = WebConfig(production=True, allow_per_worker_rate_limits=True)
    with caplog.at_level(logging.INFO, logger="lexigram.web"):
        async with _app(config).lifespan() as app:
            assert app.started
    (note,) = [r for r in caplog.records if "counted per worker" in r.getMessage()]
    assert note.levelno == logging.INFO


async def test_shared_limits_or_one_worker_start_without_a_word(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LEXIGRAM_WORKERS", "4")
    with caplog.at_level(logging.INFO, logger="lexigram.web"):
        async with _app(WebConfig(production=True), per_process=False).lifespan():
            pass
        monkeypatch.setenv("LEXIGRAM_WORKERS", "1")
        async with _app(WebConfig(production=True)).lifespan():
            pass
    assert not [r for r in caplog.records if "counted per worker" in r.getMessage()]


def test_the_worker_count_is_the_largest_the_config_and_the_servers_tell() -> None:
    assert worker_count(WebConfig(), {}) == 1
    assert worker_count(WebConfig(workers=3), {"LEXIGRAM_WORKERS": "1"}) == 3
    assert worker_count(None, {"WEB_CONCURRENCY": "4", "GRANIAN_WORKERS": "x"}) == 4
    assert worker_count(None, {"GRANIAN_WORKERS": "5"}) == 5


def test_the_production_profile_sets_production(tmp_path: Path) -> None:
    from lexigram.web import load_web_config

    (tmp_path / "application-prod.yaml").write_text("web: {}\n")
    assert load_web_config(tmp_path, profile="prod", environ={}).production
    assert not load_web_config(tmp_path, environ={}).production


def _run(server: str, tmp_path: Path, **env: str) -> tuple[subprocess.Popen[bytes], Path, int]:
    """``lexigram run workers_fixture_app:app --workers 2 --config tmp_path`` (its
    application-*.yaml files), with ``tmp_path`` as the working directory."""
    port = free_port()
    log = tmp_path / "server.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    environment.update(env, PYTHONPATH=str(TESTS_DIR))
    command = [str(LEXIGRAM), "run", "workers_fixture_app:app", "--workers", "2",
               "--server", server, "--port", str(port), "--config", str(tmp_path)]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=tmp_path, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    return process, log, port


@pytest.mark.parametrize("server", SERVERS)
def test_lexigram_run_with_two_workers_and_the_production_profile_refuses_to_serve(
    server: str, tmp_path: Path
) -> None:
    (tmp_path / "application-prod.yaml").write_text("web: {}\n")
    process, log, _ = _run(server, tmp_path, LEXIGRAM_PROFILE="prod")
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stop(process, log)
        pytest.fail(f"the server kept running:\n{log.read_text()}")
    assert "Under the production profile this is refused" in log.read_text()


@pytest.mark.parametrize("server", SERVERS)
def test_lexigram_run_with_two_workers_warns_that_limits_are_per_worker(
    server: str, tmp_path: Path
) -> None:
    process, log, port = _run(server, tmp_path)
    try:
        assert first_answer(process, port, log).text == '"pong"'
    finally:
        stop(process, log)
    assert "rate limits are counted per worker: each of the 2 workers" in log.read_text()
