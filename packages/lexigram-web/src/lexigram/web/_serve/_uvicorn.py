"""Serving with Uvicorn: ``run_server``'s options in Uvicorn's terms.

Uvicorn has no header timeout of its own: its HTTP protocol gets one (see
``_uvicorn_protocols``), named by import string and reading ``header_timeout`` from the
``Config``, so worker processes receive only uvicorn's own classes and import Lexigram (and
the application) after they answer uvicorn's health checks. ``max_connections`` is Uvicorn's
``limit_concurrency``: requests past it are answered 503. Proxy headers are believed only
from ``forwarded_allow_ips`` (Uvicorn's own default trusts 127.0.0.1).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp

from ._reload import CONFIG_PATTERNS, IGNORED_DIRS, SOURCE_PATTERNS
from .server import ServerOptions, missing_server

__all__ = ["run_uvicorn", "uvicorn_options"]

_STARTUP_FAILURE = 3
_HEALTHCHECK = 30
_PROTOCOL = "lexigram.web._serve._uvicorn_protocols:AutoDeadlineProtocol"


def uvicorn_options(options: ServerOptions) -> dict[str, Any]:
    """``uvicorn.Config`` keyword arguments (all but the application) for ``options``."""
    ips = options.forwarded_allow_ips
    settings: dict[str, Any] = {
        "host": options.host,
        "port": options.port,
        "workers": options.workers if options.workers > 1 else None,
        "http": _PROTOCOL,
        "log_level": options.log_level,
        # annotated ``int``, used as asyncio delays: fractions of a second work
        "timeout_graceful_shutdown": options.graceful_timeout,
        "timeout_keep_alive": options.keep_alive_timeout,
        "backlog": options.backlog,
        "limit_concurrency": options.max_connections,
        "root_path": options.root_path,
        "proxy_headers": bool(ips),
        "forwarded_allow_ips": ("*" if "*" in ips else list(ips)) if ips else None,
        "factory": options.factory,
        "reload": options.reload,
        # A worker started from the ``lexigram`` command imports it (all of lexigram.web)
        # before it can answer uvicorn's first health check; 5 s is short on a busy machine.
        "timeout_worker_healthcheck": _HEALTHCHECK,
    }
    if options.reload:
        roots = [Path(d).resolve() for d in options.reload_dirs] or [Path.cwd()]
        settings["reload_dirs"] = [str(root) for root in roots]
        settings["reload_includes"] = [*SOURCE_PATTERNS, *CONFIG_PATTERNS]
        settings["reload_excludes"] = [str(d) for d in _ignored_dirs(roots)]
    return settings


def _ignored_dirs(roots: list[Path]) -> list[Path]:
    """The ignored folders (hidden, ``var``, ...) under ``roots``, not looked into."""
    found: list[Path] = []
    for root in roots:
        for folder, subfolders, _ in os.walk(root):
            kept: list[str] = []
            for name in subfolders:
                if name.startswith(".") or name in IGNORED_DIRS:
                    found.append(Path(folder) / name)
                else:
                    kept.append(name)
            subfolders[:] = kept
    return found


def run_uvicorn(
    app: ASGIApp | str, options: ServerOptions, before_serving: Callable[[], None]
) -> None:
    """Serve ``app`` with Uvicorn until it stops (what ``uvicorn.run`` does, with our config);
    ``before_serving`` runs once everything needed is known to be installed."""
    try:
        import uvicorn
        from uvicorn.supervisors import ChangeReload, Multiprocess
    except ImportError:
        raise missing_server("uvicorn") from None
    if options.reload and importlib.util.find_spec("watchfiles") is None:
        raise ImportError(
            'reloading with uvicorn needs watchfiles: pip install "lexigram-web[uvicorn]" '
            "(or choose server='granian' / --server granian)"
        )
    before_serving()
    config = uvicorn.Config(app, **uvicorn_options(options))
    extended: Any = config  # read by the protocol, in each worker
    extended.header_timeout = options.header_timeout
    server = uvicorn.Server(config=config)
    try:
        if config.should_reload:
            sock = config.bind_socket()
            ChangeReload(config, target=server.run, sockets=[sock]).run()
        elif config.workers > 1:
            sock = config.bind_socket()
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if not server.started and not config.should_reload and config.workers == 1:
        sys.exit(_STARTUP_FAILURE)
