import lexigram.di


def test_public_api_is_pinned() -> None:
    assert lexigram.di.__all__ == [
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


def test_every_public_name_is_importable() -> None:
    for name in lexigram.di.__all__:
        assert getattr(lexigram.di, name) is not None
