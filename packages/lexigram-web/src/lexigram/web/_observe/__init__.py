"""Observability: the per-request record and its middleware, pipeline hooks, structured logs,
tracing and metrics (their extras imported only when turned on) and their startup; imports
`_declare`, `_http` and `_config`."""
