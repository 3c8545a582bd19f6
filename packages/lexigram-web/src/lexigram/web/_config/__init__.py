"""`WebConfig`, its loader and the settings records; imports `_declare` and `_http`."""
