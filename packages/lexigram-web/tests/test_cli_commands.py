"""The ``lexigram`` command line, run in-process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from _cli_runs import refused

from lexigram.web._serve import _run
from lexigram.web._serve.cli import format_routes, main

TESTS_DIR = Path(__file__).parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding test modules, with sys.path restored afterwards."""
    monkeypatch.setattr(sys, "path", [str(TESTS_DIR), *sys.path])
    monkeypatch.chdir(tmp_path)
    for name in list(sys.modules):
        if name.startswith("cli_case_"):
            monkeypatch.delitem(sys.modules, name)
    return tmp_path


def test_routes_prints_a_table_of_methods_paths_handlers_guards_interceptors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["routes", "server_fixture_app:routed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["METHOD", "PATH", "HANDLER", "GUARDS", "INTERCEPTORS"]
    assert lines[1].split() == ["DELETE", "/admin", "list_users", "AuthGuard", "-"]
    assert lines[2].split() == ["GET", "/users", "list_users", "AuthGuard", "audit"]
    assert lines[3].split() == ["POST,", "PUT", "/users/{id:int}", "save_user", "-", "-"]


def test_routes_starts_a_lexigram_app_to_list_its_compiled_routes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "cli_case_lexigram.py").write_text(
        "from lexigram.web import LexigramApp, TimingInterceptor, use_guards, use_interceptors\n"
        "app = LexigramApp()\n"
        "class AuthGuard:\n"
        "    async def can_activate(self, context): return True\n"
        "@app.get('/users/{id:int}')\n"
        "@use_guards(AuthGuard)\n"
        "@use_interceptors(TimingInterceptor)\n"
        "async def get_user(id: int) -> dict: return {'id': id}\n"
        "@app.post('/users')\n"
        "async def create_user() -> None: ...\n"
    )
    assert main(["routes", "cli_case_lexigram:app"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "METHOD  PATH             HANDLER      GUARDS     INTERCEPTORS",
        "POST    /users           create_user  -          -",
        "GET     /users/{id:int}  get_user     AuthGuard  TimingInterceptor",
    ]


def test_an_app_that_fails_to_start_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        "class App:\n"
        "    started = False\n"
        "    routes = ()\n"
        "    async def startup(self): raise LookupError('no service Foo')\n"
        "    async def shutdown(self): ...\n"
        "app = App()\n"
    )
    err = refused(capsys, ["routes", "cli_case_unstartable:app"], cli_case_unstartable=source)
    assert err == (
        "lexigram: error: starting cli_case_unstartable:app to list its routes failed: "
        "LookupError: no service Foo\n"
    )


def test_routes_reads_a_starlette_application(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "cli_case_starlette.py").write_text(
        "from starlette.applications import Starlette\n"
        "from starlette.routing import Route\n"
        "async def home(request): ...\n"
        "app = Starlette(routes=[Route('/', home, methods=['GET'])])\n"
    )
    assert main(["routes", "cli_case_starlette:app"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["GET,", "HEAD", "/", "home", "-", "-"]


def test_routes_of_an_object_without_routes_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "has no route registry" in refused(capsys, ["routes", "server_fixture_app:app"])


def test_a_missing_module_is_one_line_naming_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(capsys, ["routes", "cli_case_nowhere:app"])
    assert err == (
        "lexigram: error: cannot import module 'cli_case_nowhere': no module named "
        "'cli_case_nowhere' (run from the project directory or add it to PYTHONPATH)\n"
    )


def test_a_missing_attribute_is_one_line_naming_module_and_attribute(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(capsys, ["run", "cli_case_empty:app"], cli_case_empty="value = 1\n")
    assert err == "lexigram: error: module 'cli_case_empty' has no attribute 'app'\n"


def test_an_exception_while_importing_is_one_line_without_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "import json\nraise RuntimeError('no\\ndb')\n"
    err = refused(capsys, ["run", "cli_case_broken:app"], cli_case_broken=source)
    assert err == (
        "lexigram: error: importing module 'cli_case_broken' failed: RuntimeError: no db\n"
    )


def test_a_missing_dependency_of_the_module_is_reported_as_such(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "import cli_case_not_installed\n"
    err = refused(capsys, ["run", "cli_case_needs:app"], cli_case_needs=source)
    assert "importing module 'cli_case_needs' failed: ModuleNotFoundError" in err
    assert "cli_case_not_installed" in err


def test_an_app_without_a_colon_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "is not an import string" in refused(capsys, ["run", "server_fixture_app"])


def test_run_passes_options_over_the_configuration_to_run_server(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, object]] = []

    def fake_run_server(app: str, **options: object) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(_run, "run_server", fake_run_server)
    monkeypatch.setenv("LEXIGRAM_WEB__PORT", "9100")
    monkeypatch.setenv("LEXIGRAM_WEB__SERVER", "uvicorn")
    assert main(["run", "server_fixture_app:app", "--workers", "3", "--host", "0.0.0.0"]) == 0
    assert calls == [
        {
            "app": "server_fixture_app:app",
            "host": "0.0.0.0",
            "port": 9100,
            "workers": 3,
            "server": "uvicorn",
            "reload": False,
            "log_level": "info",
            "graceful_timeout": 30.0,
            "backlog": 1024,
            "max_connections": 1000,
            "header_timeout": 10.0,
            "keep_alive_timeout": 5.0,
            "root_path": "",
            "forwarded_allow_ips": (),
            "factory": False,
        }
    ]


def test_run_takes_the_graceful_timeout_from_the_flag_over_the_configuration(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeouts: list[object] = []
    monkeypatch.setattr(
        _run, "run_server", lambda app, **options: timeouts.append(options["graceful_timeout"])
    )
    monkeypatch.setenv("LEXIGRAM_WEB__GRACEFUL_TIMEOUT", "5")
    assert main(["run", "server_fixture_app:app"]) == 0
    assert main(["run", "server_fixture_app:app", "--graceful-timeout", "2.5"]) == 0
    assert timeouts == [5.0, 2.5]


def test_run_with_reload_checks_the_import_without_importing_here(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(_run, "run_server", lambda app, **options: calls.append(app))
    (project / "cli_case_reloaded.py").write_text("app = object()\n")
    assert main(["run", "cli_case_reloaded:app", "--reload"]) == 0
    assert calls == ["cli_case_reloaded:app"]
    assert "cli_case_reloaded" not in sys.modules
    assert main(["run", "cli_case_reloaded:missing", "--reload"]) == 2
    assert capsys.readouterr().err == (
        "lexigram: error: module 'cli_case_reloaded' has no attribute 'missing'\n"
    )


def test_run_reports_a_bad_configuration_without_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEXIGRAM_WEB__PORT", "eighty")
    assert main(["run", "server_fixture_app:app"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lexigram: error: invalid web configuration:")
    assert "LEXIGRAM_WEB__PORT" in err


def test_run_reports_a_missing_server_extra(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "granian", None)
    assert main(["run", "server_fixture_app:app", "--server", "granian"]) == 2
    assert 'pip install "lexigram-web[granian]"' in capsys.readouterr().err


def test_an_unknown_command_exits_with_usage_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["serve"])
    assert caught.value.code == 2
    assert "invalid choice: 'serve'" in capsys.readouterr().err


def test_format_routes_aligns_columns_and_sorts_by_path() -> None:
    table = format_routes(
        [("POST", "/b", "create", "-", "-"), ("GET", "/a", "index_page", "Auth", "-")]
    )
    assert table.splitlines() == [
        "METHOD  PATH  HANDLER     GUARDS  INTERCEPTORS",
        "GET     /a    index_page  Auth    -",
        "POST    /b    create      -       -",
    ]


def _capture_run_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    calls: list[dict[str, object]] = []

    def fake_run_server(app: str, **options: object) -> None:
        calls.append({"app": app, "LEXIGRAM_CONFIG": os.environ.get("LEXIGRAM_CONFIG"), **options})

    monkeypatch.setattr(_run, "run_server", fake_run_server)
    return calls


def _package(root: Path, name: str, yaml: str | None) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    (root / name / "main.py").write_text("app = object()\n")
    if yaml is not None:
        (root / name / "application.yaml").write_text(yaml)


@pytest.mark.extra("yaml")
def test_run_reads_the_application_yaml_next_to_the_app_module(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _capture_run_server(monkeypatch)
    _package(project, "cli_case_beside", "web: {port: 9200}\n")
    (project / "application.yaml").write_text("web: {port: 9300}\n")
    assert main(["run", "cli_case_beside.main:app"]) == 0
    assert calls[0]["port"] == 9200
    assert capsys.readouterr().err == ""


def test_run_says_when_only_the_working_directory_has_an_application_yaml(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _capture_run_server(monkeypatch)
    _package(project, "cli_case_elsewhere", None)
    (project / "application.yaml").write_text("web: {port: 9300}\n")
    assert main(["run", "cli_case_elsewhere.main:app"]) == 0
    assert calls[0]["port"] == 8000
    err = capsys.readouterr().err
    assert "no application.yaml next to the app" in err
    assert "pass --config application.yaml to use it" in err


@pytest.mark.extra("yaml")
def test_run_with_config_reads_that_file_and_hands_it_to_the_application(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _capture_run_server(monkeypatch)
    _package(project, "cli_case_configured", "web: {port: 9200}\n")
    (project / "deploy.yaml").write_text("web: {port: 9400, max_connections: 64}\n")
    assert main(["run", "cli_case_configured.main:app", "--config", "deploy.yaml"]) == 0
    assert calls[0]["port"] == 9400
    assert calls[0]["max_connections"] == 64
    assert calls[0]["LEXIGRAM_CONFIG"] == str(project / "deploy.yaml")
    assert "LEXIGRAM_CONFIG" not in os.environ


def test_run_with_a_missing_config_file_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "server_fixture_app:app", "--config", "nowhere.yaml"]) == 2
    assert (
        capsys.readouterr().err
        == "lexigram: error: --config nowhere.yaml: no such file or folder\n"
    )


def test_run_passes_the_connection_flags_over_the_configuration(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _capture_run_server(monkeypatch)
    monkeypatch.setenv("LEXIGRAM_WEB__HEADER_TIMEOUT", "4")
    monkeypatch.setenv("LEXIGRAM_WEB__TRUSTED_PROXIES", '["10.0.0.0/8"]')
    assert main(["run", "server_fixture_app:app", "--backlog", "256", "--keep-alive-timeout",
                 "2.5", "--root-path", "/api", "--factory"]) == 0  # fmt: skip
    assert main(["run", "server_fixture_app:app", "--forwarded-allow-ips", "10.0.0.1, *"]) == 0
    first, second = calls
    assert (first["backlog"], first["keep_alive_timeout"], first["header_timeout"]) == (
        256,
        2.5,
        4.0,
    )
    assert (first["root_path"], first["factory"]) == ("/api", True)
    assert first["forwarded_allow_ips"] == ("10.0.0.0/8",)
    assert second["forwarded_allow_ips"] == ("10.0.0.1", "*")


def test_run_with_factory_refuses_an_attribute_that_is_not_callable(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "cli_case_value.py").write_text("app = 42\n")
    assert main(["run", "cli_case_value:app", "--factory"]) == 2
    assert "--factory needs a function returning the application" in capsys.readouterr().err


@pytest.mark.extra("docs")
def test_run_prints_a_banner_with_the_urls_of_the_app_and_its_docs(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _capture_run_server(monkeypatch)
    (project / "cli_case_banner.py").write_text(
        "from lexigram.web import LexigramApp\napp = LexigramApp()\n"
    )
    assert main(["run", "cli_case_banner:app", "--host", "0.0.0.0", "--port", "9000",
                 "--root-path", "/api"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Lexigram: serving cli_case_banner:app with granian (1 worker)"
    assert lines[1] == "  app:     http://0.0.0.0:9000/api/"
    assert lines[-1] == "  openapi: http://0.0.0.0:9000/api/openapi.json"
    assert "  docs:    http://0.0.0.0:9000/api/docs (Swagger UI)" in lines


def test_the_banner_of_a_plain_asgi_app_names_no_docs(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _capture_run_server(monkeypatch)
    assert main(["run", "server_fixture_app:app", "--host", "::1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Lexigram: serving server_fixture_app:app with granian (1 worker)",
        "  app:     http://[::1]:8000/",
    ]
