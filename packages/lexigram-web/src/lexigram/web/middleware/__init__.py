"""Pure-ASGI middleware, and the default stack that orders it.

Request ids, security headers, CORS, trusted hosts, body and query limits, gzip."""

from .._http.request_id import (
    RequestIDLogFilter,
    RequestIDMiddleware,
    current_request_id,
    get_request_id,
    request_id_of,
)
from ._body_limit import BodySizeLimitMiddleware
from ._cors import CORSMiddleware
from ._gzip import GZipMiddleware
from ._query import QuerySanitizerMiddleware
from ._security_headers import SecurityHeadersMiddleware
from ._stack import DefaultMiddlewareStack, apply_middleware
from ._trusted_host import TrustedHostMiddleware

__all__ = [
    "BodySizeLimitMiddleware",
    "CORSMiddleware",
    "DefaultMiddlewareStack",
    "GZipMiddleware",
    "QuerySanitizerMiddleware",
    "RequestIDLogFilter",
    "RequestIDMiddleware",
    "SecurityHeadersMiddleware",
    "TrustedHostMiddleware",
    "apply_middleware",
    "current_request_id",
    "get_request_id",
    "request_id_of",
]
