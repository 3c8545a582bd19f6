"""The ``lexigram`` command: ``lexigram run module:app``, ``lexigram routes module:app`` and
``lexigram openapi module:app``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Sequence
from typing import cast

from .._openapi.cli import add_openapi_parser, document_of, render_document, write
from ._load import CLIError, Startable, load_app, one_line
from ._run import add_run_parser, run_command

USAGE_ERROR = 2
_HEADINGS = ("METHOD", "PATH", "HANDLER", "GUARDS", "INTERCEPTORS")
Row = tuple[str, str, str, str, str]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lexigram`` command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run_command(args)
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
    add_run_parser(commands)
    routes = commands.add_parser(
        "routes",
        help="list an application's routes",
        description="Print APP's routes: method, path, handler, guards, interceptors.",
    )
    routes.add_argument("app", metavar="APP", help="import string, e.g. package.module:app")
    add_openapi_parser(commands)
    return parser


def _routes(args: argparse.Namespace) -> int:
    app = load_app(args.app)
    if isinstance(app, Startable) and not app.started:
        rows = asyncio.run(_rows_after_startup(app, args.app))
    else:
        rows = route_rows(app, args.app)
    print(format_routes(rows))
    return 0


async def _rows_after_startup(app: Startable, spec: str) -> list[Row]:
    try:
        await app.startup()
    except Exception as exc:
        raise CLIError(f"starting {spec} to list its routes failed: {one_line(exc)}") from None
    try:
        return route_rows(app, spec)
    finally:
        await app.shutdown()


def _openapi(args: argparse.Namespace) -> int:
    app = load_app(args.app)
    try:
        if isinstance(app, Startable) and not app.started:
            document = asyncio.run(_document_after_startup(app, args.app))
        else:
            document = document_of(app, args.app)
        write(render_document(document, as_yaml=args.yaml), args.output)
    except (TypeError, ImportError, OSError) as exc:
        raise CLIError(str(exc)) from None
    return 0


async def _document_after_startup(app: Startable, spec: str) -> dict[str, object]:
    try:
        await app.startup()
    except Exception as exc:
        raise CLIError(f"starting {spec} to build its document failed: {one_line(exc)}") from None
    try:
        return document_of(app, spec)
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
