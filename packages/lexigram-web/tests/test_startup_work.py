"""Startup shares work between routes: handlers annotated alike in one module resolve their
type hints once, and no cyclic collection runs while routes compile."""

import gc
from typing import Any

from lexigram.web import LexigramApp
from lexigram.web._binding.signature import HintsCache, read_handler


def _handler_in(namespace: dict[str, Any]) -> Any:
    exec("def handler(x: 'Thing', y: 'int') -> 'Thing': ...", namespace)
    return namespace["handler"]


def test_handlers_annotated_alike_in_one_module_share_their_resolved_hints() -> None:
    cache: HintsCache = {}
    namespace: dict[str, Any] = {"Thing": float}
    first, second = _handler_in(namespace), _handler_in(namespace)
    params, returns = read_handler(first, skip_first=False, label="first", hints_cache=cache)
    assert [(p.name, p.annotation) for p in params] == [("x", float), ("y", int)]
    assert returns is float
    assert read_handler(second, skip_first=False, label="second", hints_cache=cache)[1] is float
    assert len(cache) == 1


def test_the_same_annotation_strings_in_another_module_resolve_there() -> None:
    cache: HintsCache = {}
    as_float = _handler_in({"Thing": float})
    as_str = _handler_in({"Thing": str})
    assert read_handler(as_float, skip_first=False, label="a", hints_cache=cache)[1] is float
    assert read_handler(as_str, skip_first=False, label="b", hints_cache=cache)[1] is str
    assert len(cache) == 2


class _SeesTheCollector:
    """A guard whose startup hook records whether the collector runs while routes compile."""

    def __init__(self) -> None:
        self.enabled_while_compiling: bool | None = None

    def setup(self, container: Any) -> None:
        self.enabled_while_compiling = gc.isenabled()

    def can_activate(self, context: Any) -> bool:
        return True


async def test_no_collection_while_routes_compile_and_the_collector_is_restored() -> None:
    for was_enabled in (True, False):
        app = LexigramApp()
        guard = _SeesTheCollector()
        app.use_guards(guard)

        @app.get("/x")
        async def x() -> dict[str, int]:
            return {"x": 1}

        if not was_enabled:
            gc.disable()
        try:
            async with app.lifespan():
                assert guard.enabled_while_compiling is False
                assert gc.isenabled() is was_enabled
        finally:
            gc.enable()
