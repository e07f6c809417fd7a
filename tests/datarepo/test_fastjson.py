"""The orjson fast paths must be exactly the stdlib paths they replace (CORE-40, CORE-82)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.datarepo.fastjson import is_canonical_text, parse_line
from leaderboard.datarepo.lines import LineContext, parse_lines_file, render_activity
from leaderboard.datarepo.snapshot import Unit
from leaderboard.datarepo.values import loads_line
from leaderboard.jsonfmt import JsonError, dumps_compact, orjson_compact
from leaderboard.problems import Problem

scalars = (
    st.none()
    | st.booleans()
    | st.text(max_size=8)
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)


def _stdlib_compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(values)
def test_core_40_parse_line_is_the_stdlib_or_declines(value: Any) -> None:
    text = _stdlib_compact(value)
    fast = parse_line(text.encode("utf-8"))
    exact = loads_line(text)
    if fast is not None:
        assert fast == exact
        assert _stdlib_compact(fast) == _stdlib_compact(exact)  # same types (int vs float)


@settings(max_examples=300, deadline=None)
@given(values)
def test_core_40_orjson_compact_is_dumps_compact_or_declines(value: Any) -> None:
    fast = orjson_compact(value)
    if fast is not None:
        assert fast == _stdlib_compact(value)
    assert dumps_compact(value) == (fast if fast is not None else dumps_compact(value))


def test_core_82_duplicate_keys_big_ints_and_floats_decline() -> None:
    assert parse_line(b'{"a":1,"a":2}') is None
    assert parse_line(b'{"a":18446744073709551616}') is None  # orjson would read a float
    assert parse_line(b'{"a": 1}') is None  # not compact: the stdlib decides
    assert parse_line(b'{"a":"\\u00e9"}') is None
    assert parse_line(b'{"a":[1,{"b":null}]}') == {"a": [1, {"b": None}]}
    assert orjson_compact({"x": 1.0}) is None  # JavaScript writes 1
    assert dumps_compact({"x": 1.0}) == '{"x":1}'
    assert orjson_compact({"x": "\ud800"}) is None
    assert orjson_compact({1: "a"}) is None  # non-string keys: the stdlib's conversion
    assert is_canonical_text('{"repo":"r"}')
    assert not is_canonical_text('{"r":0.5}')
    assert not is_canonical_text('{"r": 1}')


def _ctx() -> LineContext:
    from zoneinfo import ZoneInfo

    return LineContext(
        contributors={"alice": "alice"},
        activity_definitions={"d"},
        aggregate_definitions=set(),
        badge_variants={},
        tz=ZoneInfo("UTC"),
        now_text="2030-01-01T00:00:00.000Z",
    )


def _parse(text: str) -> tuple[list[Unit], list[Problem], list[bool]]:
    units: list[Unit] = []
    problems: list[Problem] = []
    form: list[bool] = []
    parse_lines_file(
        "activity",
        "activities/contributors/alice.jsonl",
        text.encode("utf-8"),
        _ctx(),
        units,
        problems,
        form,
    )
    return units, problems, form


LINE = (
    '{"slug":"s1","contributor":"alice","activity_definition":"d","title":null,'
    '"occurred_at":"2024-01-01T00:00:00.000Z","link":null,"text":null,"points":2,'
    '"meta":{"id":123456789012345678901234567890}}\n'
)


def test_core_82_duplicate_key_line_is_still_an_error() -> None:
    _, problems, _ = _parse('{"slug":"s1","slug":"s2","contributor":"alice"}\n')
    assert [(p.line, p.code) for p in problems] == [(1, "duplicate-key")]


def test_core_40_big_integer_meta_round_trips_exactly() -> None:
    units, problems, form = _parse(LINE)
    assert not problems
    assert units[0].row[8] == '{"id":123456789012345678901234567890}'
    assert render_activity(units[0].row) == LINE
    assert form and not all(form)  # not provably in export form: the slow path read it


def test_core_44_fast_path_rows_equal_full_path_rows() -> None:
    from leaderboard.datarepo.lines import parse_activity

    plain = LINE.replace('{"id":123456789012345678901234567890}', '{"repo":"r é"}')
    units, problems, form = _parse(plain)
    assert not problems and form == []
    assert units[0].row == parse_activity(json.loads(plain), _ctx(), [])
    assert render_activity(units[0].row) == plain


def test_core_44_invalid_canonical_looking_timestamp_takes_the_full_path() -> None:
    bad = LINE.replace("2024-01-01T00:00:00.000Z", "2024-02-30T00:00:00.000Z")
    _, problems, _ = _parse(bad)
    assert [p.code for p in problems] == ["invalid-timestamp"]
    late = LINE.replace("2024-01-01T00:00:00.000Z", "2024-01-01T24:00:00.000Z")
    units, problems, _ = _parse(late)
    assert problems or units[0].row[4] != "2024-01-01T24:00:00.000Z"


def test_core_39_blank_lines_and_unicode_spaces_are_skipped() -> None:
    units, problems, form = _parse("\n \u00a0\n" + LINE)
    assert not problems and len(units) == 1 and units[0].line == 3
    assert False in form


def test_core_40_json_error_positions_come_from_the_stdlib() -> None:
    _, problems, _ = _parse('{"slug": }\n')
    try:
        loads_line('{"slug": }')
    except JsonError as exc:
        assert (problems[0].line, problems[0].column, problems[0].message) == (
            1,
            exc.column,
            exc.message,
        )


def _old_canonical_check(text: str) -> bool:
    from leaderboard.datarepo.lines import _CANONICAL
    from leaderboard.timeutil import from_canonical, is_canonical

    if not (is_canonical(text) and _CANONICAL.match(text)):
        return False
    try:
        from_canonical(text)
    except ValueError:
        return False
    return True


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@settings(max_examples=2000, deadline=None)
@given(
    st.sampled_from(["0000", "0001", "2023", "2024", "1900", "2000", "9999"]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(["Z", "Z\n", "+"]),
)
def test_core_12_fast_canonical_check_equals_from_canonical(
    year: str, month: int, day: int, hour: int, minute: int, second: int, end: str
) -> None:
    text = f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.123{end}"
    assert _ctx().valid_canonical(text) == _old_canonical_check(text)


texts = st.text(max_size=6)
json_cols = st.none() | values.filter(lambda v: v is not None)


@settings(max_examples=300, deadline=None)
@given(texts, texts, values.filter(lambda v: v is not None), json_cols)
def test_core_40_render_aggregate_equals_definition(a: str, c: str, value: Any, meta: Any) -> None:
    from leaderboard.datarepo.lines import render_aggregate
    from leaderboard.datarepo.values import encode_optional

    row = (a, c, encode_optional(value), encode_optional(meta), None)
    expected = dumps_compact({"aggregate": a, "contributor": c, "value": value, "meta": meta})
    assert render_aggregate(row) == expected + "\n"


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, min_size=5, max_size=5), json_cols, st.none() | st.integers(-5, 5))
def test_core_40_render_badge_and_activity_equal_definition(
    t: list[str], meta: Any, points: int | None
) -> None:
    from leaderboard.datarepo.lines import render_badge
    from leaderboard.datarepo.values import encode_optional

    row = (*t, encode_optional(meta), None)
    keys = ("slug", "badge", "contributor", "variant", "achieved_on")
    expected = dumps_compact({**dict(zip(keys, t, strict=True)), "meta": meta})
    assert render_badge(row) == expected + "\n"
    act = (t[0], t[1], t[2], t[3], t[4], None, t[0], points, encode_optional(meta), None)
    keys = ("slug", "contributor", "activity_definition", "title", "occurred_at", "link", "text")
    obj = {**dict(zip(keys, act[:7], strict=True)), "points": points, "meta": meta}
    assert render_activity(act) == dumps_compact(obj) + "\n"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(values.filter(lambda v: v is not None), json_cols), max_size=8))
def test_core_40_remembered_column_texts_render_as_the_definition(
    pairs: list[tuple[Any, Any]],
) -> None:
    """Column texts are remembered by text (`lines._COMPACT_SEEN`): a hit, a miss, and a
    cache emptied when full all give the definition's bytes (tiny bound to force clears)."""
    from unittest import mock

    from leaderboard.datarepo import lines
    from leaderboard.datarepo.values import encode_optional

    lines._COMPACT_SEEN.clear()
    with mock.patch.object(lines, "_COMPACT_SEEN_MAX", 3):
        for _ in range(2):
            for value, meta in pairs:
                row = ("a", "c", encode_optional(value), encode_optional(meta), None)
                expected = {"aggregate": "a", "contributor": "c", "value": value, "meta": meta}
                assert lines.render_aggregate(row) == dumps_compact(expected) + "\n"
                assert len(lines._COMPACT_SEEN) <= 3
