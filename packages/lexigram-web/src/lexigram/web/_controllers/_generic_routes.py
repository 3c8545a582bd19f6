"""The routes ``GenericController`` generates for a model: list, get, create, update, delete.

Each builder returns a function typed with the subclass's model and limits, marked as
generated so a method the subclass writes itself wins.
"""

from __future__ import annotations

import inspect
import typing
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model

from .._declare.decorators import route
from .._http.context import ExecutionContext
from .._openapi.responses import problem_ref

GENERATED = "__lexigram_generated__"
ID_CONVERTERS: dict[type, str] = {str: "", int: ":int", uuid.UUID: ":uuid"}


def generated(fn: Callable[..., Any], annotations: dict[str, Any], name: str) -> Any:
    fn.__annotations__ = annotations
    fn.__name__ = fn.__qualname__ = name
    setattr(fn, GENERATED, True)
    return fn


def id_base(id_type: Any) -> Any:
    """``id_type`` without its ``Annotated`` constraints."""
    if typing.get_origin(id_type) is Annotated:
        return typing.get_args(id_type)[0]
    return id_type


def page_model(cls: Any, model: type[BaseModel]) -> type[BaseModel]:
    """``{T}Page``: the list route's documented answer (one per model along a hierarchy)."""
    items: Any = typing.cast(Any, list)[model]
    inherited: type[BaseModel] | None = getattr(cls, "page_model", None)
    if inherited is not None and inherited.model_fields["items"].annotation == items:
        return inherited
    page: type[BaseModel] = create_model(
        f"{model.__name__}Page",
        __module__=model.__module__,
        __doc__=f"A page of {model.__name__} items.",
        items=(items, ...),
        limit=(int, ...),
        offset=(int, ...),
        total=(int | None, Field(description="All items, or null when unknown.")),
    )
    return page


# The problems each generated route documents (see the module docstring for the rule).
_NOT_FOUND: dict[int | str, Any] = {404: problem_ref("NotFound")}
_CONFLICT: dict[int | str, Any] = {409: problem_ref("Conflict")}


def _list_items(cls: Any, model: type[BaseModel]) -> Any:
    async def list_items(
        self: Any, limit: int = cls.default_limit, offset: int = 0, **filters: Any
    ) -> Any:
        return await self.list_page(limit, offset, **filters)

    limit = Annotated[int, Field(ge=1, le=cls.max_limit)]
    offset = Annotated[int, Field(ge=0, le=cls.max_offset)]
    annotations: dict[str, Any] = {"limit": limit, "offset": offset}
    annotations.update(dict.fromkeys(cls.filter_fields, str | None))
    annotations["return"] = cls.page_model
    fn = generated(list_items, annotations, "list_items")
    if cls.filter_fields:
        signature = inspect.signature(list_items)
        head = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        keyword = inspect.Parameter.KEYWORD_ONLY
        extra = [inspect.Parameter(name, keyword, default=None) for name in cls.filter_fields]
        fn.__signature__ = signature.replace(parameters=[*head, *extra, *_var_keyword(signature)])
    return route("GET", "", summary=f"List {model.__name__} items")(fn)


def _var_keyword(signature: inspect.Signature) -> list[inspect.Parameter]:
    return [p for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD]


def _item_path(cls: Any) -> str:
    return "/{item_id" + ID_CONVERTERS[id_base(cls.id_type)] + "}"


def _get_item(cls: Any, model: type[BaseModel]) -> Any:
    async def get_item(self: Any, item_id: Any) -> Any:
        return await self.get_one(item_id)

    fn = generated(get_item, {"item_id": cls.id_type, "return": Any}, "get_item")
    return route("GET", _item_path(cls), response_model=model, responses=_NOT_FOUND)(fn)


def _create_item(cls: Any, model: type[BaseModel]) -> Any:
    async def create_item(self: Any, data: Any, context: Any = None) -> Any:
        return await self.create_one(data, context)

    annotations = {"data": model, "context": ExecutionContext, "return": Any}
    fn = generated(create_item, annotations, "create_item")
    return route("POST", "", status_code=201, response_model=model, responses=_CONFLICT)(fn)


def _update_item(cls: Any, model: type[BaseModel]) -> Any:
    async def update_item(self: Any, item_id: Any, data: Any) -> Any:
        return await self.update_one(item_id, data)

    annotations = {"item_id": cls.id_type, "data": model, "return": Any}
    fn = generated(update_item, annotations, "update_item")
    responses = {**_NOT_FOUND, **_CONFLICT}
    return route("PUT", _item_path(cls), response_model=model, responses=responses)(fn)


def _delete_item(cls: Any, model: type[BaseModel]) -> Any:
    async def delete_item(self: Any, item_id: Any) -> Any:
        return await self.delete_one(item_id)

    fn = generated(delete_item, {"item_id": cls.id_type, "return": Any}, "delete_item")
    return route("DELETE", _item_path(cls), status_code=204, responses=_NOT_FOUND)(fn)


ROUTES: dict[str, Callable[[Any, type[BaseModel]], Any]] = {
    "list_items": _list_items,
    "get_item": _get_item,
    "create_item": _create_item,
    "update_item": _update_item,
    "delete_item": _delete_item,
}
