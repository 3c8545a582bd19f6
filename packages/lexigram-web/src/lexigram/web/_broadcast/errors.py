"""The errors a broadcaster raises."""

from __future__ import annotations

from lexigram.http_errors import ServiceUnavailableError

__all__ = ["BroadcastOverflowError", "BroadcastUnavailableError"]


class BroadcastUnavailableError(ServiceUnavailableError):
    """A publish could not be handed to the broadcast backend in time (Redis down or too slow),
    or the broadcaster is closed. Raised out of a request handler it is answered as a 503
    problem with ``Retry-After``; the reason is in ``__cause__`` and the log, not the body."""

    def __init__(self, detail: str = "live updates are unavailable; retry later") -> None:
        super().__init__(detail, retry_after=1.0)


class BroadcastOverflowError(Exception):
    """Raised by a subscription's iteration when ``on_overflow="disconnect"`` ended it: its
    subscriber let ``queue_size`` messages wait. Catch it to resume from a durable source (or
    let the stream end: clients reconnect)."""

    def __init__(self, channel: str, queue_size: int) -> None:
        super().__init__(
            f"the subscriber of {channel!r} fell {queue_size} messages behind and was"
            " disconnected (on_overflow='disconnect'); read faster, raise"
            " broadcast.queue_size, or choose on_overflow='drop_oldest'"
        )
        self.channel = channel
        self.queue_size = queue_size
