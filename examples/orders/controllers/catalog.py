"""``/v2/products``: the catalog, served by ``GenericController`` (list, get, create, update,
delete); anyone with a key reads it, changes need the ``catalog:write`` role."""

from __future__ import annotations

from lexigram.web import GenericController, use_guards, version

from ..models import ProductModel
from ..security import ApiKeyGuard, WritesNeedRole
from ..services import CatalogService
from ._common import CATALOG_WRITE

__all__ = ["ProductController"]


@version(2)
@use_guards(ApiKeyGuard, WritesNeedRole(CATALOG_WRITE))
class ProductController(GenericController[ProductModel]):
    prefix = "/products"
    id_field = "sku"
    max_limit = 100

    def __init__(self, service: CatalogService) -> None:
        super().__init__(service, resource_name="product")
