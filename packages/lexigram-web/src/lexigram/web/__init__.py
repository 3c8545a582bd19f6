"""A NestJS / ASP.NET Core-style web framework on Starlette.

Controllers, dependency injection, guards, pipes, interceptors and exception filters.

``LexigramApp`` (or ``create_app``) is the ASGI application. Routes are declared with ``get``,
``post``, ... on controller methods or plain functions; parameters bind by convention (path,
query, JSON body, services from the lexigram-di container) or with ``path()``/``query()``/...
markers. Every error is one ``application/problem+json`` shape.

The HTTP error classes and ``ProblemDetail`` of lexigram-http-errors are re-exported here, so
one import serves a web application. ``Ok``/``Err``/``Result`` stay in ``lexigram.result``
(lexigram-web maps any result-like value without depending on it).
"""

# First: fails fast, naming the fix, when another project's `lexigram` is in the way.
from . import _namespace  # noqa: F401  # pyright: ignore[reportUnusedImport]

# isort: split

from lexigram.di import injectable, scoped, singleton, transient
from lexigram.http_errors import (
    BadRequestError,
    ConflictError,
    ConnectionLimitError,
    ForbiddenError,
    HTTPError,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    ProblemDetail,
    Redirect,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    WebSocketException,
    error_status,
)

from ._app import LexigramApp, create_app
from ._binding.pipes import (
    DefaultValuePipe,
    ParseBoolPipe,
    ParseDatePipe,
    ParseEnumPipe,
    ParseIntPipe,
    ParseUUIDPipe,
    ValidationPipe,
)
from ._binding.validation import RequestValidationError
from ._broadcast.errors import BroadcastOverflowError, BroadcastUnavailableError
from ._broadcast.fanout import Subscription
from ._broadcast.memory import MemoryBroadcaster
from ._broadcast.protocol import Broadcaster, BroadcastSubscription
from ._broadcast.status import BroadcastStatus
from ._config.broadcast import BroadcastConfig
from ._config.health import HealthConfig
from ._config.loader import load_web_config
from ._config.observability import (
    AccessLogConfig,
    MetricsConfig,
    ObservabilityConfig,
    TracingConfig,
)
from ._config.settings import AppSettings
from ._config.versioning import VersioningConfig
from ._config.web_config import (
    CORSConfig,
    GZipConfig,
    OpenAPIConfig,
    SecurityHeadersConfig,
    WebConfig,
    WebConfigError,
)
from ._controllers.controller import Controller, CQRSController, controller
from ._controllers.discovery import discover_controllers
from ._controllers.generic import CRUDServiceProtocol, GenericController
from ._declare.decorators import (
    RouteConfig,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    route,
    set_metadata,
    trace,
    use_pipes,
    websocket,
)
from ._declare.errors import ConfigurationError
from ._declare.params import (
    ParamMetadata,
    ParamSource,
    body,
    cookie,
    file,
    form,
    header,
    path,
    query,
)
from ._declare.protocols import (
    AuthorizerProtocol,
    CallHandlerProtocol,
    CommandBusProtocol,
    ExecutionContextProtocol,
    GuardProtocol,
    InterceptorProtocol,
    PipeProtocol,
    QueryBusProtocol,
    RateLimitDecisionProtocol,
    RateLimiterProtocol,
    RatePolicyProtocol,
    ResultLike,
)
from ._declare.provider_protocols import (
    ConfigAccessorProtocol,
    ControllerSourceProtocol,
    WebAppAccessorProtocol,
    WebProviderProtocol,
)
from ._declare.versioning import ApiVersionMetadata, api_version, version
from ._http.background import BackgroundTasks, background
from ._http.context import ExecutionContext, RouteInfo
from ._http.current_user import get_current_user_optional, get_current_user_required
from ._http.render import ResultResponseMapper
from ._http.request import Request
from ._http.responses import (
    FileResponse,
    HTMLContent,
    HTMLResponse,
    HTMXResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
    file_response,
    html_response,
    json_response,
    redirect_response,
    streaming_response,
    text_response,
)
from ._http.templates import (
    TemplateNotFoundError,
    TemplateResponse,
    Templates,
    TemplatesConfig,
    render_template,
)
from ._http.websocket import WebSocket, WebSocketDisconnect
from ._lifecycle.events import (
    LifespanShutdownCompleted,
    LifespanStartupCompleted,
    RequestReceived,
    ResponsePrepared,
)
from ._lifecycle.hub import EventHub
from ._observe.logs import RequestContextFilter, StructuredFormatter
from ._observe.observation import current_trace_id
from ._pipeline.filters import catch, use_filters
from ._pipeline.guards import RoleGuard, UserRolesAuthorizer, guard, roles, use_guards
from ._pipeline.interceptors import (
    CallHandler,
    Interceptor,
    LoggingInterceptor,
    TimingInterceptor,
    use_interceptors,
)
from ._pipeline.throttle import rate_limit, throttle
from ._routing.controllers import ControllerRegistry, register_controller
from ._routing.debug import BasicAuthGuard, BearerTokenGuard
from ._routing.registry import RouteRegistry
from ._routing.router import RouteConflictError, Router
from ._serve.server import run_server
from ._sse.event import ServerSentEvent
from ._sse.response import EventSourceResponse
from ._sse.route import sse
from ._versioning.extract import VersionExtractor, get_version
from ._web_module import WebModule, WebProvider
from ._ws.handler import AbstractWebSocketHandler, WebSocketHandler, websocket_handler
from .middleware import (
    DefaultMiddlewareStack,
    RequestIDLogFilter,
    apply_middleware,
    current_request_id,
    get_request_id,
)

__all__ = [
    "AbstractWebSocketHandler",
    "AccessLogConfig",
    "ApiVersionMetadata",
    "AppSettings",
    "AuthorizerProtocol",
    "BackgroundTasks",
    "BadRequestError",
    "BasicAuthGuard",
    "BearerTokenGuard",
    "BroadcastConfig",
    "BroadcastOverflowError",
    "BroadcastStatus",
    "BroadcastSubscription",
    "BroadcastUnavailableError",
    "Broadcaster",
    "CORSConfig",
    "CQRSController",
    "CRUDServiceProtocol",
    "CallHandler",
    "CallHandlerProtocol",
    "CommandBusProtocol",
    "ConfigAccessorProtocol",
    "ConfigurationError",
    "ConflictError",
    "ConnectionLimitError",
    "Controller",
    "ControllerRegistry",
    "ControllerSourceProtocol",
    "DefaultMiddlewareStack",
    "DefaultValuePipe",
    "EventHub",
    "EventSourceResponse",
    "ExecutionContext",
    "ExecutionContextProtocol",
    "FileResponse",
    "ForbiddenError",
    "GZipConfig",
    "GenericController",
    "GuardProtocol",
    "HTMLContent",
    "HTMLResponse",
    "HTMXResponse",
    "HTTPError",
    "HealthConfig",
    "Interceptor",
    "InterceptorProtocol",
    "InternalServerError",
    "JSONResponse",
    "LexigramApp",
    "LifespanShutdownCompleted",
    "LifespanStartupCompleted",
    "LoggingInterceptor",
    "MemoryBroadcaster",
    "MethodNotAllowedError",
    "MetricsConfig",
    "NotFoundError",
    "ObservabilityConfig",
    "OpenAPIConfig",
    "ParamMetadata",
    "ParamSource",
    "ParseBoolPipe",
    "ParseDatePipe",
    "ParseEnumPipe",
    "ParseIntPipe",
    "ParseUUIDPipe",
    "PayloadTooLargeError",
    "PipeProtocol",
    "PlainTextResponse",
    "ProblemDetail",
    "QueryBusProtocol",
    "RateLimitDecisionProtocol",
    "RateLimiterProtocol",
    "RatePolicyProtocol",
    "Redirect",
    "RedirectResponse",
    "Request",
    "RequestContextFilter",
    "RequestIDLogFilter",
    "RequestReceived",
    "RequestValidationError",
    "Response",
    "ResponsePrepared",
    "ResultLike",
    "ResultResponseMapper",
    "RoleGuard",
    "RouteConfig",
    "RouteConflictError",
    "RouteInfo",
    "RouteRegistry",
    "Router",
    "SecurityHeadersConfig",
    "ServerSentEvent",
    "ServiceUnavailableError",
    "StreamingResponse",
    "StructuredFormatter",
    "Subscription",
    "TemplateNotFoundError",
    "TemplateResponse",
    "Templates",
    "TemplatesConfig",
    "TimingInterceptor",
    "TooManyRequestsError",
    "TracingConfig",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "UserRolesAuthorizer",
    "ValidationPipe",
    "VersionExtractor",
    "VersioningConfig",
    "WebAppAccessorProtocol",
    "WebConfig",
    "WebConfigError",
    "WebModule",
    "WebProvider",
    "WebProviderProtocol",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketHandler",
    "api_version",
    "apply_middleware",
    "background",
    "body",
    "catch",
    "controller",
    "cookie",
    "create_app",
    "current_request_id",
    "current_trace_id",
    "delete",
    "discover_controllers",
    "error_status",
    "file",
    "file_response",
    "form",
    "get",
    "get_current_user_optional",
    "get_current_user_required",
    "get_request_id",
    "get_version",
    "guard",
    "head",
    "header",
    "html_response",
    "injectable",
    "json_response",
    "load_web_config",
    "options",
    "patch",
    "path",
    "post",
    "put",
    "query",
    "rate_limit",
    "redirect_response",
    "register_controller",
    "render_template",
    "roles",
    "route",
    "run_server",
    "scoped",
    "set_metadata",
    "singleton",
    "sse",
    "streaming_response",
    "text_response",
    "throttle",
    "trace",
    "transient",
    "use_filters",
    "use_guards",
    "use_interceptors",
    "use_pipes",
    "version",
    "websocket",
    "websocket_handler",
]
