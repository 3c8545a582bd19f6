"""WebProvider satisfies the narrow provider views, and serves its app through them."""

from lexigram.web import (
    ConfigAccessorProtocol,
    Controller,
    ControllerSourceProtocol,
    LexigramApp,
    WebAppAccessorProtocol,
    WebConfig,
    WebProvider,
    WebProviderProtocol,
    get,
)
from lexigram.web.testing import AsyncTestClient


class Ping(Controller):
    @get("/ping")
    async def ping(self) -> str:
        return "pong"


def test_a_web_provider_is_every_provider_view() -> None:
    provider = WebProvider(controllers=[Ping], web_config=WebConfig(debug=True))
    full: WebProviderProtocol = provider
    config: ConfigAccessorProtocol = provider
    source: ControllerSourceProtocol = provider
    accessor: WebAppAccessorProtocol = provider
    assert isinstance(provider, WebProviderProtocol)
    assert config.web_config.debug and config.fail_on_route_conflict
    assert source.controllers == [Ping]
    assert accessor.starlette is None and full.starlette is None


async def test_the_app_accessor_is_the_asgi_app_once_it_has_started() -> None:
    provider = WebProvider(controllers=[Ping])
    app = LexigramApp(providers=[provider])
    async with AsyncTestClient(app) as client:
        assert provider.starlette is app
        assert (await client.get("/ping")).json() == "pong"
