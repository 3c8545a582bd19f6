"""Type-checked, never run: services resolved from an app's container keep their types,
Protocols included (the seams web consumes are Protocols)."""

from typing import Any, assert_type

from lexigram.web import CommandBusProtocol, LexigramApp, RateLimiterProtocol


class Clock:
    def now(self) -> float:
        return 0.0


async def check(app: LexigramApp) -> None:
    app.singleton(Clock)
    assert_type(app.container.resolve(Clock), Clock)
    assert_type(app.container.resolve(RateLimiterProtocol), RateLimiterProtocol)
    assert_type(await app.container.aresolve(CommandBusProtocol), CommandBusProtocol)
    assert_type(app.container.resolve("settings"), Any)
    assert_type(app.container.resolve_all(RateLimiterProtocol), list[RateLimiterProtocol])
    app.container.resolve(Clock).later()  # type: ignore[attr-defined]
