"""A fast, scoped, async dependency-injection container.

It comes with modules, providers and an ``Application`` lifecycle."""

from ._application import Application
from ._container import Container
from ._errors import (
    BootError,
    CircularDependencyError,
    DIError,
    FinalizerError,
    LifetimeError,
    MissingDependencyError,
    RegistrationError,
    ResolutionError,
    ShutdownError,
)
from ._health import HealthCheckResult, HealthReport, HealthStatus
from ._introspect import Named
from ._lifetime import Lifetime, injectable, lifetime_of, scoped, singleton, transient
from ._module import DynamicModule, Module, ModuleMeta, module
from ._override import Override
from ._provider import Provider
from ._registration import Registration
from ._scope import Scope

__all__ = [
    "Application",
    "BootError",
    "CircularDependencyError",
    "Container",
    "DIError",
    "DynamicModule",
    "FinalizerError",
    "HealthCheckResult",
    "HealthReport",
    "HealthStatus",
    "Lifetime",
    "LifetimeError",
    "MissingDependencyError",
    "Module",
    "ModuleMeta",
    "Named",
    "Override",
    "Provider",
    "Registration",
    "RegistrationError",
    "ResolutionError",
    "Scope",
    "ShutdownError",
    "injectable",
    "lifetime_of",
    "module",
    "scoped",
    "singleton",
    "transient",
]
