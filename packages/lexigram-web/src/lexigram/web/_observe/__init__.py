"""Request observation: the per-request record, its middleware, pipeline hooks, structured logs;
imports `_declare`, `_http` and `_config`."""
