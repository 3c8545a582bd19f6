import lexigram.cqrs


def test_public_api_is_pinned() -> None:
    assert lexigram.cqrs.__all__ == [
        "Behaviour",
        "CQRSError",
        "CallStyle",
        "Command",
        "CommandBus",
        "DirectActivator",
        "DuplicateHandlerError",
        "Event",
        "EventBus",
        "HandlerActivator",
        "HandlerForm",
        "HandlerNotFoundError",
        "HandlerRegistry",
        "HandlerSpec",
        "LoggingBehaviour",
        "Message",
        "MessageKind",
        "MessageMetadata",
        "MessageTimeoutError",
        "MessageValidationError",
        "Next",
        "OnlyFor",
        "PublishError",
        "PublishStrategy",
        "Query",
        "QueryBus",
        "RegistrationError",
        "RetryBehaviour",
        "StreamQuery",
        "TimeoutBehaviour",
        "UnitOfWork",
        "UnitOfWorkBehaviour",
        "ValidationBehaviour",
        "Validator",
        "command_handler",
        "event_handler",
        "idempotent",
        "is_idempotent",
        "metadata_of",
        "only_for",
        "query_handler",
    ]


def test_every_public_name_is_importable() -> None:
    for name in lexigram.cqrs.__all__:
        assert getattr(lexigram.cqrs, name) is not None
