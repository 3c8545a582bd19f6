"""A rich application for the OpenAPI and docs tests (also served by a real server and read by
``lexigram openapi``): controllers, guards, a tiny rate limiter, forms, files, models, enums,
unions, optional parameters. Needs python-multipart (forms and files)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from lexigram.result import Err, Ok, Result
from lexigram.web import (
    Controller,
    HTMLResponse,
    LexigramApp,
    RateLimiterProtocol,
    cookie,
    delete,
    file,
    form,
    get,
    header,
    post,
    put,
    query,
    throttle,
    use_guards,
)


class Color(enum.StrEnum):
    RED = "red"
    GREEN = "green"


class Address(BaseModel):
    street: str
    city: str


class UserIn(BaseModel):
    name: str = Field(min_length=1)
    email: str
    color: Color = Color.RED
    address: Address | None = None


class UserOut(BaseModel):
    id: int
    name: str
    color: Color
    tags: list[str] = []


class Cat(BaseModel):
    kind: Literal["cat"] = "cat"
    lives: int = 9


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    good: bool = True


Pet = Annotated[Cat | Dog, Field(discriminator="kind")]


@dataclass
class Page:
    items: list[UserOut]
    total: int


class Profile(BaseModel):
    nickname: str
    age: int


class BearerGuard:
    """Admits requests with an ``Authorization: Bearer`` header."""

    openapi_security = "bearer"

    async def can_activate(self, context: Any) -> bool:
        authorization: str = context.headers.get("authorization", "")
        return authorization.startswith("Bearer ")


class AdminKeyGuard:
    openapi_security: tuple[dict[str, list[str]], ...] = ({"apiKey": []}, {"bearer": ["admin"]})

    def can_activate(self, context: Any) -> bool:
        key: str | None = context.headers.get("x-api-key")
        return key == "secret"


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    retry_after: float


class TinyPolicy:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used: dict[str, int] = {}

    async def hit(self, key: str, cost: int = 1) -> Decision:
        used = self.used[key] = self.used.get(key, 0) + cost
        allowed = used <= self.limit
        return Decision(allowed, self.limit, max(self.limit - used, 0), 60.0, 0 if allowed else 60)

    def headers(self, decision: Any) -> list[tuple[str, str]]:
        return [] if decision.allowed else [("Retry-After", str(int(decision.retry_after)))]


class TinyLimiter:
    """Satisfies ``RateLimiterProtocol`` with ``"<n>/minute"`` rates."""

    def __init__(self, default_rate: str | None, exclude: Sequence[str] = ()) -> None:
        self.default_rate = default_rate
        self.exclude = exclude
        self.per_process = False

    def policy(self, rate: str) -> TinyPolicy:
        return TinyPolicy(int(rate.split("/")[0]))


class UsersController(Controller):
    """Manage the shop's users."""

    prefix = "/users"

    @get("/")
    async def list_users(
        self,
        limit: Annotated[int, Field(ge=1, le=100)] = 10,
        color: Color | None = None,
        tag: list[str] = query(default=[]),  # noqa: B008
    ) -> Page:
        """List users.

        Filter by favourite colour and tags.
        """
        return Page(items=[], total=0)

    @get("/{user_id:int}")
    async def get_user(self, user_id: int) -> UserOut:
        """Fetch one user."""
        return UserOut(id=user_id, name="ada", color=Color.RED)

    @post("/", status_code=201, summary="Create a user", operation_id="createUser")
    @use_guards(BearerGuard)
    async def create_user(self, user: UserIn) -> UserOut:
        return UserOut(id=1, name=user.name, color=user.color)

    @put("/{user_id:int}", response_model=UserOut, tags=["admin"])
    @use_guards(AdminKeyGuard)
    async def replace_user(self, user_id: int, user: UserIn) -> Any:
        return {"id": user_id, "name": user.name, "color": user.color}

    @delete("/{user_id:int}", deprecated=True)
    @throttle("5/minute")
    async def delete_user(self, user_id: int) -> None:
        """Delete a user (use the admin API instead)."""


app = LexigramApp(
    controllers=[UsersController],
    openapi={
        "title": "Pet Shop",
        "version": "2.0.0",
        "description": "A test API.",
        "security_schemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        },
    },
)
app.container.singleton(
    RateLimiterProtocol, instance=TinyLimiter("100/minute", exclude=["/health"])
)


@app.get("/pets/{pet_id}")
async def get_pet(pet_id: int | str, x_trace: str | None = header(default=None)) -> Pet:
    """Fetch a pet by number or name."""
    return Cat()


@app.get("/pets")
@app.post("/pets/search")
async def find_pets(session: str | None = cookie(default=None)) -> list[Pet]:
    return []


@app.post("/profile")
async def save_profile(profile: Profile = form()) -> Profile:  # noqa: B008
    return profile


@app.post("/avatars")
async def upload_avatar(
    owner: str = form(),
    picture: UploadFile = file(),  # noqa: B008
    extra: list[bytes] = file(default=[]),  # noqa: B008
) -> dict[str, int]:
    """Upload a picture."""
    return {"size": picture.size or 0, "extra": len(extra)}


@app.get("/lookup/{code}")
async def lookup(code: str) -> Result[UserOut, LookupError]:
    if code == "none":
        return Err(LookupError(code))
    return Ok(UserOut(id=1, name=code, color=Color.RED))


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/hello", include_in_schema=False)
async def hello() -> HTMLResponse:
    return HTMLResponse("<p>hi</p>")
