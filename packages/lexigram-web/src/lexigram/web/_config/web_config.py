"""``WebConfig``: the validated, immutable settings of the web layer."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ImportString, field_validator, model_validator

from .._http.templates import TemplatesConfig
from .broadcast import BroadcastConfig
from .cors_rules import credentialed_origins_problem
from .health import HealthConfig
from .legacy import upgrade_deprecated_keys
from .observability import ObservabilityConfig
from .serving import (
    DEFAULT_BACKLOG,
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEP_ALIVE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    MAX_HEADER_TIMEOUT,
)
from .versioning import VersioningConfig, header_name


class WebConfigError(ValueError):
    """Raised for configuration that cannot be used; the message names the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CORSConfig(_Section):
    """Cross-origin resource sharing; the CORS middleware is installed when origins are listed."""

    allow_origins: tuple[str, ...] = ()
    allow_origin_regex: str | None = None
    allow_methods: tuple[str, ...] = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    allow_headers: tuple[str, ...] = ()
    allow_credentials: bool = False
    expose_headers: tuple[str, ...] = ()
    max_age: int = Field(default=600, ge=0)

    @property
    def enabled(self) -> bool:
        """Whether any origin may make cross-origin requests."""
        return bool(self.allow_origins) or self.allow_origin_regex is not None

    @field_validator("allow_origin_regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> Self:
        if self.allow_credentials:
            problem = credentialed_origins_problem(self.allow_origins, self.allow_origin_regex)
            if problem is not None:
                raise ValueError(problem)
        return self


class SecurityHeadersConfig(_Section):
    """Response headers added by the security-headers middleware (``None`` leaves one out)."""

    enabled: bool = True
    content_type_options: bool = True
    frame_options: Literal["DENY", "SAMEORIGIN"] | None = "DENY"
    referrer_policy: str | None = "strict-origin-when-cross-origin"
    hsts: bool = False
    hsts_max_age: int = Field(default=31_536_000, ge=0)
    hsts_include_subdomains: bool = True
    hsts_preload: bool = False
    content_security_policy: str | None = None
    permissions_policy: str | None = None
    cross_origin_opener_policy: str | None = None


class GZipConfig(_Section):
    """Response compression (off by default: a reverse proxy usually does it)."""

    enabled: bool = False
    minimum_size: int = Field(default=500, ge=0)
    level: int = Field(default=6, ge=1, le=9)
    excluded_media_types: tuple[str, ...] = ("text/event-stream",)


class OpenAPIConfig(_Section):
    """The generated OpenAPI 3.1 document and the interactive docs pages.

    ``enabled``: serve the document at ``openapi_url`` (``false``: no document, no docs).
    ``docs``: serve Swagger UI at ``docs_url`` and ReDoc at ``redoc_url`` (a ``None`` URL
    leaves that page out); ``None`` (the default) serves them when the ``docs`` extra is
    installed, ``true`` requires it (startup fails with the install hint), ``false`` never.
    ``security_schemes``: OpenAPI security scheme objects by name; a guard with an
    ``openapi_security`` attribute (a scheme name, ``{name: [scopes]}``, or a list of
    alternatives) attaches them to the routes it guards.
    """

    enabled: bool = True
    title: str = "Lexigram API"
    version: str = "0.1.0"
    description: str = ""
    openapi_url: str = "/openapi.json"
    docs: bool | None = None
    docs_url: str | None = "/docs"
    redoc_url: str | None = "/redoc"
    security_schemes: dict[str, dict[str, Any]] = Field(default_factory=dict[str, dict[str, Any]])

    @field_validator("security_schemes")
    @classmethod
    def _schemes_have_a_type(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, scheme in value.items():
            if scheme.get("type") not in ("apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"):
                raise ValueError(
                    f"security scheme {name!r} needs a 'type' of apiKey, http, mutualTLS,"
                    f" oauth2 or openIdConnect, e.g. {{'type': 'http', 'scheme': 'bearer'}}"
                )
        return value

    @field_validator("openapi_url", "docs_url", "redoc_url")
    @classmethod
    def _absolute_path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"must be an absolute path starting with '/', got {value!r}")
        return value


class WebConfig(_Section):
    """Every setting of the web layer; build it with keywords or ``load_web_config()``.

    Server: ``host``, ``port``, ``workers``, ``server`` (granian or uvicorn), ``reload``,
    ``root_path``, ``graceful_timeout`` (seconds a graceful stop waits for open connections,
    such as event streams, before closing them). Connections, per worker: ``backlog``
    (connections queued before they are accepted), ``max_connections`` (held at once),
    ``header_timeout`` (seconds to send the request headers, from the connection's first
    moment), ``keep_alive_timeout`` (seconds idle between requests); ``body_timeout``
    (seconds to wait for the next piece of a request body before answering 408; ``None``:
    wait forever). Requests: ``trusted_hosts`` (``"*"`` = any;
    else names or ``*.example.com``), ``trusted_proxies`` (peers whose forwarding headers
    are believed: addresses, networks or ``"*"``), ``max_body_size`` (bytes, ``None`` = no
    limit),
    ``max_query_length`` (bytes, longer is 414), ``sanitize_query_params`` and
    ``query_control_chars`` (``reject``: 400, or ``strip``), ``request_id_header`` and
    ``trust_request_id`` (reuse a sane incoming id). Errors: ``debug`` (5xx problems
    carry exception details: never in production), ``validation_status`` (422 or 400),
    ``strict_body`` (JSON body fields must have their declared type: an ``int`` refuses
    ``true``, ``"2"`` and ``2.0``; ``false`` accepts pydantic's lenient coercions).
    Routing: ``fail_on_route_conflict``. Sections: ``cors``, ``security_headers``,
    ``gzip``, ``openapi``, ``versioning``, ``health``, ``observability`` (tracing,
    metrics, access log), ``broadcast``, ``templates`` (``None``: no templates).
    ``debug_routes`` serves ``/_debug/routes`` behind ``debug_routes_auth`` (a guard, a
    callable, or its ``"module:attr"`` import string; required when on). Scale-out:
    ``production`` (set by the ``prod``/``production`` profile of ``load_web_config``) turns
    startup warnings about per-process state into errors; ``allow_per_worker_rate_limits``
    accepts rate limits counted in each worker's memory when several workers serve the app.

    The deprecated ``server: {host, port}`` and ``security`` sections are read as
    ``host``/``port`` and ``security_headers``, with a ``DeprecationWarning``.

    Immutable: derive a changed copy with ``config.model_copy(update={...})``.
    """

    debug: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    server: Literal["granian", "uvicorn"] = "granian"
    reload: bool = False
    graceful_timeout: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    backlog: int = Field(default=DEFAULT_BACKLOG, ge=1)
    max_connections: int = Field(default=DEFAULT_MAX_CONNECTIONS, ge=1)
    header_timeout: float = Field(default=DEFAULT_HEADER_TIMEOUT, gt=0, le=MAX_HEADER_TIMEOUT)
    keep_alive_timeout: float = Field(default=DEFAULT_KEEP_ALIVE_TIMEOUT, gt=0, allow_inf_nan=False)
    body_timeout: float | None = Field(default=DEFAULT_BODY_TIMEOUT, gt=0, allow_inf_nan=False)
    root_path: str = ""
    trusted_hosts: tuple[str, ...] = ("*",)
    trusted_proxies: tuple[str, ...] = ()
    max_body_size: int | None = Field(default=10 * 1024 * 1024, ge=0)
    max_query_length: int = Field(default=8192, ge=1)
    sanitize_query_params: bool = True
    query_control_chars: Literal["reject", "strip"] = "reject"
    validation_status: int = 422
    strict_body: bool = True
    fail_on_route_conflict: bool = True
    request_id_header: str = "X-Request-ID"
    trust_request_id: bool = True
    cors: CORSConfig = CORSConfig()
    security_headers: SecurityHeadersConfig = SecurityHeadersConfig()
    gzip: GZipConfig = GZipConfig()
    openapi: OpenAPIConfig = OpenAPIConfig()
    versioning: VersioningConfig = VersioningConfig()
    health: HealthConfig = HealthConfig()
    observability: ObservabilityConfig = ObservabilityConfig()
    templates: TemplatesConfig | None = None
    debug_routes: bool = False
    debug_routes_auth: ImportString[Callable[..., Any]] | None = None
    broadcast: BroadcastConfig = BroadcastConfig()
    production: bool = False
    allow_per_worker_rate_limits: bool = False

    @model_validator(mode="before")
    @classmethod
    def _deprecated_keys(cls, data: Any) -> Any:
        return upgrade_deprecated_keys(data)

    @field_validator("validation_status")
    @classmethod
    def _validation_status(cls, value: int) -> int:
        if value not in (400, 422):
            raise ValueError(f"must be 422 (the default) or 400, got {value}")
        return value

    @field_validator("request_id_header")
    @classmethod
    def _header_token(cls, value: str) -> str:
        return header_name(value)

    @field_validator("trusted_hosts")
    @classmethod
    def _host_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            if not pattern or ("*" in pattern and pattern != "*" and not _is_subdomain(pattern)):
                raise ValueError(
                    f"{pattern!r} is not a host pattern; use 'example.com', '*.example.com' or '*'"
                )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if entry == "*":
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network; "
                    "use e.g. '10.0.0.1', '10.0.0.0/8' or '*' (any peer)"
                ) from None
        return value

    @field_validator("root_path")
    @classmethod
    def _root_path(cls, value: str) -> str:
        if value and (not value.startswith("/") or value.endswith("/")):
            raise ValueError(f"must start with '/' and not end with '/', got {value!r}")
        return value

    def validate_production_security(self) -> Self:
        """Refuse settings that are unsafe in production; return ``self`` when there are none.

        Raises ``WebConfigError`` listing every problem with its fix.
        """
        problems: list[str] = []
        if self.debug:
            problems.append(
                "web.debug is true: debug mode exposes exception details; set web.debug: false "
                "(or LEXIGRAM_WEB__DEBUG=false)"
            )
        if self.debug_routes and self.debug_routes_auth is None:
            problems.append(
                "web.debug_routes is true without web.debug_routes_auth: the /_debug endpoints "
                "would be public; set web.debug_routes_auth to a guard ('package.module:guard') "
                "or set web.debug_routes: false"
            )
        if problems:
            raise WebConfigError(
                "insecure configuration for production:\n- " + "\n- ".join(problems)
            )
        return self


def _is_subdomain(pattern: str) -> bool:
    return pattern.startswith("*.") and "*" not in pattern[2:] and len(pattern) > 2
