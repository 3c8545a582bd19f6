"""Type-checked, never run: decorators keep the signatures of what they decorate.

A ``# type: ignore[...]`` below marks an error that MUST be reported; both checkers are
configured to fail on an unused ignore, so these lines fail if the error disappears.
"""

from typing import Any, assert_type

from lexigram.web import (
    AbstractWebSocketHandler,
    Controller,
    ExecutionContext,
    LexigramApp,
    WebSocket,
    api_version,
    background,
    catch,
    get,
    guard,
    post,
    throttle,
    use_interceptors,
    websocket_handler,
)

app = LexigramApp()


@app.get("/users/{id:int}")
@guard(object())
@throttle("10/minute")
async def get_user(id: int, verbose: bool = False) -> dict[str, int]:
    return {"id": id}


@get("/ping")
@use_interceptors(object())
def ping() -> str:
    return "pong"


@background
async def send_mail(to: str, subject: str = "") -> bool:
    return True


class Users(Controller):
    prefix = "/users"

    @post("/")
    @api_version(2)
    async def create(self, name: str) -> int:
        return 1


@websocket_handler("/ws/chat")
class Chat(AbstractWebSocketHandler):
    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        await websocket.send_json(message)


@catch(KeyError)
class MissingKey:
    def catch(self, exc: BaseException, context: ExecutionContext) -> dict[str, str]:
        return {"missing": str(exc)}


async def check(context: ExecutionContext) -> None:
    assert_type(await get_user(1), dict[str, int])
    assert_type(await get_user(1, verbose=True), dict[str, int])
    await get_user("1")  # type: ignore[arg-type]
    assert_type(ping(), str)
    assert_type(await Users().create("ada"), int)
    assert_type(await send_mail("a@example.com"), None)  # queued after the response
    await send_mail(to=1)  # type: ignore[arg-type]
    assert_type(Chat(), Chat)
    assert_type(MissingKey().catch(KeyError("k"), context), dict[str, str])


def misspelt_keywords() -> None:
    """Route keywords are a typed dict: a misspelt one is an error before it runs."""
    get("/orders", status_cod=201)  # type: ignore[call-arg]
    app.post("/orders", respones_model=dict)  # type: ignore[call-arg]
    websocket_handler("/ws", ping_intervall=5)  # type: ignore[arg-type]
