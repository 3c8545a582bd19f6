"""Class-based WebSocket handlers: ``@websocket_handler(path)`` on an ``AbstractWebSocketHandler``.

The class is built by the container like a controller (once when nothing it needs is
request-scoped, else once per connection in the connection's DI scope) and listed like one
(``LexigramApp(controllers=[ChatHandler])`` or ``@app.websocket_handler(path)``). Per
connection the framework runs: the app's, the class's and ``on_connect``'s guards (the
handshake) -> the per-user connection limit -> ``on_connect`` (accepts by default; its extra
parameters bind like a ``@websocket`` handler's: path, query, header, services) ->
``on_message`` for every message (decoded per ``encoding``) -> ``on_disconnect`` (always, once
the connection was accepted; bounded even when the connection task is cancelled).

Heartbeat (``ping_interval``): ASGI gives applications no access to protocol-level ping
frames (servers such as uvicorn send those themselves), so the heartbeat is made of ordinary
messages: every ``ping_interval`` seconds the handler sends ``ping_message()`` (by default
``{"type": "ping"}`` for JSON handlers, ``"ping"`` otherwise) and the client must answer with a
message ``is_pong()`` accepts (``{"type": "pong"}`` / ``"pong"``) within ``ping_timeout``
seconds, or the connection is closed with 1011 ("ping timeout"). Pongs never reach
``on_message``.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal, Never, TypeVar

from .._declare.decorators import WEBSOCKET, RouteConfig
from .._declare.errors import ConfigurationError
from .._declare.keywords import check_path, refuse_unknown
from .._declare.metadata import set_value
from .._http.context import state_value
from .._http.current_user import user_identity
from .._http.websocket import DEFAULT_MAX_MESSAGE_SIZE, WebSocket
from .._pipeline.core import Endpoint, EndpointParts
from ._handler_endpoint import build_handler_endpoint
from ._hub import ConnectionHub, Exclude, Where
from .endpoint import HANDLER_OPTIONS

__all__ = [
    "HANDLER_ROUTE",
    "AbstractWebSocketHandler",
    "HandlerOptions",
    "WebSocketHandler",
    "websocket_handler",
]

H = TypeVar("H", bound=type)
HANDLER_ROUTE: Final = "websocket_handler_route"
"""Class metadata key: ``(on_connect binding view, RouteConfig)``, the route
``controller_routes`` reports for a handler class."""
Encoding = Literal["json", "text", "bytes"] | None


class AbstractWebSocketHandler:
    """Base class of ``@websocket_handler`` classes; override the ``on_*`` hooks.

    ``encoding`` decides what ``on_message`` receives: ``"json"`` (decoded JSON, the default;
    malformed JSON closes with 1007), ``"text"``, ``"bytes"`` (the other frame type closes
    with 1003) or ``None`` (the raw ``str`` or ``bytes``).
    """

    encoding: ClassVar[Encoding] = "json"
    _lexigram_hub: ConnectionHub | None = None

    async def on_connect(self, websocket: WebSocket, *args: Any, **kwargs: Any) -> None:
        """Called once the handshake passed the guards; accept (the default) or close.

        Overrides may declare more parameters after ``websocket`` (path, query, header,
        services): they are bound like a ``@websocket`` handler's."""
        await websocket.accept()

    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        """Called for every message (pongs excepted)."""

    async def on_disconnect(self, websocket: WebSocket) -> None:
        """Called once the connection has ended (``websocket.close_code`` tells how)."""

    # -- connections of this route in this app --------------------------------------------
    @property
    def connections(self) -> tuple[WebSocket, ...]:
        """The open connections of this handler's route in this process (and app)."""
        return self._hub().connections

    async def broadcast(
        self, message: Any, *, exclude: Exclude = None, where: Where = None, local: bool = False
    ) -> int:
        """Send ``message`` to the open connections of this route.

        ``str`` goes as a text frame, ``bytes`` as a binary one, anything else as JSON. The
        ``exclude`` connection is left out, and only those ``where`` accepts are sent to. A
        connection that fails is skipped.

        In one process (or with ``local=True``) answers how many connections got it. With the
        app's broadcaster shared between processes (``broadcast.backend: redis``) the
        connections of every process receive it and the answer is how many processes the
        broadcaster handed it to; ``where`` then needs ``local=True`` (this process's
        connections only)."""
        return await self._hub().broadcast(message, exclude=exclude, where=where, local=local)

    # -- hooks with defaults ----------------------------------------------------------------
    def user_key(self, websocket: WebSocket) -> Hashable | None:
        """Who the connection belongs to, for ``max_connections_per_user``.

        The authenticated user's ``id``/``identity``/``username`` (a key of a mapping user or
        an attribute; ``scope["user"]`` or ``state.user``), else the client's address (from
        ``X-Forwarded-For`` behind a trusted proxy), the same identity ``@throttle`` keys on;
        ``None`` exempts the connection from the limit."""
        scope = websocket.scope
        user = scope.get("user")
        if user is None:
            user = state_value(scope, "user")
        identity = user_identity(user)
        if identity is not None:
            return ("user", identity)
        client_ip = websocket.client_ip
        return ("client", client_ip) if client_ip else None

    def ping_message(self) -> str | bytes:
        """The heartbeat message sent every ``ping_interval`` seconds."""
        if self.encoding == "json":
            return '{"type":"ping"}'
        return b"ping" if self.encoding == "bytes" else "ping"

    def is_pong(self, message: Any) -> bool:
        """Whether a received (decoded) message answers the heartbeat."""
        if self.encoding == "json":
            return bool(message == {"type": "pong"})
        return bool(message == (b"pong" if self.encoding == "bytes" else "pong"))

    # -- internals ---------------------------------------------------------------------------
    def _hub(self) -> ConnectionHub:
        hub = self._lexigram_hub
        if hub is None:
            raise RuntimeError(
                f"this {type(self).__name__} was not built by an app's websocket route: to"
                " broadcast from elsewhere, register the handler as a singleton"
                f" (@singleton or app.singleton({type(self).__name__})) and inject it"
            )
        return hub

    def _attach(self, hub: ConnectionHub) -> None:
        current = self._lexigram_hub
        if current is not None and current is not hub and len(current):
            raise ConfigurationError(
                f"one {type(self).__name__} instance is serving two running apps; give each"
                " app its own container (or register the handler as transient)"
            )
        self._lexigram_hub = hub


WebSocketHandler = AbstractWebSocketHandler
"""The same base class as `AbstractWebSocketHandler`, named like Tornado's."""


@dataclass(frozen=True, slots=True)
class HandlerOptions:
    """A ``websocket_handler`` declaration (stored in its route's ``RouteConfig.extra``)."""

    cls: type[AbstractWebSocketHandler]
    ping_interval: float | None
    ping_timeout: float | None
    max_connections_per_user: int | None
    max_message_size: int | None

    def build_endpoint(self, parts: EndpointParts) -> Endpoint:
        return build_handler_endpoint(parts, self)


def _binding_view(cls: type[AbstractWebSocketHandler]) -> Callable[..., Any]:
    """``cls.on_connect`` as the route compiler should bind it: without its ``websocket``
    parameter (passed positionally by the endpoint, whatever its name or annotation)."""
    on_connect = cls.on_connect
    signature = inspect.signature(on_connect)
    params = list(signature.parameters.values())
    if len(params) < 2 or params[1].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise TypeError(
            f"{cls.__qualname__}.on_connect must take the connection first:"
            " `async def on_connect(self, websocket: WebSocket, ...)`"
        )
    socket_name = params[1].name

    async def view(*args: Any, **kwargs: Any) -> None:  # pragma: no cover - never called
        raise AssertionError("the binding view of on_connect is not callable")

    functools.update_wrapper(view, on_connect)
    view.__annotations__ = {k: v for k, v in on_connect.__annotations__.items() if k != socket_name}
    typing.cast(Any, view).__signature__ = signature.replace(parameters=[params[0], *params[2:]])
    return view


def _is_handler_class(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, AbstractWebSocketHandler)


def _positive(name: str, value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or value <= 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")


_HANDLER_KEYWORDS: Final = frozenset(
    {"ping_interval", "ping_timeout", "max_connections_per_user", "max_message_size", "name"}
)


def websocket_handler(
    path: str = "",
    *,
    ping_interval: float | None = None,
    ping_timeout: float | None = None,
    max_connections_per_user: int | None = None,
    max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
    name: str | None = None,
    **unknown: Never,
) -> Callable[[H], H]:
    """Declare an ``AbstractWebSocketHandler`` subclass as the handler of ``path``.

    ``ping_interval``/``ping_timeout``: the message heartbeat (seconds; the timeout defaults to
    the interval; ``None``: no heartbeat). ``max_connections_per_user``: open connections per
    ``user_key`` (the next one is accepted then closed with 1013 and a reason).
    ``max_message_size``: bytes per received message (1009 above it; ``None``: no limit).
    ``name``: the route name (default ``ClassName.on_connect``). Any other keyword is refused
    (a type checker flags it too).
    """
    where = f"@websocket_handler({check_path('websocket_handler', path)!r})"
    refuse_unknown(where, unknown, _HANDLER_KEYWORDS)
    _positive("ping_interval", ping_interval)
    _positive("ping_timeout", ping_timeout)
    if ping_timeout is not None and ping_interval is None:
        raise ValueError("ping_timeout needs ping_interval (the heartbeat is off without it)")
    if max_connections_per_user is not None and (
        isinstance(max_connections_per_user, bool) or max_connections_per_user < 1
    ):
        raise ValueError(
            f"max_connections_per_user must be at least 1, got {max_connections_per_user!r}"
        )
    if max_message_size is not None and max_message_size < 1:
        raise ValueError(f"max_message_size must be at least 1, got {max_message_size!r}")

    def decorate(cls: H) -> H:
        if not _is_handler_class(cls):
            raise TypeError(
                f"@websocket_handler({path!r}) decorates an AbstractWebSocketHandler subclass, got"
                f" {cls!r}; write `class {getattr(cls, '__name__', 'Handler')}"
                "(AbstractWebSocketHandler): ...`"
            )
        handler_cls = typing.cast("type[AbstractWebSocketHandler]", cls)
        options = HandlerOptions(
            cls=handler_cls,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout if ping_timeout is not None else ping_interval,
            max_connections_per_user=max_connections_per_user,
            max_message_size=max_message_size,
        )
        config = RouteConfig(
            method=WEBSOCKET,
            path=path,
            name=name,
            extra={HANDLER_OPTIONS: options},
        )
        set_value(cls, HANDLER_ROUTE, (_binding_view(handler_cls), config))
        return cls

    return decorate
