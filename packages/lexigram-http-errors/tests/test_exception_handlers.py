import gc
from collections.abc import Callable
from typing import Any

import pytest

from lexigram.http_errors import ExceptionHandlers, HTTPError, NotFoundError


class AppError(Exception):
    pass


class OrderError(AppError):
    pass


def test_lookup_by_exact_type() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({ValueError: "value"})
    assert handlers.lookup(ValueError("x")) == "value"


def test_lookup_walks_the_mro_most_specific_first() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({AppError: "app", Exception: "any"})
    assert handlers.lookup(OrderError()) == "app"
    assert handlers.lookup(KeyError()) == "any"


def test_type_match_beats_a_status_match() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({404: "status", NotFoundError: "type"})
    assert handlers.lookup(NotFoundError()) == "type"


def test_status_match_beats_the_fallback() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({404: "status"}, fallback="fallback")
    assert handlers.lookup(NotFoundError()) == "status"
    assert handlers.lookup(KeyError()) == "fallback"


def test_http_error_status_is_used_when_no_status_is_given() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({418: "teapot"})
    assert handlers.lookup(HTTPError(418)) == "teapot"


def test_an_explicit_status_is_used_for_any_exception() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({500: "server"})
    assert handlers.lookup(RuntimeError(), 500) == "server"
    assert handlers.lookup(RuntimeError()) is None


def test_lookup_accepts_an_exception_class() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({AppError: "app"})
    assert handlers.lookup(OrderError) == "app"


def test_nothing_matches_gives_none() -> None:
    assert ExceptionHandlers[str]().lookup(ValueError()) is None


def test_adding_the_same_key_twice_is_refused_unless_replacing() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({ValueError: "first"})
    with pytest.raises(ValueError, match="replace=True"):
        handlers.add(ValueError, "second")
    handlers.add(404, "a")
    with pytest.raises(ValueError, match="replace=True"):
        handlers.add(404, "b")
    handlers.add(ValueError, "second", replace=True)
    assert handlers.lookup(ValueError()) == "second"


@pytest.mark.parametrize("key", [200, 600, True, "404", str])
def test_invalid_keys_are_refused(key: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        ExceptionHandlers[str]().add(key, "h")


def test_decorator_form_registers_and_returns_the_handler() -> None:
    handlers: ExceptionHandlers[Callable[[BaseException], str]] = ExceptionHandlers()

    @handlers.handler(KeyError)
    def on_key_error(exc: BaseException) -> str:
        return "key"

    assert handlers.lookup(KeyError()) is on_key_error
    assert on_key_error(KeyError()) == "key"


def test_adding_a_handler_invalidates_cached_lookups() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers(fallback="fallback")
    assert handlers.lookup(KeyError()) == "fallback"
    handlers.add(KeyError, "key")
    assert handlers.lookup(KeyError()) == "key"


def test_set_fallback_replaces_and_clears() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers()
    handlers.set_fallback("fb")
    assert handlers.fallback == "fb"
    assert handlers.lookup(KeyError()) == "fb"
    handlers.set_fallback(None)
    assert handlers.lookup(KeyError()) is None


def test_child_falls_back_to_parent_types_statuses_and_fallback() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers({AppError: "app", 404: "404"}, fallback="fb")
    controller = app.child()
    assert controller.parent is app
    assert controller.lookup(OrderError()) == "app"
    assert controller.lookup(NotFoundError()) == "404"
    assert controller.lookup(KeyError()) == "fb"


def test_child_handler_wins_for_the_same_key() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers({AppError: "app"})
    controller = app.child()
    controller.add(AppError, "controller")
    assert controller.lookup(OrderError()) == "controller"
    assert app.lookup(OrderError()) == "app"


def test_parent_type_match_beats_child_status_match() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers({NotFoundError: "type"})
    controller = app.child()
    controller.add(404, "status")
    assert controller.lookup(NotFoundError()) == "type"


def test_child_fallback_beats_parent_fallback() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers(fallback="app")
    controller = ExceptionHandlers(fallback="controller", parent=app)
    assert controller.lookup(KeyError()) == "controller"


def test_adding_to_the_parent_invalidates_child_caches() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers()
    controller = app.child()
    assert controller.lookup(KeyError()) is None
    app.add(KeyError, "key")
    assert controller.lookup(KeyError()) == "key"


def test_dropped_children_do_not_break_the_parent() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers()
    app.child()
    gc.collect()
    app.add(KeyError, "key")
    assert app.lookup(KeyError()) == "key"


def test_copy_is_independent_of_the_original() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers({KeyError: "key"}, fallback="fb")
    clone = app.copy()
    clone.add(ValueError, "value")
    assert app.lookup(ValueError()) == "fb"
    assert clone.lookup(KeyError()) == "key"
    assert clone.fallback == "fb"


def test_len_contains_keys_and_repr() -> None:
    handlers: ExceptionHandlers[str] = ExceptionHandlers({KeyError: "k", 404: "s"})
    assert len(handlers) == 2
    assert KeyError in handlers
    assert 404 in handlers
    assert ValueError not in handlers
    assert list(handlers.keys()) == [KeyError, 404]
    assert repr(handlers) == "ExceptionHandlers([KeyError, 404])"


def test_the_child_handler_for_a_base_class_beats_the_parent_handler_for_a_subclass() -> None:
    app: ExceptionHandlers[str] = ExceptionHandlers({OrderError: "app, specific"})
    route = app.child()
    route.add(AppError, "route, general")
    assert route.lookup(OrderError()) == "route, general"
    assert app.lookup(OrderError()) == "app, specific"
