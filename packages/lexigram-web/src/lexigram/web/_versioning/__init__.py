"""Reading the requested API version and versioned routes; imports rooms up to `_openapi`."""
