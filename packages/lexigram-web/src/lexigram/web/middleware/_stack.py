"""The default middleware stack, in explicit order, and applying a stack to an ASGI app."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from starlette.middleware import Middleware
from starlette.types import ASGIApp

from .._config.web_config import WebConfig
from .._http.request_id import RequestIDMiddleware
from ._body_limit import BodySizeLimitMiddleware
from ._cors import CORSMiddleware
from ._gzip import GZipMiddleware
from ._query import QuerySanitizerMiddleware
from ._security_headers import SecurityHeadersMiddleware
from ._trusted_host import TrustedHostMiddleware


class DefaultMiddlewareStack:
    """The middleware every Lexigram application runs, as an explicit, extendable list.

    ``build()`` returns, outermost first:

    1. ``RequestIDMiddleware``: every later answer, errors included, carries the id;
    2. ``SecurityHeadersMiddleware`` (``config.security_headers.enabled``);
    3. ``GZipMiddleware`` (``config.gzip.enabled``);
    4. ``TrustedHostMiddleware`` (``config.trusted_hosts`` other than ``["*"]``);
    5. ``CORSMiddleware`` (``config.cors`` lists origins): outside the checks below, so
       their error answers carry CORS headers and browsers can read them;
    6. ``BodySizeLimitMiddleware`` (``config.max_body_size`` not ``None``);
    7. ``QuerySanitizerMiddleware``;
    8. ``extra_middlewares``, in the given order, innermost: they see requests that passed
       the checks above.

    Extras are ``starlette.middleware.Middleware`` entries, middleware classes taking the
    wrapped app as their only required argument, or factory functions ``app -> app``.

    A ``LexigramApp`` builds its stack with this class from its ``WebConfig``, its providers'
    middleware and its ``middleware=`` as the extras (``app.middleware_stack`` is that
    instance), so the order above is what every app runs.
    """

    __slots__ = ("_config", "_extras")

    def __init__(
        self,
        config: WebConfig | None = None,
        extra_middlewares: Sequence[Middleware | type[object] | Callable[..., Any]] | None = None,
    ) -> None:
        self._config = config if config is not None else WebConfig()
        extras: list[Middleware] = []
        for entry in extra_middlewares or ():
            if isinstance(entry, Middleware):
                extras.append(entry)
            elif isinstance(entry, type) or _is_factory(entry):
                extras.append(Middleware(cast("Callable[..., ASGIApp]", entry)))
            else:
                raise TypeError(
                    f"extra middleware {entry!r} is neither a middleware class, a factory"
                    " function (app -> app) nor a starlette.middleware.Middleware; pass the"
                    " class, or Middleware(MyMiddleware, option=...) to give it options"
                )
        self._extras = tuple(extras)

    @property
    def config(self) -> WebConfig:
        """The configuration the stack is built from."""
        return self._config

    def build(self) -> list[Middleware]:
        """The ordered middleware list, outermost first (see the class docstring)."""
        config = self._config
        stack = [
            Middleware(
                RequestIDMiddleware,
                header_name=config.request_id_header,
                trust_incoming=config.trust_request_id,
            )
        ]
        headers = config.security_headers
        if headers.enabled:
            stack.append(
                Middleware(
                    SecurityHeadersMiddleware,
                    content_type_options=headers.content_type_options,
                    frame_options=headers.frame_options,
                    referrer_policy=headers.referrer_policy,
                    hsts_max_age=headers.hsts_max_age if headers.hsts else None,
                    hsts_include_subdomains=headers.hsts_include_subdomains,
                    hsts_preload=headers.hsts_preload,
                    content_security_policy=headers.content_security_policy,
                    permissions_policy=headers.permissions_policy,
                    cross_origin_opener_policy=headers.cross_origin_opener_policy,
                )
            )
        gzip = config.gzip
        if gzip.enabled:
            stack.append(
                Middleware(
                    GZipMiddleware,
                    minimum_size=gzip.minimum_size,
                    compresslevel=gzip.level,
                    excluded_media_types=gzip.excluded_media_types,
                )
            )
        if "*" not in config.trusted_hosts:
            stack.append(Middleware(TrustedHostMiddleware, allowed_hosts=config.trusted_hosts))
        cors = config.cors
        if cors.enabled:
            stack.append(
                Middleware(
                    CORSMiddleware,
                    allow_origins=cors.allow_origins,
                    allow_origin_regex=cors.allow_origin_regex,
                    allow_methods=cors.allow_methods,
                    allow_headers=cors.allow_headers,
                    allow_credentials=cors.allow_credentials,
                    expose_headers=cors.expose_headers,
                    max_age=cors.max_age,
                )
            )
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
        stack.extend(self._extras)
        return stack


def _is_factory(entry: object) -> bool:
    return (
        inspect.isfunction(entry) or inspect.ismethod(entry) or isinstance(entry, functools.partial)
    )


def apply_middleware(app: ASGIApp, middleware: Iterable[Middleware]) -> ASGIApp:
    """Wrap ``app`` with ``middleware`` (outermost first) and return the outermost app.

    Each middleware is instantiated here, once: call this at startup, never per request.
    """
    wrapped = app
    for entry in reversed(list(middleware)):
        wrapped = entry.cls(wrapped, *entry.args, **entry.kwargs)
    return wrapped
