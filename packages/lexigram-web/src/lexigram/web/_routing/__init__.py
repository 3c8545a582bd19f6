"""Path templates, converters, router, route registry; imports rooms up to `_config`."""
