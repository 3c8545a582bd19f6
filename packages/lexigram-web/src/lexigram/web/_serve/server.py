"""``run_server``: serve an ASGI application with Granian or Uvicorn (optional extras)."""

from __future__ import annotations

import importlib.util
import math
import multiprocessing
import os
import re
from typing import Any, Final, Literal

from starlette.types import ASGIApp

ServerName = Literal["granian", "uvicorn"]
SERVERS: tuple[ServerName, ...] = ("granian", "uvicorn")

WORKERS_ENV: Final = "LEXIGRAM_WORKERS"
"""Set by ``run_server`` to its number of worker processes, for the apps they start."""
_IMPORT_STRING = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")
_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def run_server(
    app: ASGIApp | str,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    server: ServerName = "granian",
    reload: bool = False,
    *,
    log_level: str = "info",
    graceful_timeout: float = 30.0,
) -> None:
    """Serve ``app`` until interrupted (blocking).

    ``app`` is an ASGI application object or an import string ``"package.module:attr"``.
    ``workers > 1`` and ``reload`` start fresh processes that import the application
    themselves, so they need the import string. ``server`` picks the ``granian``
    (default) or ``uvicorn`` extra; a missing one raises ``ImportError`` naming the
    install command.

    ``graceful_timeout`` bounds a graceful stop (SIGTERM / Ctrl-C): the server stops
    accepting connections and waits at most this many seconds for open ones (endless
    event streams and websockets never finish by themselves). Uvicorn then cancels them and
    runs the lifespan shutdown; granian, which counts whole seconds (rounded up), kills the
    workers still busy, so their lifespan shutdown does not run.

    The number of workers is put in the environment as ``LEXIGRAM_WORKERS`` for the worker
    processes: an app counting rate limits in memory warns at startup that each worker keeps
    its own counts (and refuses to start under the production profile unless allowed).
    """
    check_server_options(app, port=port, workers=workers, server=server, reload=reload)
    if log_level not in _LOG_LEVELS:
        raise ValueError(f"log_level must be one of {', '.join(_LOG_LEVELS)}, got {log_level!r}")
    if not (math.isfinite(graceful_timeout) and graceful_timeout > 0):
        raise ValueError(
            f"graceful_timeout must be a positive number of seconds, got {graceful_timeout!r}"
        )
    os.environ[WORKERS_ENV] = str(workers)
    if server == "granian":
        _run_granian(app, host, port, workers, reload, log_level, graceful_timeout)
    else:
        _run_uvicorn(app, host, port, workers, reload, log_level, graceful_timeout)


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


def _missing(extra: ServerName) -> ImportError:
    other = "uvicorn" if extra == "granian" else "granian"
    return ImportError(
        f'serving with {extra} needs it installed: pip install "lexigram-web[{extra}]" '
        f"(or choose server={other!r} / --server {other})"
    )


def _run_granian(
    app: ASGIApp | str,
    host: str,
    port: int,
    workers: int,
    reload: bool,
    log_level: str,
    graceful_timeout: float,
) -> None:
    try:
        from granian import Granian
        from granian.constants import Interfaces
        from granian.log import LogLevels
    except ImportError:
        raise _missing("granian") from None
    if reload and importlib.util.find_spec("watchfiles") is None:
        raise ImportError(
            'reloading with granian needs watchfiles: pip install "granian[reload]" '
            "(or choose server='uvicorn' / --server uvicorn)"
        )
    target = app if isinstance(app, str) else f"{type(app).__module__}:{type(app).__qualname__}"
    server = Granian(
        target=target,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        reload=reload,
        log_level=LogLevels(log_level),
        workers_kill_timeout=max(1, math.ceil(graceful_timeout)),
    )
    if isinstance(app, str):
        server.serve()
        return
    if multiprocessing.get_start_method() != "fork":
        raise ValueError(
            "granian runs the application in a worker process, which receives an application "
            "object only when processes are forked; pass an import string such as "
            "'package.module:app' or use server='uvicorn'"
        )

    def load(_target: str) -> ASGIApp:
        return app

    server.serve(target_loader=load)


def _run_uvicorn(
    app: ASGIApp | str,
    host: str,
    port: int,
    workers: int,
    reload: bool,
    log_level: str,
    graceful_timeout: float,
) -> None:
    try:
        import uvicorn
    except ImportError:
        raise _missing("uvicorn") from None
    # Annotated ``int | None`` by uvicorn, but used as an asyncio timeout: fractions work.
    grace: dict[str, Any] = {"timeout_graceful_shutdown": graceful_timeout}
    uvicorn.run(
        app,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        reload=reload,
        log_level=log_level,
        **grace,
    )
