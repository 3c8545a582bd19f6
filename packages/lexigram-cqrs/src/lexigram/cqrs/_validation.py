"""``ValidationBehaviour``: reject invalid messages before their handler runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._errors import MessageValidationError, RegistrationError
from ._pipeline import Next

Issue = str | tuple[str, str]
"""A problem: a message-level text, or ``(field, text)``."""
Validator = Callable[[Any], Iterable[Issue] | None]
"""Returns the problems of one message (nothing, or an empty iterable, when valid)."""

VALIDATE_METHOD = "validate_message"


class ValidationBehaviour:
    """Run the validators of a message's type; raise ``MessageValidationError``.

    Validators come from ``validators`` (keyed by message type; a base type's
    validators also run for its subclasses) and from a ``validate_message(self)``
    method defined on the message class. Message types with neither skip this
    behaviour entirely (decided once per type).
    """

    __slots__ = ("_by_type", "_validators")

    def __init__(self, validators: Mapping[type[Any], Validator] | None = None) -> None:
        self._validators = dict(validators or {})
        for message_type, validator in self._validators.items():
            if not callable(validator):
                raise RegistrationError(
                    f"the validator of {message_type.__qualname__} must be callable as "
                    "validator(message) -> iterable of problems"
                )
        self._by_type: dict[type[Any], tuple[Validator, ...]] = {}

    def _for(self, message_type: type[Any]) -> tuple[Validator, ...]:
        found = self._by_type.get(message_type)
        if found is None:
            chosen: list[Validator] = [
                self._validators[k] for k in message_type.__mro__ if k in self._validators
            ]
            method: Validator | None = getattr(message_type, VALIDATE_METHOD, None)
            if callable(method):
                chosen.append(method)
            found = self._by_type[message_type] = tuple(chosen)
        return found

    def applies_to(self, message_type: type[Any]) -> bool:
        return bool(self._for(message_type))

    async def __call__(self, message: Any, next: Next, /) -> Any:
        errors: list[dict[str, Any]] = []
        message_type: type[Any] = message.__class__
        for validator in self._for(message_type):
            for issue in validator(message) or ():
                errors.append(_as_error(issue))
        if errors:
            raise MessageValidationError(message_type, errors)
        return await next(message)


def _as_error(issue: Issue) -> dict[str, Any]:
    if isinstance(issue, tuple):
        loc, msg = issue
        return {"loc": [loc], "msg": msg, "type": "value_error"}
    return {"loc": [], "msg": issue, "type": "value_error"}
