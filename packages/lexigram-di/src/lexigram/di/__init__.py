"""A fast, scoped, async dependency-injection container with modules, providers and an Application lifecycle."""

__all__: list[str] = []
