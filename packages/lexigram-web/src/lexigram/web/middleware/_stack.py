"""The default middleware stack, in explicit order, and applying a stack to an ASGI app."""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from starlette.middleware import Middleware
from starlette.types import ASGIApp

from .._config.web_config import WebConfig
from .._http.request_id import RequestIDMiddleware
from ._body_limit import BodySizeLimitMiddleware
from ._cors import CORSMiddleware
from ._extras import adapt_extra
from ._gzip import GZipMiddleware
from ._query import QuerySanitizerMiddleware
from ._security_headers import SecurityHeadersMiddleware
from ._trusted_host import TrustedHostMiddleware


class ContainerLike(Protocol):
    """What the stack reads a ``WebConfig`` from (a lexigram-di ``Container``)."""

    def has(self, service: Any, name: str | None = None) -> bool: ...
    def resolve(self, service: Any, name: str | None = None) -> Any: ...


def _is_container(candidate: object) -> bool:
    return callable(getattr(candidate, "has", None)) and callable(
        getattr(candidate, "resolve", None)
    )


class DefaultMiddlewareStack:
    """The middleware every Lexigram application runs, as an explicit, extendable list.

    ``build()`` returns, outermost first:

    1. ``extra_middlewares``, in the given order: they run first and see every request;
    2. ``RequestIDMiddleware``: every later answer, errors included, carries the id;
    3. ``SecurityHeadersMiddleware`` (``config.security_headers.enabled``);
    4. ``GZipMiddleware`` (``config.gzip.enabled``);
    5. ``TrustedHostMiddleware`` (``config.trusted_hosts`` other than ``["*"]``);
    6. ``CORSMiddleware`` (``config.cors`` lists origins): outside the checks below, so
       their error answers carry CORS headers and browsers can read them;
    7. ``BodySizeLimitMiddleware`` (``config.max_body_size`` not ``None``);
    8. ``QuerySanitizerMiddleware``.

    A ``LexigramApp`` runs the entries of 2, 3, 7 and 8 that end the list with nothing else
    between them in its dispatcher instead of as layers (the same answers, decided at
    startup); ``apply_middleware`` applies every entry as a layer.

    The settings come from ``config``, else from the ``WebConfig`` registered in
    ``container`` (the first argument may be either), else the defaults. Extras are
    middleware classes, ``starlette.middleware.Middleware`` entries, ``(cls, {options})``
    pairs, or call-next instances (``async dispatch(request, call_next)``).
    """

    __slots__ = ("_config", "_extras")

    def __init__(
        self,
        config: WebConfig | ContainerLike | None = None,
        extra_middlewares: Sequence[object] | None = None,
        *,
        container: ContainerLike | None = None,
    ) -> None:
        if config is not None and not isinstance(config, WebConfig):
            if container is not None or not _is_container(config):
                raise TypeError(
                    f"DefaultMiddlewareStack takes a WebConfig or a container, got {config!r}"
                )
            config, container = None, config
        if config is None and container is not None and container.has(WebConfig):
            config = typing.cast(WebConfig, container.resolve(WebConfig))
        self._config = config if config is not None else WebConfig()
        self._extras = tuple(adapt_extra(entry) for entry in extra_middlewares or ())

    @property
    def config(self) -> WebConfig:
        """The configuration the stack is built from."""
        return self._config

    def build(self) -> list[Middleware]:
        """The ordered middleware list, outermost first (see the class docstring)."""
        config = self._config
        stack = [
            *self._extras,
            Middleware(
                RequestIDMiddleware,
                header_name=config.request_id_header,
                trust_incoming=config.trust_request_id,
            ),
        ]
        headers = config.security_headers
        if headers.enabled:
            options = headers.model_dump(exclude={"enabled", "hsts", "hsts_max_age"})
            options["hsts_max_age"] = headers.hsts_max_age if headers.hsts else None
            stack.append(Middleware(SecurityHeadersMiddleware, **options))
        gzip = config.gzip
        if gzip.enabled:
            options = gzip.model_dump(exclude={"enabled", "level"})
            stack.append(Middleware(GZipMiddleware, compresslevel=gzip.level, **options))
        if "*" not in config.trusted_hosts:
            stack.append(Middleware(TrustedHostMiddleware, allowed_hosts=config.trusted_hosts))
        cors = config.cors
        if cors.enabled:  # the section's fields are the middleware's options
            stack.append(Middleware(CORSMiddleware, **cors.model_dump()))
        if config.max_body_size is not None:
            stack.append(Middleware(BodySizeLimitMiddleware, max_body_size=config.max_body_size))
        stack.append(
            Middleware(
                QuerySanitizerMiddleware,
                config.sanitize_query_params,
                max_length=config.max_query_length,
                on_control=config.query_control_chars,
            )
        )
        return stack


def apply_middleware(app: ASGIApp, middleware: Iterable[Middleware]) -> ASGIApp:
    """Wrap ``app`` with ``middleware`` (outermost first) and return the outermost app.

    Each middleware is instantiated here, once: call this at startup, never per request.
    ``SecurityHeadersMiddleware`` directly inside ``RequestIDMiddleware`` is merged into it
    (one send wrapper adds both kinds of headers: the answers are the same, one step cheaper).
    """
    wrapped = app
    for entry in reversed(list(middleware)):
        wrapped = entry.cls(wrapped, *entry.args, **entry.kwargs)
        inner = getattr(wrapped, "app", None)
        if isinstance(wrapped, RequestIDMiddleware) and isinstance(
            inner, SecurityHeadersMiddleware
        ):
            # the two add response headers: one send wrapper adds both (same answers)
            wrapped.absorb(inner, inner.raw_headers)
    return wrapped
