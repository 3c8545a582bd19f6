"""Guards: order, 403 on False, 401 with WWW-Authenticate, DI-built guards, roles."""

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from lexigram.http_errors import UnauthorizedError
from lexigram.web import (
    AuthorizerProtocol,
    ConfigurationError,
    Controller,
    ExecutionContext,
    LexigramApp,
    RoleGuard,
    UserRolesAuthorizer,
    get,
    guard,
    roles,
    use_guards,
)
from lexigram.web.testing import AsyncTestClient


class Deny:
    def can_activate(self, context: Any) -> bool:
        return False


class Allow:
    async def can_activate(self, context: Any) -> bool:
        return True


class RequireToken:
    def can_activate(self, context: ExecutionContext) -> bool:
        if context.request.headers.get("authorization") != "Bearer good":
            raise UnauthorizedError("token required", www_authenticate="Bearer")
        return True


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    def can_activate(self, context: Any) -> bool:
        self.log.append(self.name)
        return True


class SetUser:
    """Puts the user named in ``X-User`` (roles in ``X-Roles``) on the request."""

    def can_activate(self, context: ExecutionContext) -> bool:
        name = context.request.headers.get("x-user")
        if name:
            context.scope["user"] = {
                "id": name,
                "roles": context.request.headers["x-roles"].split(","),
            }
        return True


async def test_guard_returning_false_answers_403_problem() -> None:
    app = LexigramApp()

    @app.get("/secret")
    @guard(Deny())
    async def secret() -> str:
        return "no"

    async with AsyncTestClient(app) as client:
        response = await client.get("/secret")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_async_guard_returning_true_lets_the_request_through() -> None:
    app = LexigramApp()

    @app.get("/open")
    @use_guards(Allow())
    async def open_() -> str:
        return "yes"

    async with AsyncTestClient(app) as client:
        assert (await client.get("/open")).json() == "yes"


async def test_guard_raising_unauthorized_answers_401_with_www_authenticate() -> None:
    app = LexigramApp()

    @app.get("/me")
    @guard(RequireToken())
    async def me() -> str:
        return "me"

    async with AsyncTestClient(app) as client:
        denied = await client.get("/me")
        allowed = await client.get("/me", headers={"Authorization": "Bearer good"})
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"] == "Bearer"
    assert allowed.json() == "me"


async def test_guards_run_global_then_controller_then_handler() -> None:
    log: list[str] = []

    @guard(Recorder("controller", log))
    class Things(Controller):
        @get("/things")
        @guard(Recorder("handler-1", log), Recorder("handler-2", log))
        async def things(self) -> list[str]:
            return log

    app = LexigramApp(controllers=[Things], guards=[Recorder("global", log)])
    async with AsyncTestClient(app) as client:
        response = await client.get("/things")
    assert response.json() == ["global", "controller", "handler-1", "handler-2"]


class Answers:
    """A sync ``can_activate`` whose answer may be an awaitable (a future set by the test)."""

    def __init__(self, name: str, log: list[str], answer: Any) -> None:
        self.name, self.log, self.answer = name, log, answer

    def can_activate(self, context: Any) -> Any:
        self.log.append(self.name)
        if isinstance(self.answer, bool):
            return self.answer
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        future.set_result(self.answer == "awaitable-true")
        return future


@pytest.mark.parametrize(
    ("answers", "status", "ran"),
    [
        ((True, "awaitable-true", True), 200, ["g0", "g1", "g2"]),
        ((True, "awaitable-false", True), 403, ["g0", "g1"]),
        ((True, False, True), 403, ["g0", "g1"]),
        (("awaitable-true", True, False), 403, ["g0", "g1", "g2"]),
    ],
)
async def test_guards_answering_now_or_with_an_awaitable_run_in_order_until_one_refuses(
    answers: tuple[Any, ...], status: int, ran: list[str]
) -> None:
    log: list[str] = []
    app = LexigramApp()

    @app.get("/mixed")
    @guard(*(Answers(f"g{i}", log, answer) for i, answer in enumerate(answers)))
    async def mixed() -> str:
        return "through"

    async with AsyncTestClient(app) as client:
        response = await client.get("/mixed")
    assert response.status_code == status
    assert log == ran
    if status == 403:
        assert response.json()["detail"] == "access denied by Answers"


class Policy:
    allowed = True


class PolicyGuard:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def can_activate(self, context: Any) -> bool:
        return self.policy.allowed


async def test_guard_class_is_built_by_the_container() -> None:
    policy = Policy()
    policy.allowed = False
    app = LexigramApp()
    app.container.singleton(Policy, instance=policy)

    @app.get("/p")
    @guard(PolicyGuard)
    async def p() -> str:
        return "ok"

    async with AsyncTestClient(app) as client:
        assert (await client.get("/p")).status_code == 403


async def test_roles_admit_users_with_one_of_the_roles() -> None:
    app = LexigramApp(guards=[SetUser()])

    @app.get("/admin")
    @roles("admin", "owner", authorizer=UserRolesAuthorizer())
    async def admin() -> str:
        return "admin"

    async with AsyncTestClient(app) as client:
        anonymous = await client.get("/admin")
        user = await client.get("/admin", headers={"X-User": "u", "X-Roles": "user"})
        owner = await client.get("/admin", headers={"X-User": "o", "X-Roles": "user,owner"})
    assert anonymous.status_code == 401
    assert user.status_code == 403
    assert owner.json() == "admin"


class OnlyAnn:
    async def has_any_role(self, user: Any, roles: Sequence[str]) -> bool:
        return bool(user["id"] == "ann")


async def test_role_guard_takes_the_authorizer_from_the_container() -> None:
    app = LexigramApp(guards=[SetUser()])
    app.container.singleton(AuthorizerProtocol, OnlyAnn)

    @app.get("/x")
    @guard(RoleGuard("any"))
    async def x() -> str:
        return "x"

    async with AsyncTestClient(app) as client:
        ann = await client.get("/x", headers={"X-User": "ann", "X-Roles": "r"})
        bob = await client.get("/x", headers={"X-User": "bob", "X-Roles": "r"})
    assert (ann.status_code, bob.status_code) == (200, 403)


async def test_role_guard_without_an_authorizer_fails_at_startup() -> None:
    app = LexigramApp()

    @app.get("/x")
    @roles("admin")
    async def x() -> str:
        return "x"

    with pytest.raises(ConfigurationError, match="AuthorizerProtocol"):
        await app.startup()


async def test_roles_are_visible_in_route_metadata() -> None:
    app = LexigramApp()
    seen: dict[str, Any] = {}

    class Peek:
        def can_activate(self, context: ExecutionContext) -> bool:
            seen.update(context.route_metadata)
            return False

    @app.get("/x")
    @guard(Peek())
    @roles("admin", authorizer=UserRolesAuthorizer())
    async def x() -> str:
        return "x"

    async with AsyncTestClient(app) as client:
        await client.get("/x")
    assert seen["roles"] == ("admin",)


def test_use_guards_needs_a_guard() -> None:
    with pytest.raises(TypeError, match="at least one"):
        use_guards()
