import pickle

import pytest

from lexigram.http_errors import HTTPError, Redirect, WebSocketDisconnect, WebSocketException


def test_redirect_defaults_to_302_with_location() -> None:
    redirect = Redirect("/login")
    assert isinstance(redirect, HTTPError)
    assert redirect.status_code == 302
    assert redirect.url == "/login"
    assert redirect.headers == [("Location", "/login")]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_accepts_every_redirect_status(code: int) -> None:
    assert Redirect("https://example.test/", code).status_code == code


@pytest.mark.parametrize("code", [300, 304, 305, 200, 404, 500])
def test_redirect_rejects_other_statuses_naming_the_valid_ones(code: int) -> None:
    with pytest.raises(ValueError, match="301, 302, 303, 307, 308"):
        Redirect("/x", code)


def test_redirect_rejects_an_empty_url() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        Redirect("")


@pytest.mark.parametrize("url", ["/a\r\nSet-Cookie: x=1", "/a\nb", "/a\rb"])
def test_redirect_rejects_cr_lf_in_the_url(url: str) -> None:
    with pytest.raises(ValueError, match="CR, LF"):
        Redirect(url)


def test_redirect_percent_encodes_non_ascii_urls() -> None:
    assert Redirect("/café?q=a b").url == "/caf%C3%A9?q=a%20b"


def test_redirect_keeps_extra_headers_after_location() -> None:
    redirect = Redirect("/x", 303, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    assert redirect.headers == [
        ("Location", "/x"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]


def test_redirect_str_and_repr() -> None:
    redirect = Redirect("/next", 307)
    assert str(redirect) == "307 Temporary Redirect: /next"
    assert repr(redirect) == "Redirect(url='/next', status_code=307)"


def test_websocket_exception_carries_code_and_reason() -> None:
    error = WebSocketException(4000, "invalid message")
    assert (error.code, error.reason) == (4000, "invalid message")
    assert str(error) == "WebSocket close 4000: invalid message"
    assert repr(error) == "WebSocketException(code=4000, reason='invalid message')"


def test_websocket_exception_reason_defaults_to_empty() -> None:
    error = WebSocketException(1008)
    assert error.reason == ""
    assert str(error) == "WebSocket close 1008"


@pytest.mark.parametrize("code", [999, 5000, 0, -1])
def test_websocket_exception_rejects_codes_outside_1000_4999(code: int) -> None:
    with pytest.raises(ValueError, match="1000-4999"):
        WebSocketException(code)


def test_websocket_exception_rejects_a_reason_longer_than_a_close_frame() -> None:
    with pytest.raises(ValueError, match="123 bytes"):
        WebSocketException(1008, "é" * 62)


def test_websocket_disconnect_defaults_to_normal_closure() -> None:
    signal = WebSocketDisconnect()
    assert (signal.code, signal.reason) == (1000, "")
    assert str(signal) == "WebSocket disconnected with code 1000"


def test_websocket_disconnect_keeps_code_and_reason() -> None:
    signal = WebSocketDisconnect(1001, "going away")
    assert (signal.code, signal.reason) == (1001, "going away")
    assert repr(signal) == "WebSocketDisconnect(code=1001, reason='going away')"


def test_websocket_disconnect_rejects_codes_outside_1000_4999() -> None:
    with pytest.raises(ValueError, match="1000-4999"):
        WebSocketDisconnect(6000)


def test_websocket_signals_survive_pickling() -> None:
    error = pickle.loads(pickle.dumps(WebSocketException(4001, "x")))
    signal = pickle.loads(pickle.dumps(WebSocketDisconnect(1001, "y")))
    assert (error.code, error.reason, signal.code, signal.reason) == (4001, "x", 1001, "y")
