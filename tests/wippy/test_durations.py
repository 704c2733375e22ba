"""Go-style durations: what a registry author may write, and how it prints back."""

import pytest

from wippy.durations import (
    HOUR,
    MICROSECOND,
    MILLISECOND,
    MINUTE,
    SECOND,
    format_duration,
    parse_duration,
)


@pytest.mark.parametrize(
    "text, ns",
    [
        ("300ms", 300 * MILLISECOND),
        ("1.5s", 1500 * MILLISECOND),
        ("2h45m", 2 * HOUR + 45 * MINUTE),
        ("24h", 24 * HOUR),
        ("1us", MICROSECOND),
        ("1µs", MICROSECOND),  # micro sign
        ("1μs", MICROSECOND),  # greek mu
        ("10ns", 10),
        ("-1s", -SECOND),
        ("+5m", 5 * MINUTE),
        ("0", 0),
        ("-0", 0),
        ("0s", 0),
        ("0.1s", 100 * MILLISECOND),  # exact, no float rounding
        (".5s", 500 * MILLISECOND),
        ("1.s", SECOND),
        ("1h0m0s", HOUR),
        ("1m30s", 90 * SECOND),
        ("1.0000000001s", SECOND),  # below a nanosecond: truncated, as Go does
        ("2562047h47m16.854775807s", (1 << 63) - 1),
        ("-2562047h47m16.854775808s", -(1 << 63)),
    ],
)
def test_parse(text, ns):
    assert parse_duration(text) == ns


def test_numbers_are_nanoseconds_already():
    assert parse_duration(1500) == 1500
    assert parse_duration(2.0) == 2
    assert parse_duration(250, number_unit=MILLISECOND) == 250 * MILLISECOND
    assert parse_duration(1.5, number_unit=SECOND) == 1500 * MILLISECOND


@pytest.mark.parametrize(
    "bad, why",
    [
        ("5x", 'unknown unit "x"'),
        ("1d", "days are not a unit, write 24h"),
        ("", "empty"),
        ("-", "empty"),
        ("1", "missing unit"),
        ("1s2", "missing unit"),
        ("s", 'expected a number before "s"'),
        (".s", 'expected a number before "s"'),
        ("1 s", 'unknown unit " s"'),
        ("9999999999h", "out of range"),
        ("2562047h47m16.854775808s", "out of range"),
    ],
)
def test_parse_errors_say_what_is_wrong(bad, why):
    with pytest.raises(ValueError) as info:
        parse_duration(bad)
    msg = str(info.value)
    assert f'invalid duration "{bad}"' in msg
    assert why in msg
    assert "300ms, 1.5s, 2h45m" in msg


@pytest.mark.parametrize("bad", [True, None, [1], {"s": 1}, float("nan"), float("inf")])
def test_non_durations_raise_value_error(bad):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(bad)


@pytest.mark.parametrize(
    "ns, text",
    [
        (0, "0s"),
        (1, "1ns"),
        (999, "999ns"),
        (1500, "1.5µs"),
        (300 * MILLISECOND, "300ms"),
        (1500 * MILLISECOND, "1.5s"),
        (90 * SECOND, "1m30s"),
        (HOUR, "1h0m0s"),
        (2 * HOUR + 45 * MINUTE, "2h45m0s"),
        (-SECOND, "-1s"),
        (-(1 << 63), "-2562047h47m16.854775808s"),
        ((1 << 63) - 1, "2562047h47m16.854775807s"),
    ],
)
def test_format_like_go(ns, text):
    assert format_duration(ns) == text


@pytest.mark.parametrize(
    "ns",
    [0, 1, 7, 999, 1000, 1001, 123456789, 10**9, 59 * SECOND + 1, 61 * MINUTE, 10**18, -(10**15) - 3,
     (1 << 63) - 1, -(1 << 63)],
)  # fmt: skip
def test_round_trip(ns):
    assert parse_duration(format_duration(ns)) == ns


@pytest.mark.parametrize("text", ["300ms", "1.5s", "1h0m0s", "2h45m0s", "1.5µs", "-1s", "0s", "10ns"])
def test_canonical_text_round_trips(text):
    assert format_duration(parse_duration(text)) == text


def test_format_rejects_non_ints():
    with pytest.raises(ValueError):
        format_duration(1.5)  # type: ignore[arg-type]
