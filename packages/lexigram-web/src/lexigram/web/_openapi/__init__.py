"""The OpenAPI document, its schemas and the docs pages; imports rooms up to `_ws`."""
