"""Typed commands, queries and events with DI-built handlers and pipeline behaviours."""

__all__: list[str] = []
