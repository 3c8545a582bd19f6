"""Defaults of the connection limits and timeouts, shared by ``WebConfig`` and ``run_server``.

They bound what one client can hold: a connection that sends nothing, stalls in its headers,
idles between requests or stalls in its body is closed (or answered 408) after these many
seconds, and one worker holds at most ``DEFAULT_MAX_CONNECTIONS`` connections at once.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_BACKLOG",
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_KEEP_ALIVE_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "GRANIAN_MIN_BACKLOG",
    "MAX_HEADER_TIMEOUT",
]

DEFAULT_BACKLOG: Final = 1024
"""Connections the kernel queues before the server accepts them."""
DEFAULT_MAX_CONNECTIONS: Final = 1000
"""Connections one worker holds at once (below the usual limit of 1024 open files)."""
DEFAULT_HEADER_TIMEOUT: Final = 10.0
"""Seconds a new connection (or a request on a kept-alive one) has to send its headers."""
DEFAULT_KEEP_ALIVE_TIMEOUT: Final = 5.0
"""Seconds an idle connection is kept open between two requests."""
DEFAULT_BODY_TIMEOUT: Final = 30.0
"""Seconds the application waits for the next piece of a request body before answering 408."""
MAX_HEADER_TIMEOUT: Final = 60.0
"""Granian's ceiling for its header read timeout."""
GRANIAN_MIN_BACKLOG: Final = 128
"""Granian's floor for its backlog (it raises a smaller one to this without a word)."""
