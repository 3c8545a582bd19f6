"""The application object: ``create_app()`` wires everything; ``app`` is what servers import
(``lexigram run examples.orders:app``)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lexigram.cqrs import EventTransport, LoggingBehaviour
from lexigram.cqrs.di import CQRSModule
from lexigram.ratelimit import RateLimiter
from lexigram.ratelimit.di import RateLimitModule
from lexigram.web import (
    BroadcastConfig,
    LexigramApp,
    LifespanStartupCompleted,
    WebConfig,
    load_web_config,
)
from lexigram.web.otel import TracingBehaviour

from .confirmations import ConfirmationsProvider
from .controllers import CONTROLLERS
from .database import DatabaseUnavailableError
from .events import integration_events
from .handlers import HANDLERS
from .interceptors import RequestTimer
from .providers import DatabaseModule, DatabaseProvider, OrdersProvider
from .settings import HERE, OrdersSettings, load_settings
from .urls import describe_database

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
    cqrs = _cqrs_module(settings)
    app = LexigramApp(
        config=web,
        controllers=CONTROLLERS,
        modules=[cqrs, rate_limits],
        providers=[OrdersProvider(settings), ConfirmationsProvider(settings)],
        interceptors=[RequestTimer],
        error_statuses={DatabaseUnavailableError: 503},
    )
    app.on(LifespanStartupCompleted, lambda _: _announce(settings, app))
    return app


BEHAVIOURS = [TracingBehaviour(), LoggingBehaviour()]
"""Each command and query in its own span (inside the request's trace), then logged."""


def _cqrs_module(settings: OrdersSettings) -> CQRSModule:
    """The buses; with Redis, also the outbox relay and the confirmations consumer group.

    The database is a module the CQRS module imports, so it is open before the relay and the
    consumer start.
    """
    if settings.redis_url is None:
        database = DatabaseProvider(settings)
        return CQRSModule.configure(
            handlers=HANDLERS, behaviours=BEHAVIOURS, imports=[DatabaseModule(database)]
        )
    catalog = integration_events()
    database = DatabaseProvider(settings, catalog)
    return CQRSModule.configure(
        handlers=HANDLERS,
        behaviours=BEHAVIOURS,
        transport=_transport(settings),
        catalog=catalog,
        consumer_group="orders-confirmations",
        outbox=database.database.outbox,
        imports=[DatabaseModule(database)],
    )


def _transport(settings: OrdersSettings) -> EventTransport:
    from lexigram.cqrs.redis import RedisStreamTransport

    assert settings.redis_url is not None
    return RedisStreamTransport(
        url=settings.redis_url, stream=settings.event_stream, claim_idle=settings.event_claim_idle
    )


def _configure_logging(settings: OrdersSettings) -> None:
    """The app's messages on stderr (servers configure only their own loggers)."""
    logger = logging.getLogger("examples.orders")
    logger.setLevel(settings.log_level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


async def _announce(settings: OrdersSettings, app: LexigramApp) -> None:
    """Say what the app runs on, as it is now: a configured Redis that does not answer means
    the limiter has fallen back to per-process memory limits (and live updates reach only
    this process's followers until it answers again)."""
    limits = "memory"
    if settings.redis_url:
        limiter = app.container.resolve(RateLimiter)
        try:
            async with asyncio.timeout(2.0):
                answers = await limiter.ping()
        except Exception:
            answers = False
        if answers and limiter.health().healthy:
            limits = "Redis"
        else:
            limits = "memory (Redis does not answer: limits are per process until it does)"
    events = f"stream {settings.event_stream}" if settings.redis_url else "in-process"
    live = "Redis pub/sub" if settings.redis_url else "this process"
    _log.info(
        "orders API ready: database %s, rate limits on %s, confirmations %s, live updates: %s",
        describe_database(settings.database), limits, events, live,
    )  # fmt: skip


app = create_app()
