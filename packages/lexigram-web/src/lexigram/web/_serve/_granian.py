"""Serving with Granian: ``run_server``'s options in Granian's terms.

Granian speaks HTTP/1.1 only here: in its automatic HTTP/1-or-2 mode it waits for a new
connection's first bytes with no timeout, so connections that never send anything would hold
their slots forever. Its header read timeout is also its keep-alive timeout: it gets the
shorter of ``header_timeout`` and ``keep_alive_timeout``. ``max_connections`` is Granian's
backpressure: connections past it wait in the backlog. A worker ends a Lexigram app's event
streams and websockets when it is told to stop (see ``_signals``).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import math
import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp

from ._reload import granian_filter
from ._signals import close_connections_on_stop
from .server import ServerOptions, import_target, missing_server

__all__ = ["granian_options", "load_granian_target", "run_granian"]


def granian_options(options: ServerOptions) -> dict[str, Any]:
    """Granian's keyword arguments (all but ``target``) for ``options``."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    idle = min(options.header_timeout, options.keep_alive_timeout)
    settings: dict[str, Any] = {
        "address": options.host,
        "port": options.port,
        "workers": options.workers,
        "interface": Interfaces.ASGI,
        "http": HTTPModes.http1,
        "http1_settings": HTTP1Settings(header_read_timeout=max(1, math.ceil(idle * 1000))),
        "backlog": options.backlog,
        "backpressure": options.max_connections,
        "log_level": LogLevels(options.log_level),
        "workers_kill_timeout": max(1, math.ceil(options.graceful_timeout)),
        "url_path_prefix": options.root_path or None,
        "reload": options.reload,
    }
    if options.reload:
        roots = [Path(d).resolve() for d in options.reload_dirs] or [Path.cwd()]
        settings["reload_paths"] = roots
        settings["reload_filter"] = granian_filter(roots)
    return settings


def load_granian_target(
    target: str, *, factory: bool, forwarded_allow_ips: tuple[str, ...]
) -> ASGIApp:
    """Import the application in a worker, behind the proxy-headers wrapper when asked."""
    app: ASGIApp = import_target(target, factory)
    close_connections_on_stop(app)
    return _behind_proxies(app, forwarded_allow_ips)


def run_granian(
    app: ASGIApp | str, options: ServerOptions, before_serving: Callable[[], None]
) -> None:
    """Serve ``app`` with Granian until it stops; ``before_serving`` runs once everything
    needed is known to be installed."""
    try:
        from granian import Granian
    except ImportError:
        raise missing_server("granian") from None
    if options.reload and importlib.util.find_spec("watchfiles") is None:
        raise ImportError(
            'reloading with granian needs watchfiles: pip install "granian[reload]" '
            "(or choose server='uvicorn' / --server uvicorn)"
        )
    before_serving()
    target = app if isinstance(app, str) else f"{type(app).__module__}:{type(app).__qualname__}"
    server = Granian(target=target, **granian_options(options))
    if isinstance(app, str):
        loader = functools.partial(
            load_granian_target,
            factory=options.factory,
            forwarded_allow_ips=options.forwarded_allow_ips,
        )
        server.serve(target_loader=loader)
        return
    if multiprocessing.get_start_method() != "fork":
        raise ValueError(
            "granian runs the application in a worker process, which receives an application "
            "object only when processes are forked; pass an import string such as "
            "'package.module:app' or use server='uvicorn'"
        )

    def load(_target: str) -> ASGIApp:
        close_connections_on_stop(app)
        return _behind_proxies(app, options.forwarded_allow_ips)

    server.serve(target_loader=load)


def _behind_proxies(app: ASGIApp, forwarded_allow_ips: tuple[str, ...]) -> ASGIApp:
    if not forwarded_allow_ips:
        return app
    proxies: Any = importlib.import_module("granian.utils.proxies")  # untyped
    trusted = "*" if "*" in forwarded_allow_ips else list(forwarded_allow_ips)
    wrapped: ASGIApp = proxies.wrap_asgi_with_proxy_headers(app, trusted)
    return wrapped
