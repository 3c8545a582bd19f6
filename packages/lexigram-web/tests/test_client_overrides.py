"""A test client's overrides last as long as the client, not as long as the app."""

from __future__ import annotations

from lexigram.web import LexigramApp
from lexigram.web.testing import AsyncTestClient, TestClient


class Clock:
    def now(self) -> str:
        return "real time"


class FrozenClock(Clock):
    def now(self) -> str:
        return "frozen"


def _app() -> LexigramApp:
    app = LexigramApp()
    app.singleton(Clock)

    @app.get("/now")
    async def now(clock: Clock) -> str:
        return clock.now()

    return app


def test_overrides_end_when_the_sync_client_exits() -> None:
    app = _app()
    with TestClient(app, overrides={Clock: FrozenClock()}) as faked:
        assert faked.get("/now").json() == "frozen"
    with TestClient(app) as plain:
        assert plain.get("/now").json() == "real time"


async def test_overrides_end_when_the_async_client_exits() -> None:
    app = _app()
    async with AsyncTestClient(app, overrides={Clock: FrozenClock()}) as faked:
        assert (await faked.get("/now")).json() == "frozen"
    async with AsyncTestClient(app) as plain:
        assert (await plain.get("/now")).json() == "real time"


def test_overrides_end_when_a_client_used_without_with_is_closed() -> None:
    app = _app()
    faked = TestClient(app, overrides={Clock: FrozenClock()})
    assert faked.get("/now").json() == "frozen"
    faked.close()
    assert not app.started
    with TestClient(app) as plain:
        assert plain.get("/now").json() == "real time"


async def test_overrides_end_when_an_async_client_used_without_with_is_closed() -> None:
    app = _app()
    faked = AsyncTestClient(app, overrides={Clock: FrozenClock()})
    assert (await faked.get("/now")).json() == "frozen"
    await faked.aclose()
    async with AsyncTestClient(app) as plain:
        assert (await plain.get("/now")).json() == "real time"


def test_a_second_client_gets_its_own_overrides_only() -> None:
    class LateClock(Clock):
        def now(self) -> str:
            return "late"

    app = _app()
    with TestClient(app, overrides={Clock: FrozenClock()}) as first:
        assert first.get("/now").json() == "frozen"
    with TestClient(app, overrides={Clock: LateClock()}) as second:
        assert second.get("/now").json() == "late"


def test_overrides_set_on_the_app_itself_stay_for_the_app() -> None:
    app = _app()
    app.override(Clock, FrozenClock())
    with TestClient(app) as first:
        assert first.get("/now").json() == "frozen"
    with TestClient(app) as second:
        assert second.get("/now").json() == "frozen"
