import gc
from typing import Any

import pytest

from lexigram.http_errors import (
    ErrorStatusMap,
    ForbiddenError,
    HTTPError,
    NotFoundError,
    domain,
    error_status,
)


class PaymentError(Exception):
    pass


class CardDeclined(PaymentError):
    pass


class ExpiredCard(CardDeclined):
    pass


def test_unknown_exception_maps_to_none() -> None:
    assert ErrorStatusMap().lookup(ValueError) is None
    assert ErrorStatusMap().lookup(ValueError("x")) is None


def test_register_maps_a_type_and_its_subclasses() -> None:
    statuses = ErrorStatusMap()
    statuses.register(PaymentError, 402)
    assert statuses.lookup(PaymentError) == 402
    assert statuses.lookup(ExpiredCard()) == 402


def test_most_specific_class_in_the_mro_wins() -> None:
    statuses = ErrorStatusMap({PaymentError: 402, CardDeclined: 409})
    assert statuses.lookup(ExpiredCard) == 409
    assert statuses.lookup(PaymentError) == 402


def test_registering_again_replaces_the_status() -> None:
    statuses = ErrorStatusMap()
    statuses.register(domain.ValidationError, 400)
    assert statuses.lookup(domain.ValidationError) == 400
    statuses.register(domain.ValidationError, 422)
    assert statuses.lookup(domain.ValidationError) == 422


def test_registration_beats_the_defaults_for_the_same_class() -> None:
    statuses = ErrorStatusMap({domain.NotFoundError: 410})
    assert statuses.lookup(domain.NotFoundError("gone")) == 410


def test_domain_subclass_falls_back_to_its_base_default() -> None:
    class OrderNotFound(domain.NotFoundError):
        pass

    assert ErrorStatusMap().lookup(OrderNotFound) == 404


def test_http_error_instance_maps_to_its_own_status() -> None:
    assert ErrorStatusMap().lookup(HTTPError(418)) == 418


def test_http_error_classes_cannot_be_registered() -> None:
    with pytest.raises(TypeError, match="carries its own status_code"):
        ErrorStatusMap({NotFoundError: 410})


def test_error_status_refuses_http_error_classes() -> None:
    with pytest.raises(TypeError, match="carries its own status_code"):
        error_status(410)(NotFoundError)
    with pytest.raises(TypeError, match="carries its own status_code"):
        error_status(HTTPError, 500)


def test_http_error_classes_declare_their_status() -> None:
    assert ErrorStatusMap().lookup(NotFoundError) == 404
    assert ErrorStatusMap().lookup(ForbiddenError) == 403
    assert ErrorStatusMap().lookup(HTTPError) is None


@pytest.mark.parametrize("bad", [200, 399, 600, True])
def test_register_rejects_statuses_outside_400_599(bad: int) -> None:
    with pytest.raises(ValueError, match="400-599"):
        ErrorStatusMap().register(ValueError, bad)


def test_register_rejects_non_exception_types() -> None:
    bad: Any = int
    with pytest.raises(TypeError, match="exception class"):
        ErrorStatusMap().register(bad, 400)


def test_child_falls_back_to_the_parent() -> None:
    app = ErrorStatusMap({PaymentError: 402})
    controller = app.child({KeyError: 404})
    assert controller.parent is app
    assert controller.lookup(KeyError) == 404
    assert controller.lookup(CardDeclined) == 402
    assert app.lookup(KeyError) is None


def test_child_entry_wins_over_parent_for_the_same_type() -> None:
    app = ErrorStatusMap({PaymentError: 402})
    controller = app.child({PaymentError: 400})
    assert controller.lookup(PaymentError) == 400


def test_specific_type_in_the_parent_beats_a_base_type_in_the_child() -> None:
    app = ErrorStatusMap({CardDeclined: 402})
    controller = app.child({PaymentError: 400})
    assert controller.lookup(ExpiredCard) == 402
    assert controller.lookup(PaymentError) == 400


def test_registering_on_the_parent_updates_cached_child_lookups() -> None:
    app = ErrorStatusMap()
    controller = app.child()
    assert controller.lookup(PaymentError) is None
    app.register(PaymentError, 402)
    assert controller.lookup(PaymentError) == 402


def test_registering_on_a_grandparent_updates_grandchildren() -> None:
    root = ErrorStatusMap()
    leaf = root.child().child()
    assert leaf.lookup(KeyError) is None
    root.register(KeyError, 404)
    assert leaf.lookup(KeyError) == 404


def test_dropped_children_are_forgotten_by_the_parent() -> None:
    app = ErrorStatusMap()
    app.child()
    gc.collect()
    app.register(KeyError, 404)
    assert app.lookup(KeyError) == 404


def test_copy_is_independent() -> None:
    app = ErrorStatusMap({PaymentError: 402})
    clone = app.copy()
    clone.register(KeyError, 404)
    assert app.lookup(KeyError) is None
    assert clone.lookup(PaymentError) == 402


def test_copy_keeps_the_parent() -> None:
    root = ErrorStatusMap({KeyError: 404})
    clone = root.child().copy()
    assert clone.parent is root
    assert clone.lookup(KeyError) == 404


def test_maps_are_independent_instances() -> None:
    first, second = ErrorStatusMap(), ErrorStatusMap()
    first.register(KeyError, 404)
    assert second.lookup(KeyError) is None


def test_len_contains_items_and_repr_cover_own_entries() -> None:
    statuses = ErrorStatusMap({KeyError: 404}, parent=ErrorStatusMap({ValueError: 400}))
    assert len(statuses) == 1
    assert KeyError in statuses
    assert ValueError not in statuses
    assert list(statuses.items()) == [(KeyError, 404)]
    assert repr(statuses) == "ErrorStatusMap({KeyError: 404}, parent=...)"


def test_error_status_with_one_argument_marks_an_exception_class() -> None:
    @error_status(402)
    class PaymentRequired(Exception):
        pass

    class Subscription(PaymentRequired):
        pass

    assert ErrorStatusMap().lookup(PaymentRequired) == 402
    assert ErrorStatusMap().lookup(Subscription()) == 402


def test_declared_status_on_a_domain_subclass_beats_the_base_default() -> None:
    @error_status(410)
    class ItemGone(domain.NotFoundError):
        pass

    assert ErrorStatusMap().lookup(ItemGone) == 410


def test_map_entry_beats_a_declared_status_on_the_same_class() -> None:
    @error_status(402)
    class PaymentRequired(Exception):
        pass

    assert ErrorStatusMap({PaymentRequired: 400}).lookup(PaymentRequired) == 400


def test_error_status_one_argument_form_refuses_non_exception_classes() -> None:
    not_an_exception: Any = int
    with pytest.raises(TypeError, match="exception class"):
        error_status(404)(not_an_exception)


def test_error_status_rejects_bad_statuses_at_decoration_time() -> None:
    with pytest.raises(ValueError, match="400-599"):
        error_status(302)
    with pytest.raises(ValueError, match="400-599"):
        error_status(KeyError, 700)


def test_error_status_on_an_owner_class_builds_its_map() -> None:
    @error_status(CardDeclined, 402)
    @error_status(KeyError, 404)
    class BillingController:
        pass

    app = ErrorStatusMap({ValueError: 400})
    statuses = ErrorStatusMap.for_class(BillingController, parent=app)
    assert statuses.lookup(ExpiredCard) == 402
    assert statuses.lookup(KeyError) == 404
    assert statuses.lookup(ValueError) == 400
    assert app.lookup(CardDeclined) is None


def test_owner_declarations_are_inherited_and_overridable() -> None:
    @error_status(KeyError, 404)
    @error_status(CardDeclined, 402)
    class Base:
        pass

    @error_status(KeyError, 410)
    class Derived(Base):
        pass

    derived = ErrorStatusMap.for_class(Derived)
    assert derived.lookup(KeyError) == 410
    assert derived.lookup(CardDeclined) == 402
    assert ErrorStatusMap.for_class(Base).lookup(KeyError) == 404


def test_owner_without_declarations_gives_an_empty_map() -> None:
    class Plain:
        pass

    assert len(ErrorStatusMap.for_class(Plain)) == 0


def test_error_status_two_argument_form_decorates_classes_only() -> None:
    def function() -> None:
        pass

    not_a_class: Any = function
    with pytest.raises(TypeError, match="decorates a class"):
        error_status(KeyError, 404)(not_a_class)
