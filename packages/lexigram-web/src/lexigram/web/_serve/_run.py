"""``lexigram run APP``: the command's options over ``application.yaml``, then ``run_server``.

``application.yaml`` is read from the folder of the application's module (or from
``--config PATH``, which the application also sees as ``$LEXIGRAM_CONFIG``), never from the
working directory by accident. Before the server starts the port is checked and a banner names
the URLs of the application and its docs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .._config.loader import CONFIG_ENV, load_web_config
from .._config.web_config import WebConfig, WebConfigError
from .._observe.logs import ACCESS_LOG_ENV
from .._observe.multiprocess import prepare_multiprocess_dir
from .._openapi.routes import OpenAPISite
from ._load import CLIError, Startable, check_importable, load_app
from ._locate import ModulePlace, locate_module
from .server import SERVERS, run_server

__all__ = ["add_run_parser", "banner", "run_command"]


def add_run_parser(commands: Any) -> None:
    """The ``run`` subcommand's arguments."""
    run = commands.add_parser(
        "run",
        help="serve an application",
        description="Serve APP. Defaults come from the web section of the application.yaml "
        "next to APP's module (or --config PATH, and $LEXIGRAM_PROFILE); options override them.",
    )
    run.add_argument("app", metavar="APP", help="import string, e.g. package.module:app")
    run.add_argument("--factory", action="store_true", help="APP is a function returning the app")
    run.add_argument("--config", metavar="PATH", help="application.yaml (or its folder) to use")
    run.add_argument("--host", help="bind address (default 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default 8000)")
    run.add_argument("--workers", type=int, help="worker processes (default 1)")
    run.add_argument(
        "--reload",
        action="store_true",
        default=None,
        help="restart when a Python source or application*.yaml of the app changes",
    )
    run.add_argument("--server", choices=SERVERS, help="ASGI server (default granian)")
    run.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="server log level (default info)",
    )
    run.add_argument("--root-path", help="the path prefix a reverse proxy strips, e.g. /api")
    run.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="comma-separated proxies (addresses, networks or *) whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (default: trusted_proxies, none)",
    )
    _add_limits(run)


def _add_limits(run: argparse.ArgumentParser) -> None:
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
    run.add_argument("--backlog", type=int, metavar="N", help="connections queued (default 1024)")
    run.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="connections held at once per worker (default 1000)",
    )
    run.add_argument(
        "--header-timeout",
        type=float,
        metavar="SECONDS",
        help="time a connection has to send its request headers (default 10)",
    )
    run.add_argument(
        "--keep-alive-timeout",
        type=float,
        metavar="SECONDS",
        help="idle time kept between two requests (default 5)",
    )


def run_command(args: argparse.Namespace) -> int:
    """Serve ``args.app`` (blocking); ``CLIError`` for anything that stops it first."""
    module_name = args.app.partition(":")[0]
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # as servers do; worker processes inherit it
    place = locate_module(module_name) if module_name else None
    chosen = _chosen_config(args.config)
    previous = os.environ.get(CONFIG_ENV)
    if chosen is not None:
        os.environ[CONFIG_ENV] = str(chosen)  # the application's load_web_config() default
    try:
        _serve(args, _config(chosen, place), place, chosen)
    finally:
        if chosen is not None:
            if previous is None:
                os.environ.pop(CONFIG_ENV, None)
            else:
                os.environ[CONFIG_ENV] = previous
    return 0


def _serve(
    args: argparse.Namespace, config: WebConfig, place: ModulePlace | None, chosen: Path | None
) -> None:
    reload: bool = config.reload if args.reload is None else args.reload
    if args.access_log is not None:  # read by every LexigramApp the workers start
        os.environ[ACCESS_LOG_ENV] = "1" if args.access_log else "0"
    prepare_multiprocess_dir()  # before any worker writes metrics there
    lexigram_app = True  # unknown with --reload or --factory: the configuration decides
    if reload:
        # The reloader re-imports the application in fresh workers; importing it here
        # would leave the old code in this process, where granian forks its workers from.
        check_importable(args.app, factory=args.factory)
    else:
        loaded = load_app(args.app, factory=args.factory)
        lexigram_app = args.factory or isinstance(loaded, Startable)
    options = _options(args, config)
    if reload:
        options["reload_dirs"] = _watched(place, chosen)
    print(banner(args.app, config, options, docs=lexigram_app), flush=True)
    try:
        run_server(args.app, **options)
    except (ValueError, ImportError, OSError) as exc:
        raise CLIError(str(exc)) from None


def _chosen_config(path: str | None) -> Path | None:
    """``--config PATH``, resolved (``CLIError`` if it does not exist)."""
    if path is None:
        return None
    location = Path(path).resolve()
    if not location.exists():
        raise CLIError(f"--config {path}: no such file or folder")
    return location


def _config(chosen: Path | None, place: ModulePlace | None) -> WebConfig:
    """The web settings: ``--config PATH``, else ``application.yaml`` next to the module."""
    location = chosen
    if location is None:
        location = place.home if place is not None else Path.cwd()
        stray = Path.cwd() / "application.yaml"
        if place is not None and not (location / "application.yaml").is_file() and stray.is_file():
            print(
                f"lexigram: note: no application.yaml next to the app in {location}; {stray} "
                "is not read (pass --config application.yaml to use it)",
                file=sys.stderr,
            )
    try:
        return load_web_config(location)
    except (WebConfigError, ImportError) as exc:
        raise CLIError(str(exc)) from None


def _watched(place: ModulePlace | None, chosen: Path | None) -> tuple[str, ...]:
    """What ``--reload`` watches: the app's top-level package folder and the config's."""
    folders = [place.root] if place is not None else [Path.cwd()]
    if chosen is not None:
        config_folder = chosen if chosen.is_dir() else chosen.parent
        if not any(config_folder.is_relative_to(folder) for folder in folders):
            folders.append(config_folder)
    return tuple(str(folder) for folder in folders)


def _options(args: argparse.Namespace, config: WebConfig) -> dict[str, Any]:
    def pick(flag: object, configured: object) -> Any:
        return configured if flag is None else flag

    ips: Any = config.trusted_proxies
    if args.forwarded_allow_ips is not None:
        ips = tuple(ip.strip() for ip in args.forwarded_allow_ips.split(",") if ip.strip())
    return {
        "host": pick(args.host, config.host),
        "port": pick(args.port, config.port),
        "workers": pick(args.workers, config.workers),
        "server": pick(args.server, config.server),
        "reload": pick(args.reload, config.reload),
        "log_level": args.log_level,
        "graceful_timeout": pick(args.graceful_timeout, config.graceful_timeout),
        "backlog": pick(args.backlog, config.backlog),
        "max_connections": pick(args.max_connections, config.max_connections),
        "header_timeout": pick(args.header_timeout, config.header_timeout),
        "keep_alive_timeout": pick(args.keep_alive_timeout, config.keep_alive_timeout),
        "root_path": pick(args.root_path, config.root_path),
        "forwarded_allow_ips": tuple(ips),
        "factory": args.factory,
    }


def banner(app: str, config: WebConfig, options: dict[str, Any], *, docs: bool = True) -> str:
    """What ``lexigram run`` prints before serving: the server and the URLs to open (the
    OpenAPI document and docs pages too when ``docs`` and the configuration serves them)."""
    host: str = options["host"]
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{options['port']}{options['root_path']}"
    workers: int = options["workers"]
    plural = "s" if workers > 1 else ""
    mode = ", reloading on changes" if options["reload"] else ""
    lines = [
        f"Lexigram: serving {app} with {options['server']} ({workers} worker{plural}{mode})",
        f"  app:     {base}/",
    ]
    try:
        site = OpenAPISite.create(config.openapi)
    except Exception:
        site = None  # the application reports it when it starts
    if docs and site is not None and config.openapi.enabled:
        for url, kind in site.pages:
            lines.append(f"  docs:    {base}{url} ({kind.name})")
        lines.append(f"  openapi: {base}{config.openapi.openapi_url}")
    return "\n".join(lines)
