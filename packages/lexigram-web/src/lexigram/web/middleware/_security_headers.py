"""Security response headers with safe defaults; a header the application set is kept."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_FRAME_OPTIONS = frozenset({"DENY", "SAMEORIGIN"})
_HSTS_PRELOAD_MIN_AGE = 31_536_000


class SecurityHeadersMiddleware:
    """Security headers on every HTTP response that does not already carry them.

    Always ``X-Content-Type-Options``, ``X-Frame-Options`` and ``Referrer-Policy``; when
    asked, ``Strict-Transport-Security``, ``Content-Security-Policy``, ``Permissions-Policy``
    and ``Cross-Origin-Opener-Policy``.

    ``None`` (or ``False``) leaves a header out. HSTS is sent when ``hsts_max_age`` is set;
    ``hsts_preload`` needs ``hsts_include_subdomains`` and a max-age of at least one year.
    """

    __slots__ = ("_headers", "_names", "app")

    def __init__(
        self,
        app: ASGIApp,
        *,
        content_type_options: bool = True,
        frame_options: str | None = "DENY",
        referrer_policy: str | None = "strict-origin-when-cross-origin",
        hsts_max_age: int | None = None,
        hsts_include_subdomains: bool = True,
        hsts_preload: bool = False,
        content_security_policy: str | None = None,
        permissions_policy: str | None = None,
        cross_origin_opener_policy: str | None = None,
    ) -> None:
        self.app = app
        wanted: dict[str, str | None] = {
            "x-content-type-options": "nosniff" if content_type_options else None,
            "x-frame-options": _frame_options(frame_options),
            "referrer-policy": referrer_policy,
            "strict-transport-security": _hsts(hsts_max_age, hsts_include_subdomains, hsts_preload),
            "content-security-policy": content_security_policy,
            "permissions-policy": permissions_policy,
            "cross-origin-opener-policy": cross_origin_opener_policy,
        }
        headers: list[tuple[bytes, bytes]] = []
        for name, value in wanted.items():
            if value is None:
                continue
            if not value or any(ch in value for ch in "\r\n\x00"):
                raise ValueError(f"{name}: the value must be non-empty with no CR, LF or NUL")
            headers.append((name.encode("ascii"), value.encode("latin-1")))
        self._headers = tuple(headers)
        self._names = frozenset(name for name, _ in headers)

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """The headers this middleware adds, encoded (lower-case names)."""
        return self._headers

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The headers this middleware adds, as ``(name, value)`` pairs."""
        return [(name.decode("ascii"), value.decode("latin-1")) for name, value in self._headers]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._headers:
            await self.app(scope, receive, send)
            return
        extra = self._headers
        names = self._names

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present: set[bytes] | None = None
                for name, _ in headers:
                    lowered = name.lower()
                    if lowered in names:
                        present = {lowered} if present is None else present | {lowered}
                if present is None:
                    headers.extend(extra)
                else:
                    headers.extend(pair for pair in extra if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _frame_options(value: str | None) -> str | None:
    if value is None:
        return None
    upper = value.upper()
    if upper not in _FRAME_OPTIONS:
        raise ValueError(f"frame_options must be 'DENY', 'SAMEORIGIN' or None, got {value!r}")
    return upper


def _hsts(max_age: int | None, include_subdomains: bool, preload: bool) -> str | None:
    if max_age is None:
        if preload:
            raise ValueError("hsts_preload needs hsts_max_age (at least 31536000)")
        return None
    if max_age < 0:
        raise ValueError(f"hsts_max_age must be >= 0, got {max_age}")
    value = f"max-age={max_age}"
    if include_subdomains:
        value += "; includeSubDomains"
    if preload:
        if not include_subdomains or max_age < _HSTS_PRELOAD_MIN_AGE:
            raise ValueError(
                "hsts_preload needs hsts_include_subdomains=True and hsts_max_age >= 31536000 "
                "(the preload list's requirements)"
            )
        value += "; preload"
    return value
