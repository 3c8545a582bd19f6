import pytest

from lexigram.ratelimit import Rate, RateItem, parse_rate


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("30/minute", [RateItem(30, 60)]),
        ("5 per hour", [RateItem(5, 3600)]),
        ("100/second", [RateItem(100, 1)]),
        ("7/day", [RateItem(7, 86_400)]),
        ("100/5 minutes", [RateItem(100, 300)]),
        ("3 per 10 seconds", [RateItem(3, 10)]),
        ("2/s", [RateItem(2, 1)]),
        ("4/h", [RateItem(4, 3600)]),
        (" 9 / Minute ", [RateItem(9, 60)]),
    ],
)
def test_single_window_rates_parse(text: str, items: list[RateItem]) -> None:
    assert parse_rate(text).items == tuple(items)


def test_several_windows_parse_and_sort_shortest_first() -> None:
    rate = parse_rate("1000/day;10/second")
    assert rate.items == (RateItem(10, 1), RateItem(1000, 86_400))


def test_commas_also_separate_windows() -> None:
    assert parse_rate("10/second, 100/minute").items == (RateItem(10, 1), RateItem(100, 60))


@pytest.mark.parametrize(
    "text", ["", "30", "minute", "30/fortnight", "0/minute", "-1/minute", "30/0 minutes", "10/ms"]
)
def test_malformed_rate_raises_value_error_naming_the_format(text: str) -> None:
    with pytest.raises(ValueError, match=r"'<count>/<period>' or '<count> per <period>'"):
        parse_rate(text)


def test_two_windows_of_the_same_length_are_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        parse_rate("10/minute;20/60 seconds")


def test_a_rate_prints_in_canonical_form() -> None:
    assert str(parse_rate("5 per hour;10/second")) == "10/second;5/hour"
    assert str(parse_rate("3 per 10 seconds")) == "3/10 seconds"


def test_parse_returns_a_rate_unchanged() -> None:
    rate = Rate.parse("1/second")
    assert Rate.parse(rate) is rate


def test_a_non_string_rate_raises_type_error() -> None:
    with pytest.raises(TypeError, match="30/minute"):
        parse_rate(30)  # type: ignore[arg-type]
