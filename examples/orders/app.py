"""The application object: ``create_app()`` wires everything; ``app`` is what servers import
(``lexigram run examples.orders:app``)."""

from __future__ import annotations

import logging
from pathlib import Path

from lexigram.cqrs import LoggingBehaviour
from lexigram.cqrs.di import CQRSModule
from lexigram.ratelimit.di import RateLimitModule
from lexigram.web import (
    BroadcastConfig,
    DefaultMiddlewareStack,
    LexigramApp,
    LifespanStartupCompleted,
    WebConfig,
    load_web_config,
)

from .controllers import CONTROLLERS
from .handlers import HANDLERS
from .interceptors import RequestTimer
from .providers import DatabaseProvider, OrdersProvider
from .settings import HERE, OrdersSettings, load_settings

__all__ = ["app", "create_app"]

_log = logging.getLogger("examples.orders")


def create_app(
    settings: OrdersSettings | None = None,
    web_config: WebConfig | None = None,
    *,
    config_dir: Path = HERE,
) -> LexigramApp:
    """The Orders API; settings default to ``application.yaml`` beside this file (and the
    environment)."""
    settings = settings if settings is not None else load_settings(config_dir)
    _configure_logging(settings)
    web = web_config if web_config is not None else load_web_config(config_dir)
    if settings.redis_url and "broadcast" not in web.model_fields_set:
        # live updates reach the followers of every worker and host through Redis
        web = web.model_copy(
            update={"broadcast": BroadcastConfig(backend="redis", url=settings.redis_url)}
        )
    rate_limits = RateLimitModule.configure(
        default_limit=settings.default_rate_limit,
        redis_url=settings.redis_url,
        on_backend_error="memory",
    )
    cqrs = CQRSModule.configure(handlers=HANDLERS, behaviours=[LoggingBehaviour()])
    app = LexigramApp(
        config=web,
        controllers=CONTROLLERS,
        modules=[cqrs, rate_limits],
        providers=[DatabaseProvider(settings), OrdersProvider(settings)],
        interceptors=[RequestTimer],
        middleware=DefaultMiddlewareStack(web).build(),
    )
    app.on(LifespanStartupCompleted, lambda _: _announce(settings))
    return app


def _configure_logging(settings: OrdersSettings) -> None:
    """The app's messages on stderr (servers configure only their own loggers)."""
    logger = logging.getLogger("examples.orders")
    logger.setLevel(settings.log_level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def _announce(settings: OrdersSettings) -> None:
    shared = "Redis" if settings.redis_url else "memory"
    _log.info(
        "orders API ready: database %s, rate limits and live updates on %s",
        settings.database,
        shared,
    )


app = create_app()
