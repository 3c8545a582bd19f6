"""The one ``WebConfig`` an app runs with, and the middleware stack it builds from it.

An app has exactly one configuration: its ``config=``, else the ``web_config`` of its
``WebProvider`` (all providers that give one must agree), else the defaults; the app's keyword
settings (``debug=``, ``max_body_size=``, ...) are applied on top. Two different configs are
refused at startup, never silently ignored. The middleware stack is always
``DefaultMiddlewareStack(config, extra_middlewares=...)``: the providers' and the app's own
middleware in front, then what the config asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ._config.web_config import WebConfig
from ._declare.errors import ConfigurationError
from .middleware import (
    BodySizeLimitMiddleware,
    CORSMiddleware,
    DefaultMiddlewareStack,
    GZipMiddleware,
    QuerySanitizerMiddleware,
    RequestIDMiddleware,
    SecurityHeadersMiddleware,
    TrustedHostMiddleware,
)

__all__ = ["as_web_config", "effective_config", "middleware_stack"]

_CONFIGURED_BY: dict[type, str] = {
    RequestIDMiddleware: "request_id_header / trust_request_id",
    SecurityHeadersMiddleware: "security_headers",
    GZipMiddleware: "gzip",
    TrustedHostMiddleware: "trusted_hosts",
    CORSMiddleware: "cors",
    BodySizeLimitMiddleware: "max_body_size",
    QuerySanitizerMiddleware: "max_query_length / sanitize_query_params / query_control_chars",
}


def as_web_config(config: Any, where: str = "config=") -> WebConfig | None:
    """``config`` as a ``WebConfig`` (a mapping is validated into one); ``None`` stays."""
    if config is None or isinstance(config, WebConfig):
        return config
    if isinstance(config, Mapping):
        try:
            return WebConfig.model_validate(config)
        except ValidationError as exc:
            raise ConfigurationError(f"{where} is not a valid WebConfig: {exc}") from None
    raise TypeError(
        f"{where} takes a WebConfig (or a mapping of its settings), got {type(config).__name__};"
        " build one with WebConfig(...) or load_web_config()"
    )


def effective_config(
    config: WebConfig | None, provided: Iterable[Any], overrides: Mapping[str, Any]
) -> WebConfig:
    """The app's ``config``, else the one its providers agree on, else the defaults; then the
    keyword ``overrides`` (already stripped of those not given)."""
    candidates = [as_web_config(c, "WebProvider(web_config=...)") for c in provided]
    found = [c for c in candidates if c is not None]
    chosen = config
    for other in found:
        if chosen is None:
            chosen = other
        elif other != chosen:
            what = "the app's config=" if chosen is config else "another WebProvider's web_config"
            raise ConfigurationError(
                f"WebProvider(web_config=...) differs from {what}: an app runs with one"
                " WebConfig; give it in one place (LexigramApp(config=...) or one WebProvider)"
            )
    base = chosen if chosen is not None else WebConfig()
    if not overrides:
        return base
    try:
        checked = WebConfig.model_validate(dict(overrides))
    except ValidationError as exc:
        raise ConfigurationError(f"invalid LexigramApp keyword setting: {exc}") from None
    return base.model_copy(update={name: getattr(checked, name) for name in overrides})


def middleware_stack(config: WebConfig, middleware: Sequence[Any]) -> DefaultMiddlewareStack:
    """``DefaultMiddlewareStack(config, extra_middlewares=middleware)``, refusing a middleware
    the config already installs (it would run twice)."""
    stack = DefaultMiddlewareStack(config, extra_middlewares=middleware)
    defaults = DefaultMiddlewareStack(config).build()
    installed = {entry.cls for entry in defaults}
    built = stack.build()
    for entry in built[: len(built) - len(defaults)]:
        cls: Any = entry.cls
        if cls in installed:
            name = getattr(cls, "__name__", repr(cls))
            raise ConfigurationError(
                f"middleware= lists {name}, which the app already installs from its WebConfig"
                f" ({_CONFIGURED_BY.get(cls, 'see DefaultMiddlewareStack')}): remove it from"
                " middleware= (an app builds DefaultMiddlewareStack(config) itself; pass only"
                " your own middleware) and set those WebConfig settings instead"
            )
    return stack
