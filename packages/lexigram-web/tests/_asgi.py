"""Driving a ``LexigramApp`` with hand-made ASGI messages (what a test client cannot send)."""

from collections.abc import Awaitable, Callable
from typing import Any

from lexigram.web import LexigramApp


async def send_request(
    app: LexigramApp,
    path: str,
    receive: Callable[[], Awaitable[Any]],
    headers: list[tuple[bytes, bytes]],
    method: str = "POST",
) -> list[dict[str, Any]]:
    """Start ``app``, run one HTTP request reading its body from ``receive``, stop the app;
    answers the messages the app sent."""
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("1.2.3.4", 1),
    }
    async with app.lifespan():
        await app(scope, receive, send)
    return sent
