"""Errors web raises at startup (bad configuration never waits for a request)."""

from __future__ import annotations

__all__ = ["ConfigurationError"]


class ConfigurationError(RuntimeError):
    """The app's routes, handlers or wiring are invalid; the message names the fix."""
