"""``ServerSentEvent``: ``text/event-stream`` framing."""

from __future__ import annotations

from typing import Any

import pytest

from lexigram.web import ServerSentEvent


def test_all_fields_are_framed_and_the_event_ends_with_a_blank_line() -> None:
    event = ServerSentEvent(data="hi", event="greeting", id="7", retry=3000)
    assert event.encode() == b"id: 7\nevent: greeting\nretry: 3000\ndata: hi\n\n"


@pytest.mark.parametrize("text", ["one\ntwo\nthree", "one\r\ntwo\r\nthree", "one\rtwo\rthree"])
def test_multi_line_data_becomes_one_data_line_per_line(text: str) -> None:
    assert ServerSentEvent(data=text).encode() == b"data: one\ndata: two\ndata: three\n\n"


def test_a_trailing_line_break_keeps_an_empty_data_line() -> None:
    assert ServerSentEvent(data="end\n").encode() == b"data: end\ndata: \n\n"


def test_non_string_data_is_json_encoded() -> None:
    event = ServerSentEvent(data={"price": 3, "tags": ["a"]})
    assert event.encode() == b'data: {"price":3,"tags":["a"]}\n\n'


def test_bytes_data_is_utf8_text() -> None:
    assert ServerSentEvent(data="é".encode()).encode() == "data: é\n\n".encode()


def test_a_comment_only_event_dispatches_nothing() -> None:
    assert ServerSentEvent(comment="keep\nalive").encode() == b": keep\n: alive\n\n"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"event": "a\nb"}, "event must be one line"),
        ({"id": "1\r2"}, "id must be one line"),
        ({"id": "1\x002"}, "must not contain NUL"),
        ({"retry": -1}, "retry must be a whole number"),
        ({"retry": 1.5}, "retry must be a whole number"),
        ({"retry": True}, "retry must be a whole number"),
    ],
)
def test_fields_that_would_break_the_stream_are_refused(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ServerSentEvent(**fields)
