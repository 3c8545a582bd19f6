import pickle

import pytest

from lexigram.http_errors import DEFAULT_ERROR_STATUSES, ErrorStatusMap, HTTPError, domain


def test_every_domain_error_is_a_domain_error_and_not_an_http_error() -> None:
    for name in domain.__all__:
        cls = getattr(domain, name)
        assert issubclass(cls, domain.DomainError)
        assert not issubclass(cls, HTTPError)


def test_default_statuses_follow_the_mapping_table() -> None:
    statuses = ErrorStatusMap()
    assert statuses.lookup(domain.NotFoundError) == 404
    assert statuses.lookup(domain.ValidationError) == 422
    assert statuses.lookup(domain.PermissionDeniedError) == 403
    assert statuses.lookup(domain.AuthorizationError) == 403
    assert statuses.lookup(domain.AuthenticationError) == 401
    assert statuses.lookup(domain.ConflictError) == 409
    assert statuses.lookup(domain.RateLimitError) == 429
    assert statuses.lookup(domain.DomainError) == 400


def test_default_statuses_cover_every_domain_error() -> None:
    assert set(DEFAULT_ERROR_STATUSES) == {getattr(domain, name) for name in domain.__all__}


def test_domain_error_has_a_message_and_code() -> None:
    error = domain.ConflictError("email already used", code="DUPLICATE_EMAIL")
    assert str(error) == "email already used"
    assert error.message == "email already used"
    assert error.code == "DUPLICATE_EMAIL"
    assert repr(error) == "ConflictError('email already used', code='DUPLICATE_EMAIL')"


def test_domain_error_message_defaults_per_class() -> None:
    assert str(domain.PermissionDeniedError()) == "Permission denied"
    assert str(domain.ValidationError()) == "Validation failed"
    assert repr(domain.AuthenticationError()) == "AuthenticationError('Authentication required')"


def test_not_found_builds_its_message_from_resource_and_identifier() -> None:
    assert str(domain.NotFoundError(resource="User", identifier=42)) == "User '42' not found"
    assert str(domain.NotFoundError(resource="User")) == "User not found"
    error = domain.NotFoundError("custom", resource="User", identifier=1)
    assert (str(error), error.resource, error.identifier) == ("custom", "User", 1)


def test_validation_error_carries_its_errors() -> None:
    errors = [{"loc": ["name"], "msg": "required", "type": "missing"}]
    error = domain.ValidationError(errors=errors)
    assert error.errors == errors
    assert error.errors is not errors
    assert domain.ValidationError().errors == []


def test_rate_limit_error_carries_retry_after() -> None:
    assert domain.RateLimitError(retry_after=2.5).retry_after == 2.5
    assert domain.RateLimitError().retry_after is None


def test_rate_limit_error_rejects_negative_retry_after() -> None:
    with pytest.raises(ValueError, match="retry_after"):
        domain.RateLimitError(retry_after=-1)


def test_domain_errors_survive_pickling() -> None:
    error = pickle.loads(pickle.dumps(domain.ValidationError("bad", errors=[{"msg": "x"}])))
    assert (type(error), str(error), error.errors) == (
        domain.ValidationError,
        "bad",
        [{"msg": "x"}],
    )
