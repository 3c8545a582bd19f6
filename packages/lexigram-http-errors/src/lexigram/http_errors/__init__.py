"""HTTP and domain error classes, RFC 9457 problem details, exception-handler registry."""

__all__: list[str] = []
