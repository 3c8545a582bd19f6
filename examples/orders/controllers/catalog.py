"""``/v2/products``: the catalog, served by ``GenericController``'s generated routes (list,
get, create, update, delete); anyone with a key reads it, changes need the ``catalog:write``
role. The generated routes document their problem answers (404 for an unknown SKU, 409 for a
taken one) and bound ``limit`` and ``offset``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from lexigram.web import GenericController, api_version, guard

from ..models import ProductModel
from ..security import ApiKeyGuard, WritesNeedRole
from ..services import CatalogService
from ._common import CATALOG_WRITE

__all__ = ["ProductController"]


@api_version(2)
@guard(ApiKeyGuard, WritesNeedRole(CATALOG_WRITE))
class ProductController(GenericController[ProductModel]):
    """The product catalog, addressed by SKU."""

    prefix = "/products"
    id_field = "sku"
    id_type = Annotated[str, Field(min_length=1, max_length=40)]
    max_offset = 1_000_000

    def __init__(self, service: CatalogService) -> None:
        super().__init__(service, resource_name="product")
