"""Shared pieces of the controllers: roles, parameter types, documented problem answers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

__all__ = ["READ", "SHIP", "WRITE", "OrderId", "problems"]

READ = "orders:read"
WRITE = "orders:write"
SHIP = "orders:ship"
MANAGE = "orders:manage"
CATALOG_WRITE = "catalog:write"

OrderId = Annotated[int, Field(ge=1, le=2**63 - 1)]
"""An order id: a positive SQLite integer."""

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}


def problems(**described: str) -> dict[int | str, Any]:
    """``responses=`` entries for problem answers: ``problems(not_found="No such order")``."""
    codes = {"not_found": 404, "conflict": 409, "forbidden": 403, "invalid": 422}
    return {
        codes[name]: {"description": description, "content": _PROBLEM}
        for name, description in described.items()
    }
