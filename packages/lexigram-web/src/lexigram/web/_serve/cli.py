"""The ``lexigram`` command: ``lexigram run module:app``, ``lexigram routes module:app`` and
``lexigram openapi module:app``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar, cast, runtime_checkable

from .._config.loader import load_web_config
from .._config.web_config import WebConfigError
from .._observe.logs import ACCESS_LOG_ENV
from .._observe.multiprocess import prepare_multiprocess_dir
from .._openapi.cli import add_openapi_parser, document_of, render_document, write
from .server import SERVERS, run_server

USAGE_ERROR = 2
_HEADINGS = ("METHOD", "PATH", "HANDLER", "GUARDS", "INTERCEPTORS")
Row = tuple[str, str, str, str, str]
T = TypeVar("T")


class CLIError(Exception):
    """A problem reported as one ``lexigram: error: ...`` line and exit status 2."""


@runtime_checkable
class _Startable(Protocol):
    """An application whose routes are compiled at startup (``LexigramApp``)."""

    @property
    def started(self) -> bool: ...

    async def startup(self) -> None: ...

    async def shutdown(self) -> None: ...


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lexigram`` command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "openapi":
            return _openapi(args)
        return _routes(args)
    except CLIError as exc:
        print(f"lexigram: error: {exc}", file=sys.stderr)
        return USAGE_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lexigram", description="Serve and inspect Lexigram applications."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="serve an application",
        description="Serve APP. Defaults come from the web section of application.yaml "
        "(and $LEXIGRAM_PROFILE) when present; options override them.",
    )
    run.add_argument("app", metavar="APP", help="import string, e.g. package.module:app")
    run.add_argument("--host", help="bind address (default 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default 8000)")
    run.add_argument("--workers", type=int, help="worker processes (default 1)")
    run.add_argument("--reload", action="store_true", default=None, help="restart on changes")
    run.add_argument("--server", choices=SERVERS, help="ASGI server (default granian)")
    run.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="server log level (default info)",
    )
    run.add_argument(
        "--graceful-timeout",
        type=float,
        metavar="SECONDS",
        help="on SIGTERM, wait at most this long for open connections (default 30)",
    )
    run.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="one structured log line per request (default: observability.access_log.enabled)",
    )
    routes = commands.add_parser(
        "routes",
        help="list an application's routes",
        description="Print APP's routes: method, path, handler, guards, interceptors.",
    )
    routes.add_argument("app", metavar="APP", help="import string, e.g. package.module:app")
    add_openapi_parser(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_web_config()
    except (WebConfigError, ImportError) as exc:
        raise CLIError(str(exc)) from None
    workers: int = config.workers if args.workers is None else args.workers
    reload: bool = config.reload if args.reload is None else args.reload
    if args.access_log is not None:  # read by every LexigramApp the workers start
        os.environ[ACCESS_LOG_ENV] = "1" if args.access_log else "0"
    prepare_multiprocess_dir()  # before any worker writes metrics there
    if reload:
        # The reloader re-imports the application in fresh workers; importing it here
        # would leave the old code in this process, where granian forks its workers from.
        check_importable(args.app)
    else:
        load_app(args.app)
    try:
        run_server(
            args.app,
            host=config.host if args.host is None else args.host,
            port=config.port if args.port is None else args.port,
            workers=workers,
            server=config.server if args.server is None else args.server,
            reload=reload,
            log_level=args.log_level,
            graceful_timeout=(
                config.graceful_timeout if args.graceful_timeout is None else args.graceful_timeout
            ),
        )
    except (ValueError, ImportError) as exc:
        raise CLIError(str(exc)) from None
    return 0


def _routes(args: argparse.Namespace) -> int:
    app = load_app(args.app)
    rows = _read_started(app, args.app, "list its routes", lambda: route_rows(app, args.app))
    print(format_routes(rows))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    app = load_app(args.app)
    try:
        document = _read_started(
            app, args.app, "build its document", lambda: document_of(app, args.app)
        )
        write(render_document(document, as_yaml=args.yaml), args.output)
    except (TypeError, ImportError, OSError) as exc:
        raise CLIError(str(exc)) from None
    return 0


def _read_started(app: object, spec: str, purpose: str, read: Callable[[], T]) -> T:
    """``read()`` on the app started (and stopped again) if it is not yet."""
    if isinstance(app, _Startable) and not app.started:
        return asyncio.run(_after_startup(app, spec, purpose, read))
    return read()


async def _after_startup(app: _Startable, spec: str, purpose: str, read: Callable[[], T]) -> T:
    try:
        await app.startup()
    except Exception as exc:
        raise CLIError(f"starting {spec} to {purpose} failed: {_one_line(exc)}") from None
    try:
        return read()
    finally:
        await app.shutdown()


def route_rows(app: object, spec: str) -> list[Row]:
    """One row per entry of ``app.routes`` (``CLIError`` if there is no such registry).

    An entry needs ``path`` and ``method`` (a string) or ``methods`` (strings); ``handler``
    (or ``endpoint``, else ``name``), ``guards`` and ``interceptors`` are shown when present.
    Entries flagged ``auto_head`` (the HEAD answered for a GET) are left out.
    """
    routes: object = getattr(app, "routes", None)
    if routes is None or isinstance(routes, str | bytes) or not isinstance(routes, Iterable):
        raise CLIError(
            f"{spec} has no route registry: expected an application whose 'routes' "
            "attribute lists its routes"
        )
    return [
        _row(route)
        for route in cast("Iterable[object]", routes)
        if getattr(route, "auto_head", False) is not True
    ]


def load_app(spec: str) -> object:
    """Import ``"package.module:attr"`` (``attr`` may be dotted); ``CLIError`` on failure.

    The working directory is put on ``sys.path`` first, as servers do.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise CLIError(f"{spec!r} is not an import string; write 'package.module:app'")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise CLIError(
                f"cannot import module {module_name!r}: no module named {missing!r} "
                "(run from the project directory or add it to PYTHONPATH)"
            ) from None
        raise CLIError(_failed_import(module_name, exc)) from None
    except Exception as exc:
        raise CLIError(_failed_import(module_name, exc)) from None
    target: object = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CLIError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return target


_CHECK = """
import sys
from lexigram.web._serve.cli import CLIError, load_app
try:
    load_app(sys.argv[1])
except CLIError as exc:
    print(exc, file=sys.stderr)
    raise SystemExit(2) from None
"""


def check_importable(spec: str) -> None:
    """Like ``load_app`` but in a child interpreter, leaving this process's modules alone."""
    result = subprocess.run(
        [sys.executable, "-c", _CHECK, spec], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise CLIError(lines[-1] if lines else f"importing {spec!r} failed")


def _failed_import(module_name: str, exc: BaseException) -> str:
    return f"importing module {module_name!r} failed: {_one_line(exc)}"


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def _row(route: object) -> Row:
    method: object = getattr(route, "method", None)
    methods: object = getattr(route, "methods", None)
    if isinstance(method, str):
        shown = method
    elif isinstance(methods, Iterable) and not isinstance(methods, str):
        shown = ", ".join(sorted(str(m) for m in cast("Iterable[object]", methods))) or "-"
    else:
        shown = "-"
    return (
        shown,
        str(getattr(route, "path", "-")),
        _handler_name(route),
        _names(getattr(route, "guards", ())),
        _names(getattr(route, "interceptors", ())),
    )


def _handler_name(route: object) -> str:
    for attribute in ("handler", "endpoint"):
        handler: object = getattr(route, attribute, None)
        if handler is not None:
            return _name_of(handler)
    name: object = getattr(route, "name", None)
    return name if isinstance(name, str) and name else "-"


def _names(items: object) -> str:
    if not isinstance(items, Iterable) or isinstance(items, str):
        return "-"
    names = [_name_of(item) for item in cast("Iterable[object]", items)]
    return ", ".join(names) if names else "-"


def _name_of(item: object) -> str:
    qualname: object = getattr(item, "__qualname__", None)
    if isinstance(qualname, str):
        return qualname
    return type(item).__qualname__


def format_routes(rows: Sequence[Row]) -> str:
    """Rows as an aligned text table with a heading line, sorted by path then method."""
    ordered = sorted(rows, key=lambda row: (row[1], row[0]))
    table = [_HEADINGS, *ordered]
    widths = [max(len(row[column]) for row in table) for column in range(len(_HEADINGS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
