"""``BroadcastConfig``: which broadcaster fans messages out (the ``broadcast`` section)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["REDIS_ONLY", "BroadcastConfig"]

REDIS_ONLY = (
    "url",
    "channel_prefix",
    "timeout",
    "ping_interval",
    "retry_backoff",
    "publish_connections",
)
"""Settings that only the Redis backend reads."""


class BroadcastConfig(BaseModel):
    """How WebSocket broadcasts and ``broadcaster.publish`` reach subscribers.

    ``backend``: ``"memory"`` (the default: subscribers of this process only, no dependency)
    or ``"redis"`` (every process subscribed to the same Redis; needs
    ``pip install "lexigram-web[redis]"`` and ``url``). ``queue_size``: messages one
    subscriber may have waiting; ``on_overflow`` says what happens to a subscriber that falls
    that far behind: ``"drop_oldest"`` (the oldest waiting message is dropped and counted in
    the subscription's ``dropped``) or ``"disconnect"`` (its iteration raises
    ``BroadcastOverflowError``, ending the stream).

    Redis only (refused under the memory backend, where they would do nothing): ``url``
    (``redis://host:6379/0``, ``rediss://`` or ``unix://``), ``channel_prefix`` (put before
    every channel name in Redis: separates apps sharing one Redis), ``timeout``
    (seconds one publish, connect or subscribe confirmation may take), ``ping_interval``
    (seconds of silence before the subscriber connection is pinged; no answer within
    ``timeout`` counts as a lost connection), ``retry_backoff`` (first and longest wait in
    seconds between reconnection attempts, doubling), ``publish_connections`` (connections
    publishes share; one more connection carries every subscription).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: Literal["memory", "redis"] = "memory"
    channel_prefix: str = "lexigram:"
    queue_size: int = Field(default=1000, ge=1)
    on_overflow: Literal["drop_oldest", "disconnect"] = "drop_oldest"
    url: str | None = None
    timeout: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    ping_interval: float = Field(default=5.0, gt=0, allow_inf_nan=False)
    retry_backoff: tuple[float, float] = (0.05, 5.0)
    publish_connections: int = Field(default=4, ge=1)

    @field_validator("retry_backoff")
    @classmethod
    def _backoff(cls, value: tuple[float, float]) -> tuple[float, float]:
        first, longest = value
        if not 0 < first <= longest:
            raise ValueError(
                f"must be (first, longest) seconds with 0 < first <= longest, got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _backend_settings(self) -> Self:
        if self.backend == "redis" and not self.url:
            raise ValueError(
                "backend 'redis' needs url: set broadcast.url (e.g. redis://localhost:6379/0,"
                " or LEXIGRAM_WEB__BROADCAST__URL)"
            )
        if self.backend == "memory":
            given = sorted(set(REDIS_ONLY) & self.model_fields_set)
            if given:
                raise ValueError(
                    f"{', '.join(given)} only apply to backend 'redis': set broadcast.backend:"
                    " redis, or remove them"
                )
        return self
