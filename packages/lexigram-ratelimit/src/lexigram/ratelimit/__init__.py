"""Exact, fast rate limits on memory or Redis."""

__all__: list[str] = []
