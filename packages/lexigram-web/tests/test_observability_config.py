"""``WebConfig.observability``: validation, startup decisions, missing extras, the CLI flag
(no extra needed)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

from lexigram.web import (
    ConfigurationError,
    LexigramApp,
    ObservabilityConfig,
    TracingConfig,
    WebConfig,
)
from lexigram.web._serve import _run as _cli
from lexigram.web._serve.cli import main
from lexigram.web.testing import AsyncTestClient

TESTS_DIR = Path(__file__).parent


def test_the_section_loads_from_a_mapping_with_defaults_off() -> None:
    config = WebConfig.model_validate(
        {
            "observability": {
                "metrics": {"enabled": True, "path": "/internal/metrics"},
                "access_log": {"enabled": True, "format": "keyvalue"},
            }
        }
    )
    observability = config.observability
    assert observability.metrics.path == "/internal/metrics"
    assert observability.access_log.format == "keyvalue"
    assert observability.tracing.enabled is False
    assert WebConfig().observability.enabled is False


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"tracing": {"exporter": "zipkin"}}, "is not an exporter"),
        ({"tracing": {"service_name": "shop"}}, "service_name names a tracer provider"),
        ({"tracing": {"exporter": "none", "tracer_provider": object()}}, "give only one"),
        ({"tracing": {"response_header": "x-trace"}}, "response_header"),
        ({"metrics": {"path": "metrics"}}, "absolute path"),
        ({"metrics": {"buckets": [1.0, 0.5]}}, "strictly increasing"),
        ({"access_log": {"format": "xml"}}, "format"),
        ({"logs": {}}, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(section: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ObservabilityConfig.model_validate(section)


async def test_with_everything_off_the_app_adds_no_observability_layer() -> None:
    app = LexigramApp()

    @app.get("/missing")
    async def missing() -> None:
        return None

    async with AsyncTestClient(app) as client:
        response = await client.get("/nowhere")
        assert app._observability is None  # pyright: ignore[reportPrivateUsage]
    assert "traceparent" not in response.headers
    assert "trace_id" not in response.json()


@pytest.mark.parametrize(
    ("setting", "module", "extra"),
    [("tracing", "tracing", "otel"), ("metrics", "metrics", "prometheus")],
)
async def test_a_feature_without_its_extra_fails_at_startup_naming_it(
    monkeypatch: pytest.MonkeyPatch, setting: str, module: str, extra: str
) -> None:
    missing = "opentelemetry" if extra == "otel" else "prometheus_client"
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    monkeypatch.delitem(sys.modules, f"lexigram.web._observe.{module}", raising=False)
    options = {"enabled": True, "exporter": "none"} if setting == "tracing" else {"enabled": True}
    app = LexigramApp(observability={setting: options})
    with pytest.raises(ImportError, match=rf'pip install "lexigram-web\[{extra}\]"'):
        await app.startup()
    assert not app.started


@pytest.mark.parametrize(("public", "private"), [("otel", "tracing"), ("prometheus", "metrics")])
def test_a_public_extra_module_without_its_extra_fails_to_import_naming_it(
    monkeypatch: pytest.MonkeyPatch, public: str, private: str
) -> None:
    missing = "opentelemetry" if public == "otel" else "prometheus_client"
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    monkeypatch.delitem(sys.modules, f"lexigram.web._observe.{private}", raising=False)
    monkeypatch.delitem(sys.modules, f"lexigram.web.{public}", raising=False)
    with pytest.raises(ImportError, match=rf'pip install "lexigram-web\[{public}\]"'):
        importlib.import_module(f"lexigram.web.{public}")


async def test_the_keyword_wins_over_the_config_section() -> None:
    config = WebConfig(observability={"metrics": {"enabled": True}})  # type: ignore[arg-type]
    app = LexigramApp(config=config, observability=ObservabilityConfig())
    async with AsyncTestClient(app) as client:
        assert (await client.get("/metrics")).status_code == 404


@pytest.mark.parametrize(
    ("option", "message"),
    [({"tracing": {"enabled": "sometimes"}}, "invalid observability"), (42, "mapping")],
)
async def test_a_bad_observability_keyword_fails_at_startup(option: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        await LexigramApp(observability=option).startup()


async def test_a_bad_access_log_switch_fails_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEXIGRAM_ACCESS_LOG", "maybe")
    with pytest.raises(ConfigurationError, match="LEXIGRAM_ACCESS_LOG='maybe'"):
        await LexigramApp().startup()


def test_tracing_config_accepts_a_provider_object_in_code() -> None:
    provider = object()
    config = TracingConfig(enabled=True, tracer_provider=provider)
    assert config.tracer_provider is provider


@pytest.mark.parametrize(("flags", "expected"), [([], None), (["--access-log"], "1"),
                                                  (["--no-access-log"], "0")])  # fmt: skip
def test_lexigram_run_passes_the_access_log_switch_to_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: str | None
) -> None:
    monkeypatch.setattr(sys, "path", [str(TESTS_DIR), *sys.path])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEXIGRAM_ACCESS_LOG", "restored afterwards")
    monkeypatch.delenv("LEXIGRAM_ACCESS_LOG")
    seen: list[str | None] = []
    monkeypatch.setattr(
        _cli,
        "run_server",
        lambda app, **options: seen.append(os.environ.get("LEXIGRAM_ACCESS_LOG")),
    )
    assert main(["run", "server_fixture_app:app", *flags]) == 0
    assert seen == [expected]


def test_lexigram_run_empties_the_multiprocess_directory_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", [str(TESTS_DIR), *sys.path])
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"stale")
    (directory / "notes.txt").write_text("kept")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    found: list[list[str]] = []
    monkeypatch.setattr(
        _cli, "run_server", lambda app, **options: found.append(sorted(os.listdir(directory)))
    )
    assert main(["run", "server_fixture_app:app"]) == 0
    assert found == [["notes.txt"]]
