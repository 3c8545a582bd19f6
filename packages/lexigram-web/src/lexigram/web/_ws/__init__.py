"""WebSocket routes and class-based WebSocket handlers; imports rooms up to `_sse`."""
