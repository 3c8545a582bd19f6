"""Guards, interceptors, filters, throttles, endpoint core; imports rooms up to `_binding`."""
