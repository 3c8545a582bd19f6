import http

import pytest

from lexigram.http_errors import reason_phrase, status


def test_http_constants_have_their_numbers() -> None:
    assert status.HTTP_200_OK == 200
    assert status.HTTP_404_NOT_FOUND == 404
    assert status.HTTP_422_UNPROCESSABLE_ENTITY == status.HTTP_422_UNPROCESSABLE_CONTENT == 422
    assert status.HTTP_413_REQUEST_ENTITY_TOO_LARGE == status.HTTP_413_CONTENT_TOO_LARGE == 413
    assert status.HTTP_511_NETWORK_AUTHENTICATION_REQUIRED == 511


def test_every_http_constant_name_starts_with_its_number() -> None:
    for name in status.__all__:
        if name.startswith("HTTP_"):
            assert int(name.split("_")[1]) == getattr(status, name), name


def test_websocket_constants_cover_1000_to_1015_except_1004() -> None:
    codes = sorted(getattr(status, name) for name in status.__all__ if name.startswith("WS_"))
    assert codes == [c for c in range(1000, 1016) if c != 1004]
    assert status.WS_1008_POLICY_VIOLATION == 1008
    assert status.WS_1011_INTERNAL_ERROR == 1011


def test_every_http_constant_has_a_reason_phrase() -> None:
    for name in status.__all__:
        if name.startswith("HTTP_"):
            assert getattr(status, name) in status.REASON_PHRASES, name


def test_reason_phrase_of_known_codes() -> None:
    assert reason_phrase(404) == "Not Found"
    assert reason_phrase(422) == "Unprocessable Content"
    assert reason_phrase(429) == "Too Many Requests"
    assert reason_phrase(200) == "OK"


def test_reason_phrase_accepts_int_enums() -> None:
    assert reason_phrase(http.HTTPStatus.NOT_FOUND) == "Not Found"


def test_reason_phrase_of_unregistered_code_is_the_class_phrase() -> None:
    assert reason_phrase(499) == "Client Error"
    assert reason_phrase(599) == "Server Error"
    assert reason_phrase(150) == "Informational"


@pytest.mark.parametrize("bad", [99, 600, -1, True])
def test_reason_phrase_rejects_codes_outside_the_range(bad: int) -> None:
    with pytest.raises(ValueError, match="100-599"):
        reason_phrase(bad)


def test_reason_phrases_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        status.REASON_PHRASES[404] = "Nope"  # type: ignore[index]
