"""Errors raised by registries, buses and the built-in behaviours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self


def type_name(tp: object) -> str:
    """``module.Qualname`` of a class or function, for error messages."""
    module = getattr(tp, "__module__", None)
    qualname = getattr(tp, "__qualname__", None) or repr(tp)
    return f"{module}.{qualname}" if module and module != "builtins" else qualname


class CQRSError(Exception):
    """Base class of the errors raised by lexigram-cqrs (except ``PublishError``)."""


class RegistrationError(CQRSError):
    """A handler or behaviour is misconfigured; raised at startup, never per message."""


class DuplicateHandlerError(RegistrationError):
    """A second handler was registered for a command or query type."""

    def __init__(self, kind: str, message_type: type[Any], existing: str, duplicate: str) -> None:
        self.message_type = message_type
        self.existing = existing
        self.duplicate = duplicate
        super().__init__(
            f"{kind} {type_name(message_type)} already has a handler ({existing}); "
            f"cannot also register {duplicate}. A {kind} has exactly one handler: "
            "remove one of the two registrations"
        )


class HandlerNotFoundError(CQRSError, LookupError):
    """No handler is registered for the dispatched message type."""

    def __init__(self, kind: str, message_type: type[Any], hint: str = "") -> None:
        self.message_type = message_type
        name = message_type.__qualname__
        decorator = f"{kind}_handler"
        text = (
            f"no {kind} handler is registered for {type_name(message_type)}; decorate one with "
            f"@{decorator}({name}) and pass it to HandlerRegistry([...]) / registry.add(handler) "
            "(or CQRSModule.configure(handlers=[...]))"
        )
        super().__init__(f"{text}. {hint}" if hint else text)


class MessageValidationError(CQRSError, ValueError):
    """A message failed validation; ``errors`` is a list of ``{"loc", "msg", "type"}`` dicts."""

    def __init__(self, message_type: type[Any], errors: Sequence[dict[str, Any]]) -> None:
        self.message_type = message_type
        self.errors: list[dict[str, Any]] = list(errors)
        summary = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
            for e in self.errors
        )
        super().__init__(f"{message_type.__qualname__} is invalid: {summary}")


class MessageTimeoutError(CQRSError, TimeoutError):
    """Handling a message took longer than the limit of ``TimeoutBehaviour``."""

    def __init__(self, message_type: type[Any], seconds: float) -> None:
        self.message_type = message_type
        self.seconds = seconds
        super().__init__(
            f"handling {message_type.__qualname__} exceeded its {seconds:g} s timeout; raise the "
            "limit with TimeoutBehaviour(per_type={...}) if this message is expected to be slow"
        )


class TransportError(CQRSError):
    """An integration event could not be handed to its transport (e.g. Redis is down)."""


class EventDecodeError(CQRSError):
    """A received message cannot become an event: unknown name or a payload that does not fit.

    Retrying cannot help, so consumers move such a message to the dead-letter stream at once.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"cannot decode integration event {name!r}: {reason}")


class PublishError(ExceptionGroup[Exception]):
    """One or more event handlers failed; every other handler still ran.

    ``event_type`` is the published type and ``handlers`` names the failed handlers,
    in the order of ``exceptions``.
    """

    event_type: type[Any]
    handlers: tuple[str, ...]

    def __new__(
        cls,
        message: str,
        exceptions: Sequence[Exception],
        *,
        event_type: type[Any] = object,
        handlers: Sequence[str] = (),
    ) -> Self:
        self = super().__new__(cls, message, exceptions)
        self.event_type = event_type
        self.handlers = tuple(handlers)
        return self

    def __init__(
        self,
        message: str,
        exceptions: Sequence[Exception],
        *,
        event_type: type[Any] = object,
        handlers: Sequence[str] = (),
    ) -> None:
        super().__init__(message, exceptions)

    def derive(self, excs: Sequence[Exception]) -> PublishError:  # type: ignore[override]
        kept = [self.handlers[i] for i, e in enumerate(self.exceptions) if e in excs]
        return PublishError(self.message, excs, event_type=self.event_type, handlers=kept)
