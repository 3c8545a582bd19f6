"""``websocket_handler`` classes: DI, hooks, broadcast, per-user limits, per-app connections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from lexigram.di import scoped
from lexigram.http_errors import WebSocketException
from lexigram.web import (
    ConfigurationError,
    LexigramApp,
    WebSocket,
    WebSocketHandler,
    discover_controllers,
    guard,
    websocket_handler,
)
from lexigram.web.testing import TestClient


class Journal:
    def __init__(self) -> None:
        self.entries: list[Any] = []


@websocket_handler("/rooms/{room}")
class RoomHandler(WebSocketHandler):
    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    async def on_connect(self, websocket: WebSocket, room: str) -> None:
        await websocket.accept()
        websocket.state.room = room
        await websocket.send_json({"joined": room})

    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        if message == "fail":
            raise RuntimeError("handler bug")
        if message == "refuse":
            raise WebSocketException(4003, "not allowed here")
        await self.broadcast({"room": websocket.state.room, "said": message})

    async def on_disconnect(self, websocket: WebSocket) -> None:
        self.journal.entries.append(("left", websocket.state.room, websocket.close_code))
        await self.broadcast({"left": websocket.state.room})


def _room_app(journal: Journal | None = None) -> LexigramApp:
    app = LexigramApp(controllers=[RoomHandler])
    app.container.register(Journal, instance=journal or Journal())
    app.singleton(RoomHandler)
    return app


def test_the_handler_is_built_by_the_container_and_on_connect_binds_path_params() -> None:
    app = _room_app()
    with TestClient(app) as client, client.websocket_connect("/rooms/lobby") as socket:
        assert socket.receive_json() == {"joined": "lobby"}
        assert isinstance(app.container.resolve(RoomHandler).journal, Journal)


def test_a_message_is_broadcast_to_every_open_connection() -> None:
    with (
        TestClient(_room_app()) as client,
        client.websocket_connect("/rooms/a") as first,
        client.websocket_connect("/rooms/a") as second,
    ):
        first.receive_json()
        second.receive_json()
        first.send_json("hello")
        assert first.receive_json() == {"room": "a", "said": "hello"}
        assert second.receive_json() == {"room": "a", "said": "hello"}


def test_on_disconnect_runs_when_a_client_leaves() -> None:
    journal = Journal()
    app = _room_app(journal)
    with TestClient(app) as client, client.websocket_connect("/rooms/b") as stays:
        stays.receive_json()
        with client.websocket_connect("/rooms/c") as leaves:
            leaves.receive_json()
        assert stays.receive_json() == {"left": "c"}
    assert ("left", "c", 1000) in journal.entries or ("left", "c", 1006) in journal.entries
    assert ("left", "b", 1000) in journal.entries or ("left", "b", 1006) in journal.entries


def test_an_error_in_on_message_closes_with_1011_and_still_runs_on_disconnect() -> None:
    journal = Journal()
    app = _room_app(journal)
    with TestClient(app) as client, client.websocket_connect("/rooms/d") as socket:
        socket.receive_json()
        socket.send_json("fail")
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert (closed.value.code, closed.value.reason) == (1011, "")
    assert journal.entries == [("left", "d", 1011)]


def test_a_websocket_exception_in_on_message_closes_with_its_code() -> None:
    with TestClient(_room_app()) as client, client.websocket_connect("/rooms/e") as socket:
        socket.receive_json()
        socket.send_json("refuse")
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert (closed.value.code, closed.value.reason) == (4003, "not allowed here")


def test_malformed_json_closes_a_json_handler_with_1007() -> None:
    with TestClient(_room_app()) as client, client.websocket_connect("/rooms/f") as socket:
        socket.receive_json()
        socket.send_text("{oops")
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert (closed.value.code, closed.value.reason) == (1007, "message is not valid JSON")


def test_connections_are_tracked_per_app_and_released_on_close() -> None:
    first_app, second_app = _room_app(), _room_app()
    with TestClient(first_app) as one, TestClient(second_app) as two:
        with one.websocket_connect("/rooms/g") as socket:
            socket.receive_json()
            assert len(first_app.container.resolve(RoomHandler).connections) == 1
            assert len(second_app.container.resolve(RoomHandler).connections) == 0
            with two.websocket_connect("/rooms/g") as other:
                other.receive_json()
                other.send_json("only here")
                assert other.receive_json() == {"room": "g", "said": "only here"}
        assert first_app.container.resolve(RoomHandler).connections == ()
        assert second_app.container.resolve(RoomHandler).connections == ()


@websocket_handler("/limited", max_connections_per_user=2)
class LimitedHandler(WebSocketHandler):
    encoding = "text"

    def user_key(self, websocket: WebSocket) -> str | None:
        return websocket.query_params.get("user")

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("welcome")


def test_too_many_connections_per_user_closes_with_1013_and_a_reason() -> None:
    app = LexigramApp(controllers=[LimitedHandler])
    with TestClient(app) as client:
        with (
            client.websocket_connect("/limited?user=ann") as a1,
            client.websocket_connect("/limited?user=ann") as a2,
        ):
            assert (a1.receive_text(), a2.receive_text()) == ("welcome", "welcome")
            with client.websocket_connect("/limited?user=bob") as b1:
                assert b1.receive_text() == "welcome"
            with (
                client.websocket_connect("/limited?user=ann") as a3,
                pytest.raises(WebSocketDisconnect) as closed,
            ):
                a3.receive_text()
        assert closed.value.code == 1013
        assert closed.value.reason == "too many connections for this user (limit 2)"
        with client.websocket_connect("/limited?user=ann") as again:
            assert again.receive_text() == "welcome"


def test_a_text_handler_refuses_binary_frames_with_1003() -> None:
    app = LexigramApp(controllers=[LimitedHandler])
    with TestClient(app) as client, client.websocket_connect("/limited?user=x") as socket:
        socket.receive_text()
        socket.send_bytes(b"\x00")
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert closed.value.code == 1003


class Deny:
    def can_activate(self, context: Any) -> bool:
        return False


def test_class_guards_apply_to_the_handshake() -> None:
    app = LexigramApp()

    @app.websocket_handler("/guarded")
    @guard(Deny())
    class Guarded(WebSocketHandler):
        pass

    with TestClient(app) as client, pytest.raises(WebSocketDisconnect) as denied:
        client.websocket_connect("/guarded").__enter__()
    assert getattr(denied.value, "status_code", None) == 403


def test_the_default_on_connect_accepts_and_messages_reach_on_message() -> None:
    app = LexigramApp()
    got: list[Any] = []

    @app.websocket_handler("/plain")
    class Plain(WebSocketHandler):
        async def on_message(self, websocket: WebSocket, message: Any) -> None:
            got.append(message)
            await websocket.send_json({"n": len(got)})

    with TestClient(app) as client, client.websocket_connect("/plain") as socket:
        socket.send_json([1, 2])
        assert socket.receive_json() == {"n": 1}
    assert got == [[1, 2]]


def test_a_singleton_handler_broadcasts_from_an_http_route() -> None:
    app = _room_app()

    @app.post("/announce")
    async def announce(rooms: RoomHandler) -> int:
        return await rooms.broadcast("maintenance at noon")

    with TestClient(app) as client, client.websocket_connect("/rooms/h") as socket:
        socket.receive_json()
        assert client.post("/announce").json() == 1
        assert socket.receive_text() == "maintenance at noon"


@scoped
class PerConnection:
    pass


def test_a_handler_with_scoped_dependencies_is_built_per_connection_and_shares_the_hub() -> None:
    app = LexigramApp()
    built: list[Any] = []

    @app.websocket_handler("/scoped")
    class Scoped(WebSocketHandler):
        def __init__(self, state: PerConnection) -> None:
            built.append(self)

        async def on_message(self, websocket: WebSocket, message: Any) -> None:
            await self.broadcast(message)

    with (
        TestClient(app) as client,
        client.websocket_connect("/scoped") as one,
        client.websocket_connect("/scoped") as two,
    ):
        one.send_json("x")
        assert (one.receive_text(), two.receive_text()) == ("x", "x")
    assert len(built) == 2


def test_broadcast_on_a_handler_not_built_by_an_app_names_the_fix() -> None:
    handler = RoomHandler(Journal())
    with pytest.raises(RuntimeError, match=r"register the handler as a singleton"):
        _ = handler.connections


def test_websocket_handler_needs_a_websocket_handler_subclass() -> None:
    with pytest.raises(TypeError, match="decorates an AbstractWebSocketHandler subclass"):
        websocket_handler("/x")(object)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ping_timeout": 5}, "ping_timeout needs ping_interval"),
        ({"ping_interval": 0}, "ping_interval must be a positive number"),
        ({"max_connections_per_user": 0}, "max_connections_per_user must be at least 1"),
        ({"max_message_size": 0}, "max_message_size must be at least 1"),
    ],
)
def test_bad_handler_options_fail_at_declaration(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        websocket_handler("/x", **options)


def test_one_handler_instance_cannot_serve_two_running_apps() -> None:
    shared = RoomHandler(Journal())
    first, second = _room_app(), _room_app()
    first.container.register(RoomHandler, instance=shared)
    second.container.register(RoomHandler, instance=shared)
    with TestClient(first) as client, client.websocket_connect("/rooms/i") as socket:
        socket.receive_json()
        with pytest.raises(ConfigurationError, match="serving two running apps"):
            TestClient(second).__enter__()


def test_discovery_finds_websocket_handler_classes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "realtime_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handlers.py").write_text(
        "from lexigram.web import WebSocketHandler, websocket_handler\n"
        "\n"
        "class NotDecorated(WebSocketHandler):\n"
        "    pass\n"
        "\n"
        "@websocket_handler('/found')\n"
        "class Found(WebSocketHandler):\n"
        "    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert [cls.__name__ for cls in discover_controllers(["realtime_pkg"])] == ["Found"]
