"""Upstream-exact JSON serialisation (CORE-40)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaderboard.jsonfmt import JsonError, dumps_compact, dumps_pretty, format_number, loads


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (-0.0, "0"),
        (0.125, "0.125"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e21, "1e+21"),
        (1.5e21, "1.5e+21"),
        (1e20, "100000000000000000000"),
        (123.456, "123.456"),
        (0.00001234, "0.00001234"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (2**60, "1152921504606846976"),
        (-2.5, "-2.5"),
        (100.0, "100"),
        (12345678.9, "12345678.9"),
    ],
)
def test_core_40_numbers_like_ecmascript(value: float, text: str) -> None:
    assert format_number(value) == text


def test_core_40_nan_and_infinity_are_invalid() -> None:
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            dumps_compact({"x": bad})


def test_core_40_string_escapes() -> None:
    text = dumps_compact({"s": 'a"b\\c/d\u2028\u2029\x01\x1f\b\t\n\f\r é \ud800'})
    assert text == '{"s":"a\\"b\\\\c/d\u2028\u2029\\u0001\\u001f\\b\\t\\n\\f\\r é \\ud800"}'


def test_core_40_pretty_form() -> None:
    value = {"a": [], "b": {}, "c": [1, {"x": 1.5}], "d": "é"}
    assert dumps_pretty(value) == (
        '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    {\n      "x": 1.5\n    }\n  ],\n  "d": "é"\n}'
    )


def test_core_40_big_integers_are_kept_exactly() -> None:
    text = '{"n":123456789012345678901234567890,"m":-9007199254740993}'
    assert dumps_compact(loads(text)) == text


def test_core_40_duplicate_keys_rejected() -> None:
    with pytest.raises(JsonError, match="duplicate key 'a'"):
        loads('{"a": 1, "b": {"a": 2}, "a": 3}')


def test_invalid_json_has_position() -> None:
    with pytest.raises(JsonError) as info:
        loads('{"a":\n  1,}')
    assert info.value.line == 2


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "-Infinity"])
def test_constants_rejected(text: str) -> None:
    with pytest.raises(JsonError):
        loads(text)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_round_trip_is_stable(value: object) -> None:
    once = dumps_compact(value)
    assert dumps_compact(loads(once)) == once
    # Whatever we write, a standard parser reads back as the same numbers.
    assert json.loads(once) == json.loads(dumps_compact(json.loads(once)))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_round_trips(value: float) -> None:
    assert float(format_number(value)) == value or (value == 0 and format_number(value) == "0")
