"""Server-sent events: framing, response, `@sse` routes; imports rooms up to `_pipeline`."""
