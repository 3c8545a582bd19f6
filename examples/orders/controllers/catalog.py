"""``/v2/products``: the catalog, served by ``GenericController`` (list, get, create, update,
delete); anyone with a key reads it, changes need the ``catalog:write`` role.

The five routes are declared here, each calling the action ``GenericController`` provides,
to document the problem answers the catalog can give (404, 409) in the OpenAPI document and
to bound ``offset`` (the generated routes do neither).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from lexigram.web import (
    ExecutionContext,
    GenericController,
    delete,
    get,
    post,
    put,
    use_guards,
    version,
)

from ..models import ProductModel, ProductPage
from ..security import ApiKeyGuard, WritesNeedRole
from ..services import CatalogService
from ._common import CATALOG_WRITE, problems

__all__ = ["ProductController"]

Sku = Annotated[str, Field(min_length=1, max_length=40)]


@version(2)
@use_guards(ApiKeyGuard, WritesNeedRole(CATALOG_WRITE))
class ProductController(GenericController[ProductModel]):
    prefix = "/products"
    id_field = "sku"

    def __init__(self, service: CatalogService) -> None:
        super().__init__(service, resource_name="product")

    @get("", response_model=ProductPage)
    async def list_items(
        self,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
        offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0,
    ) -> Any:
        """List products by SKU."""
        return await self.list_page(limit, offset)

    @get("/{item_id}", response_model=ProductModel, responses=problems(not_found="No such product"))
    async def get_item(self, item_id: Sku) -> Any:
        """Read one product."""
        return await self.get_one(item_id)

    @post(
        "",
        status_code=201,
        response_model=ProductModel,
        responses=problems(conflict="The SKU is taken"),
    )
    async def create_item(self, data: ProductModel, context: ExecutionContext) -> Any:
        """Add a product (answers its ``Location``)."""
        return await self.create_one(data, context)

    @put(
        "/{item_id}",
        response_model=ProductModel,
        responses=problems(not_found="No such product"),
    )
    async def update_item(self, item_id: Sku, data: ProductModel) -> Any:
        """Replace a product's name and price (its SKU cannot change)."""
        return await self.update_one(item_id, data)

    @delete("/{item_id}", status_code=204, responses=problems(not_found="No such product"))
    async def delete_item(self, item_id: Sku) -> Any:
        """Remove a product (orders keep their copy of it)."""
        return await self.delete_one(item_id)
