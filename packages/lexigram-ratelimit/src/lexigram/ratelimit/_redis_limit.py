"""One rate bound to the Redis backend: every window checked in one script call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redis.exceptions import NoScriptError

from ._algorithm import SHORT_NAMES, CanonicalAlgorithm
from ._decision import RateLimitDecision, combine, new_decision
from ._lua import SCRIPTS
from ._rate import Rate

if TYPE_CHECKING:
    from ._redis import RedisBackend

__all__ = ["RedisLimit"]

_HIT, _PEEK = b"0", b"1"


class RedisLimit:
    """One rate bound to a ``RedisBackend``; every window checked in one script call."""

    __slots__ = (
        "_args",
        "_backend",
        "_clock",
        "_head",
        "_limits",
        "_script",
        "_suffixes",
        "_windows",
        "rate",
    )

    def __init__(
        self, backend: RedisBackend, rate: Rate, algorithm: CanonicalAlgorithm, burst: int | None
    ) -> None:
        self.rate = rate
        self._backend = backend
        self._clock = backend.clock
        self._script = SCRIPTS[algorithm]
        self._head = "{" + backend.key_prefix
        short = SHORT_NAMES[algorithm]
        suffixes: list[str] = []
        args: list[bytes] = []
        limits: list[int] = []
        for item in rate.items:
            window_us = item.seconds * 1_000_000
            if algorithm == "gcra":
                capacity = burst if burst is not None else item.amount
                interval = max(1, round(window_us / item.amount))
                numbers = (capacity, interval, (capacity - item.amount) * interval)
                limits.append(capacity)
                suffixes.append(f"}}:{short}:{item.amount}:{item.seconds}:{capacity}")
            else:
                numbers = (item.amount, window_us, 0)
                limits.append(item.amount)
                suffixes.append(f"}}:{short}:{item.amount}:{item.seconds}")
            args.extend(str(number).encode() for number in numbers)
        self._suffixes = tuple(suffixes)
        self._limits = tuple(limits)
        self._windows = tuple(args)
        self._args = (b"1", _HIT, b"", *args)

    def keys(self, key: str) -> list[str]:
        """The Redis keys of ``key``, one per window (one hash tag)."""
        head = self._head + key
        return [head + suffix for suffix in self._suffixes]

    def _decide(self, reply: bytes | str) -> RateLimitDecision:
        parts = reply.split()
        if len(parts) == 4:
            return new_decision(
                RateLimitDecision,
                (
                    int(parts[0]) == 1,
                    self._limits[0],
                    int(parts[1]),
                    int(parts[2]) / 1_000_000,
                    int(parts[3]) / 1_000_000,
                    (),
                ),
            )
        return combine(
            [
                RateLimitDecision(
                    int(parts[i]) == 1,
                    limit,
                    int(parts[i + 1]),
                    int(parts[i + 2]) / 1_000_000,
                    int(parts[i + 3]) / 1_000_000,
                )
                for i, limit in zip(range(0, len(parts), 4), self._limits, strict=True)
            ]
        )

    def _now(self) -> bytes:
        return b"" if self._clock is None else str(round(self._clock() * 1_000_000)).encode()

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecision:
        if cost == 1 and self._clock is None:
            args = self._args
        else:
            args = (str(cost).encode(), _HIT, self._now(), *self._windows)
        head = self._head + key
        keys = [head + suffix for suffix in self._suffixes]
        backend = self._backend
        script = self._script
        try:
            reply = await backend.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            reply = await backend.execute("EVAL", script.source, len(keys), *keys, *args)
        return self._decide(reply)

    async def peek(self, key: str) -> RateLimitDecision:
        args = (b"0", _PEEK, self._now(), *self._windows)
        reply = await self._backend.evalsha(self._script, self.keys(key), args)
        return self._decide(reply)

    async def reset(self, key: str) -> None:
        await self._backend.execute("DEL", *self.keys(key))
