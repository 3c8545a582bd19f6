"""``run_server``: serve an ASGI application with Granian or Uvicorn (optional extras)."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from starlette.types import ASGIApp

from .._config.serving import (
    DEFAULT_BACKLOG,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEP_ALIVE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    GRANIAN_MIN_BACKLOG,
    MAX_HEADER_TIMEOUT,
)
from ._port import check_port_free

ServerName = Literal["granian", "uvicorn"]
SERVERS: tuple[ServerName, ...] = ("granian", "uvicorn")

WORKERS_ENV: Final = "LEXIGRAM_WORKERS"
"""Set by ``run_server`` to its number of worker processes, for the apps they start."""
_IMPORT_STRING = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")
_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """What ``run_server`` was asked for, checked; the server runners translate it."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    reload: bool = False
    log_level: str = "info"
    graceful_timeout: float = 30.0
    backlog: int = DEFAULT_BACKLOG
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT
    root_path: str = ""
    forwarded_allow_ips: tuple[str, ...] = ()
    factory: bool = False
    reload_dirs: tuple[str, ...] = ()


def run_server(
    app: ASGIApp | Callable[[], ASGIApp] | str,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    server: ServerName = "granian",
    reload: bool = False,
    *,
    log_level: str = "info",
    graceful_timeout: float = 30.0,
    backlog: int = DEFAULT_BACKLOG,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT,
    root_path: str = "",
    forwarded_allow_ips: Sequence[str] = (),
    factory: bool = False,
    reload_dirs: Sequence[str] = (),
) -> None:
    """Serve ``app`` until interrupted (blocking).

    ``app`` is an ASGI application object or an import string ``"package.module:attr"``
    (with ``factory=True``: a function returning the application, called in each worker).
    ``workers > 1`` and ``reload`` start fresh processes that import the application
    themselves, so they need the import string. ``server`` picks the ``granian``
    (default) or ``uvicorn`` extra; a missing one raises ``ImportError`` naming the
    install command. A port already in use raises ``OSError`` before any server starts.
    ``LEXIGRAM_WORKERS`` tells the workers how many they are (an app counting rate limits in
    memory warns at startup that each worker keeps its own counts).

    Connections, per worker: at most ``max_connections`` at once (``backlog`` more wait to
    be accepted); a connection must send its request headers within ``header_timeout``
    seconds and is closed after ``keep_alive_timeout`` idle seconds between requests
    (granian has one timer for both: the shorter of the two). ``root_path``: the prefix a
    reverse proxy strips. ``forwarded_allow_ips``: proxies (addresses, networks or ``"*"``)
    whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` set the client address and scheme.
    ``reload`` restarts on changes to the Python sources and ``application*.yaml`` files under
    ``reload_dirs`` (default: the working directory).

    ``graceful_timeout`` bounds a graceful stop (SIGTERM / Ctrl-C): the server stops
    accepting connections, a Lexigram app ends its event streams and websockets, and the
    server waits at most this many seconds for the other open connections. Uvicorn then
    cancels them and runs the lifespan shutdown; granian, which counts whole seconds
    (rounded up), kills the workers still busy.
    """
    options = ServerOptions(
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level=log_level,
        graceful_timeout=graceful_timeout,
        backlog=backlog,
        max_connections=max_connections,
        header_timeout=header_timeout,
        keep_alive_timeout=keep_alive_timeout,
        root_path=root_path,
        forwarded_allow_ips=tuple(forwarded_allow_ips),
        factory=factory,
        reload_dirs=tuple(reload_dirs),
    )
    check_server_options(app, port=port, workers=workers, server=server, reload=reload)
    check_limits(options, server)
    os.environ[WORKERS_ENV] = str(workers)
    served: Any = app
    if factory and not isinstance(app, str):
        served = served()  # a factory object: one process, so it is called here

    def before_serving() -> None:
        check_port_free(host, port)

    if server == "granian":
        from ._granian import run_granian

        run_granian(served, options, before_serving)
    else:
        from ._uvicorn import run_uvicorn

        run_uvicorn(served, options, before_serving)


def check_server_options(
    app: object, *, port: int, workers: int, server: str, reload: bool
) -> None:
    """Raise ``ValueError`` (naming the fix) for options ``run_server`` cannot honour."""
    if server not in SERVERS:
        raise ValueError(f"server must be 'granian' or 'uvicorn', got {server!r}")
    if not 1 <= port <= 65535:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if isinstance(app, str):
        if not _IMPORT_STRING.fullmatch(app):
            raise ValueError(f"{app!r} is not an import string; write 'package.module:app'")
    elif workers > 1 or reload:
        wanted = "reload" if reload else f"workers={workers}"
        raise ValueError(
            f"{wanted} starts new processes that must import the application themselves: "
            "pass it as an import string such as 'package.module:app' instead of the object"
        )


def check_limits(options: ServerOptions, server: str = "granian") -> None:
    """Raise ``ValueError`` for a log level, limit or timeout ``server`` cannot use."""
    if options.log_level not in _LOG_LEVELS:
        raise ValueError(
            f"log_level must be one of {', '.join(_LOG_LEVELS)}, got {options.log_level!r}"
        )
    for name in ("graceful_timeout", "header_timeout", "keep_alive_timeout"):
        value: float = getattr(options, name)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    if options.header_timeout > MAX_HEADER_TIMEOUT:
        raise ValueError(
            f"header_timeout must be at most {MAX_HEADER_TIMEOUT:g} seconds (granian's "
            f"ceiling), got {options.header_timeout!r}"
        )
    for name in ("backlog", "max_connections"):
        count: int = getattr(options, name)
        if count < 1:
            raise ValueError(f"{name} must be at least 1, got {count}")
    if server == "granian" and options.backlog < GRANIAN_MIN_BACKLOG:
        raise ValueError(
            f"backlog must be at least {GRANIAN_MIN_BACKLOG} with granian, got "
            f"{options.backlog} (granian would queue {GRANIAN_MIN_BACKLOG} anyway)"
        )
    root = options.root_path
    if root and (not root.startswith("/") or root.endswith("/")):
        raise ValueError(f"root_path must start with '/' and not end with '/', got {root!r}")
    for entry in options.forwarded_allow_ips:
        if entry != "*":
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"forwarded_allow_ips entry {entry!r} is not an IP address or network; use "
                    "e.g. '10.0.0.1', '10.0.0.0/8' or '*' (any peer)"
                ) from None


def missing_server(extra: ServerName) -> ImportError:
    """The ``ImportError`` for a server extra that is not installed."""
    other = "uvicorn" if extra == "granian" else "granian"
    return ImportError(
        f'serving with {extra} needs it installed: pip install "lexigram-web[{extra}]" '
        f"(or choose server={other!r} / --server {other})"
    )


def import_target(target: str, factory: bool) -> Any:
    """Import ``"module:attr"`` (calling it when ``factory``): what a worker serves."""
    import importlib

    module_name, _, attribute = target.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        found = getattr(found, part)
    return found() if factory else found
