"""A NestJS / ASP.NET Core-style web framework on Starlette: controllers, DI, guards, pipes, interceptors, filters."""

__all__: list[str] = []
