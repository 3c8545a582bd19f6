"""``GenericController[T]``: list/get/create/update/delete routes over a CRUD service.

    class UserController(GenericController[User]):
        prefix = "/users"

        def __init__(self, service: UserService) -> None:
            super().__init__(service, resource_name="user")

gives ``GET /users?limit=&offset=``, ``GET /users/{item_id}``, ``POST /users`` (201 with a
``Location`` header), ``PUT /users/{item_id}`` and ``DELETE /users/{item_id}`` (204). Request and
response bodies are the pydantic model ``T``; a page is ``{T}Page`` (``items``, ``limit``,
``offset``, ``total``). The service returns result-like values (``is_ok``/``unwrap``/
``unwrap_err``, e.g. lexigram-result's ``Ok``/``Err``); an ``Err`` is answered as problem+json
through the controller's error-status map (``NotFoundError`` 404, ``ValidationError`` 422,
``ConflictError`` 409, ...). The routes are generated when the subclass is created, typed with
its model and limits; a method the subclass defines itself (e.g. ``list_items``) replaces the
generated one. ``filter_fields = ("status", ...)`` adds those optional query parameters to the
list route; the ones given are passed to ``service.list(limit, offset, **filters)``.

The actions can be called directly too, as ``list_items(limit, offset, **filters)``,
``get_item(item_id)``, ``create_item(data)``, ``update_item(item_id, data)`` and
``delete_item(item_id)``, where ``data`` may be a model or a dict (validated into the model).

The OpenAPI document lists the problems each generated route can answer, by what the route
does rather than by what one service happens to return: a route that addresses one item by
its id (get, update, delete) documents 404 (no such item), and a route that writes an item
(create, update) documents 409 (the write conflicts with the stored state, e.g. a taken unique
key). Validation (422), and the guard and rate-limit problems, are documented as on any route.
"""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel

from .._declare.protocols import ResultLike
from .._http.context import ExecutionContext
from ._generic_routes import GENERATED, ID_CONVERTERS, ROUTES, generated, id_base, page_model
from .controller import Controller

__all__ = ["CRUDServiceProtocol", "GenericController"]

ModelT = TypeVar("ModelT", bound=BaseModel)
ModelT_contra = TypeVar("ModelT_contra", bound=BaseModel, contravariant=True)


class CRUDServiceProtocol(Protocol[ModelT_contra]):
    """What ``GenericController`` calls; each method returns a result-like value.

    ``list`` answers ``Ok((items, total))`` (``total``: the number of items overall, or
    ``None`` when unknown); ``get``/``create``/``update`` answer ``Ok(item)``; ``delete``
    answers ``Ok(anything)``. Errors are ``Err(exception)``. With ``filter_fields`` on the
    controller, ``list`` also takes the given filters as keyword arguments
    (``async def list(self, limit, offset, **filters)``).
    """

    async def list(self, limit: int, offset: int) -> ResultLike: ...
    async def get(self, item_id: Any) -> ResultLike: ...
    async def create(self, data: ModelT_contra) -> ResultLike: ...
    async def update(self, item_id: Any, data: ModelT_contra) -> ResultLike: ...
    async def delete(self, item_id: Any) -> ResultLike: ...


class GenericController(Controller, Generic[ModelT]):
    """CRUD routes over a ``CRUDServiceProtocol[T]`` (see the module docstring).

    Class settings: ``default_limit`` (20) and ``max_limit`` (100) bound ``limit`` to
    ``1..max_limit``, ``max_offset`` (``2**31 - 1``) bounds ``offset`` to ``0..max_offset``
    (422 otherwise); ``id_type`` (``str``, ``int`` or ``uuid.UUID``, or one of them
    ``Annotated`` with pydantic constraints, e.g. ``Annotated[str, Field(max_length=40)]``)
    types ``{item_id}``; ``id_field`` names the attribute (or key) of a created item used for
    its ``Location``. ``filter_fields`` names the optional string query parameters of the
    list route passed on as filters. ``page_model`` is the generated ``{T}Page`` model the
    list route documents.
    """

    model: ClassVar[type[BaseModel]]
    page_model: ClassVar[type[BaseModel]]
    default_limit: ClassVar[int] = 20
    max_limit: ClassVar[int] = 100
    max_offset: ClassVar[int] = 2**31 - 1
    id_type: ClassVar[Any] = str
    id_field: ClassVar[str] = "id"
    filter_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, service: CRUDServiceProtocol[ModelT], resource_name: str | None = None
    ) -> None:
        cls = type(self)
        if cls.filter_fields and type(service) not in _checked_services(cls):
            _check_list_accepts(cls, type(service))
        self.service = service
        self._resource_name = resource_name

    @property
    def resource_name(self) -> str:
        """The resource's name (default: the controller's name without ``Controller``)."""
        if self._resource_name:
            return self._resource_name
        name = type(self).__name__
        return (name.removesuffix("Controller") or name).lower()

    @property
    def logger(self) -> logging.Logger:
        return logging.getLogger(f"{type(self).__module__}.{type(self).__qualname__}")

    # -- the actions (the generated routes call these) ----------------------------------------
    async def list_page(self, limit: int | None = None, offset: int = 0, **filters: Any) -> Any:
        """One page of items: ``{"items", "limit", "offset", "total"}``.

        Or the service's ``Err``. ``limit`` defaults to ``default_limit``, and the filters
        that are not ``None`` go to ``service.list`` as keyword arguments."""
        if limit is None:
            limit = self.default_limit
        given = {name: value for name, value in filters.items() if value is not None}
        if given:
            result = await self.service.list(limit, offset, **given)
        else:
            result = await self.service.list(limit, offset)
        if not result.is_ok():
            return result
        page = result.unwrap()
        if not (isinstance(page, tuple) and len(page) == 2):  # pyright: ignore[reportUnknownArgumentType]
            raise TypeError(
                f"{type(self.service).__qualname__}.list must return Ok((items, total)),"
                f" got Ok({page!r})"
            )
        items, total = typing.cast(tuple[Sequence[Any], int | None], page)
        return {"items": list(items), "limit": limit, "offset": offset, "total": total}

    async def get_one(self, item_id: Any) -> Any:
        return await self.service.get(item_id)

    async def create_one(self, data: Any, context: ExecutionContext | None = None) -> Any:
        result = await self.service.create(self._model_of(data))
        if not result.is_ok():
            return result
        item = result.unwrap()
        if context is not None:
            location = self._location(item, context)
            if location is not None:
                context.add_header("Location", location)
        return item

    async def update_one(self, item_id: Any, data: Any) -> Any:
        return await self.service.update(item_id, self._model_of(data))

    async def delete_one(self, item_id: Any) -> Any:
        result = await self.service.delete(item_id)
        return result if not result.is_ok() else None

    def _model_of(self, data: Any) -> Any:
        """A dict becomes the model (pydantic's ``ValidationError`` when it does not fit)."""
        if isinstance(data, Mapping):
            return type(self).model.model_validate(data)
        return data

    # -- the actions by their route names. A subclass with a model gets typed routes of these
    # names; the gradual ``(*args, **kwargs)`` lets a subclass redefine them with any
    # parameters, and each forwards to the typed action above.
    async def list_items(self, *args: Any, **kwargs: Any) -> Any:
        """``list_items(limit, offset, **filters)``: a page of items (see ``list_page``)."""
        return await self.list_page(*args, **kwargs)

    async def get_item(self, *args: Any, **kwargs: Any) -> Any:
        """``get_item(item_id)``: the service's answer for one item."""
        return await self.get_one(*args, **kwargs)

    async def create_item(self, *args: Any, **kwargs: Any) -> Any:
        """``create_item(data)``: create an item from a model or a dict."""
        return await self.create_one(*args, **kwargs)

    async def update_item(self, *args: Any, **kwargs: Any) -> Any:
        """``update_item(item_id, data)``: update an item from a model or a dict."""
        return await self.update_one(*args, **kwargs)

    async def delete_item(self, *args: Any, **kwargs: Any) -> Any:
        """``delete_item(item_id)``: ``None``, or the service's ``Err``."""
        return await self.delete_one(*args, **kwargs)

    def _location(self, item: Any, context: ExecutionContext) -> str | None:
        field = self.id_field
        if isinstance(item, Mapping):
            ident = typing.cast(Mapping[str, Any], item).get(field)
        else:
            ident = getattr(item, field, None)
        registry = context.settings.router
        if ident is None or registry is None:
            return None
        name = context.route.name.rsplit(".", 1)[0] + ".get_item"
        root: str = context.scope.get("root_path", "")
        path: str = registry.url_for(name, item_id=ident)
        return root + path

    # -- route generation ------------------------------------------------------------------
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if typing.get_origin(base) is GenericController:
                (argument,) = typing.get_args(base)
                if isinstance(argument, type) and issubclass(argument, BaseModel):
                    cls.model = argument
        model: type[BaseModel] | None = cls.__dict__.get("model") or getattr(cls, "model", None)
        if model is None:
            return  # still generic (class Base(GenericController[T]))
        if id_base(cls.id_type) not in ID_CONVERTERS:
            raise TypeError(
                f"{cls.__qualname__}.id_type must be str, int or uuid.UUID (optionally"
                " Annotated with constraints)"
            )
        if cls.default_limit < 1 or cls.max_limit < cls.default_limit:
            raise TypeError(f"{cls.__qualname__}: need 1 <= default_limit <= max_limit")
        if cls.max_offset < 0:
            raise TypeError(f"{cls.__qualname__}: need max_offset >= 0")
        for name in cls.filter_fields:
            if not name.isidentifier() or name in ("self", "limit", "offset"):
                raise TypeError(
                    f"{cls.__qualname__}.filter_fields: {name!r} must be a parameter name other"
                    " than limit and offset, e.g. filter_fields = ('status',)"
                )
        _check_service_filters(cls)
        cls.page_model = page_model(cls, model)
        for name, build in ROUTES.items():
            if _replaceable(cls, name):
                fn = build(cls, model)
                fn.__qualname__ = f"{cls.__qualname__}.{name}"
                setattr(cls, name, fn)
        if _replaceable(cls, "__init__"):
            setattr(cls, "__init__", _init_for(model))  # noqa: B010


def _replaceable(cls: type, name: str) -> bool:
    """Generate ``name`` unless a subclass between ``cls`` and ``GenericController`` wrote it."""
    for klass in cls.__mro__:
        if klass is GenericController:
            return True
        attr = klass.__dict__.get(name)
        if attr is not None:
            return bool(getattr(attr, GENERATED, False))
    return True


def _init_for(model: type[BaseModel]) -> Callable[..., None]:
    protocol: Any = CRUDServiceProtocol

    def __init__(self: Any, service: Any, resource_name: str | None = None) -> None:
        base: Any = GenericController
        base.__init__(self, service, resource_name)

    init: Callable[..., None] = generated(
        __init__,
        {"service": protocol[model], "resource_name": str | None, "return": None},
        "__init__",
    )
    return init


def _checked_services(cls: type[GenericController[Any]]) -> set[type]:
    """The service classes already checked against ``cls.filter_fields`` (one set per class)."""
    checked: set[type] | None = cls.__dict__.get("_lexigram_checked_services")
    if checked is None:
        checked = set()
        setattr(cls, "_lexigram_checked_services", checked)  # noqa: B010
    return checked


def _check_service_filters(cls: type[GenericController[Any]]) -> None:
    """Refuse ``filter_fields`` that the annotated service's ``list`` cannot take.

    Done when the class is created when its ``__init__`` annotates ``service`` with a class
    that can be resolved then; otherwise when the first controller is built (at startup for a
    singleton controller)."""
    init = cls.__dict__.get("__init__")
    if not cls.filter_fields or init is None or getattr(init, GENERATED, False):
        return
    try:
        service_type = typing.get_type_hints(init).get("service")
    except (NameError, TypeError):  # a name defined later: checked when a controller is built
        return
    if isinstance(service_type, type):
        _check_list_accepts(cls, service_type)


def _check_list_accepts(cls: type[GenericController[Any]], service_type: type) -> None:
    _checked_services(cls).add(service_type)
    method = getattr(service_type, "list", None)
    if method is None:
        return
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):  # a builtin or C method: nothing to read
        return
    kinds = {p.kind for p in params.values()}
    if inspect.Parameter.VAR_KEYWORD in kinds:
        return
    takes = {
        name
        for name, p in params.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    missing = [name for name in cls.filter_fields if name not in takes]
    if missing:
        raise TypeError(
            f"{cls.__qualname__}.filter_fields names {', '.join(map(repr, missing))}, which"
            f" {service_type.__qualname__}.list does not take: give list keyword parameters"
            f" for them (async def list(self, limit, offset, *, {missing[0]}=None)) or"
            " **filters, or remove them from filter_fields"
        )
