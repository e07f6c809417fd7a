"""Whole activity files decoded by msgspec (`lines.fast_activity_rows`, CORE-44, CORE-80) against
the exact line-by-line path: whenever the fast path takes a file, the units, rows, problems and
export-form verdict are those of the exact path; every hostile line makes it decline the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.datarepo import lines
from leaderboard.datarepo.lines import LineContext, fast_activity_rows, parse_lines_file
from leaderboard.datarepo.snapshot import Unit
from leaderboard.db.schema import ACTIVITY_FIELDS
from leaderboard.inputlimits import MAX_DEPTH, MAX_LINE_BYTES
from leaderboard.problems import Problem

PATH = "activities/contributors/alice.jsonl"
NOW = "2030-01-01T00:00:00.000Z"
CASES = Path(__file__).parent / "badinput"


def _ctx() -> LineContext:
    return LineContext(
        contributors={"alice": "alice", "bob": "Bob"},
        activity_definitions={"d", "pr_opened"},
        aggregate_definitions=set(),
        badge_variants={},
        tz=ZoneInfo("UTC"),
        now_text=NOW,
    )


Result = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[bool], bool]


def _parse(data: bytes, *, fast: bool, ctx: LineContext | None = None) -> Result:
    units: list[Unit] = []
    problems: list[Problem] = []
    form: list[bool] = []
    real = lines.fast_activity_rows
    if not fast:
        lines.fast_activity_rows = lambda data, ctx: None  # type: ignore[assignment]
    try:
        complete = parse_lines_file("activity", PATH, data, ctx or _ctx(), units, problems, form)
    finally:
        lines.fast_activity_rows = real
    return (
        [(u.kind, u.path, u.line, u.key, u.row, u.valid) for u in units],
        [(p.path, p.line, p.column, p.severity, p.code, p.message) for p in problems],
        form,
        complete,
    )


def _same_both_ways(data: bytes) -> bool:
    """Both paths give the same result; True when the fast path took the file."""
    exact = _parse(data, fast=False)
    assert _parse(data, fast=True) == exact
    taken = fast_activity_rows(data, _ctx()) is not None
    if taken:  # what it takes is valid, warning-free and in export form
        assert not exact[1] and exact[2] == [] and exact[3]
        assert [r for _, _, _, _, r, _ in exact[0]] == fast_activity_rows(data, _ctx())
    return taken


GOOD = (
    '{"slug":"s1","contributor":"alice","activity_definition":"d","title":"t",'
    '"occurred_at":"2024-05-01T04:30:00.000Z","link":null,"text":null,"points":3,'
    '"meta":{"repo":"r"}}'
)
LAST = GOOD.replace('"s1"', '"s9"').replace("2024-05-01", "2024-06-01")


def _with(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


DEEP = "[" * MAX_DEPTH + "]" * MAX_DEPTH
HOSTILE = [
    # keys: duplicates, unknown, legacy, missing, order
    _with('"title":"t",', '"title":"t","slug":"s2",'),
    _with('{"repo":"r"}', '{"repo":"r","repo":"q"}'),
    _with('"points":3,', '"points":3,"x":1,'),
    _with('"occurred_at"', '"occured_at"'),
    _with('"link":null,', '"link":null,"occured_at":"2024-05-01T04:30:00.000Z",'),
    _with(',"meta":{"repo":"r"}', ""),
    _with(
        '"contributor":"alice","activity_definition":"d"',
        '"activity_definition":"d","contributor":"alice"',
    ),
    # integers: beyond 64 bits, at the edges, as floats, booleans, strings
    _with('"points":3', '"points":9223372036854775807'),
    _with('"points":3', '"points":9223372036854775808'),
    _with('"points":3', '"points":-9223372036854775807'),
    _with('"points":3', '"points":-9223372036854775808'),
    _with('"points":3', '"points":18446744073709551616'),
    _with('"points":3', '"points":100000000000000000000000000000'),
    _with('"points":3', '"points":5.0'),
    _with('"points":3', '"points":1e2'),
    _with('"points":3', '"points":-0'),
    _with('"points":3', '"points":true'),
    _with('"points":3', '"points":"3"'),
    _with('"points":3', '"points":NaN'),
    # meta: floats, big integers, NaN, nesting, surrogates, escapes
    _with('{"repo":"r"}', "NaN"),
    _with('{"repo":"r"}', "Infinity"),
    _with('{"repo":"r"}', '{"x":1.5}'),
    _with('{"repo":"r"}', '{"x":1.0}'),
    _with('{"repo":"r"}', '{"x":123456789012345678901234567890}'),
    _with('{"repo":"r"}', DEEP),
    _with('{"repo":"r"}', "[" + DEEP + "]"),
    _with('{"repo":"r"}', "[" * 1000 + "]" * 1000),
    _with('{"repo":"r"}', '"\\ud800"'),
    _with('{"repo":"r"}', '{"\\udfff":1}'),
    _with('{"repo":"r"}', '"\\ud83d\\ude00"'),
    _with('{"repo":"r"}', '"\\u00e9"'),
    _with('{"repo":"r"}', '"é"'),
    _with('{"repo":"r"}', '"a\\/b"'),
    _with('{"repo":"r"}', "[1,2,null,true,false]"),
    _with('{"repo":"r"}', "null"),
    _with('{"repo":"r"}', "[]"),
    _with('{"repo":"r"}', "{}"),
    _with('{"repo":"r"}', "0"),
    _with('{"repo":"r"}', '"null"'),
    # strings: surrogates, control characters, escapes, separators
    _with('"title":"t"', '"title":"\\ud800"'),
    _with('"title":"t"', '"title":"\\udfff\\ud800"'),
    _with('"title":"t"', '"title":"\\ud83d\\ude00"'),
    _with('"title":"t"', '"title":"😀"'),
    _with('"title":"t"', '"title":"\\u0000\\u001f\x7f\\b\\t\\n\\f\\r"'),
    _with('"title":"t"', '"title":"\\u0000\\u001F"'),
    _with('"title":"t"', '"title":"\u2028\u2029"'),
    _with('"title":"t"', '"title":"\\u2028"'),
    _with('"title":"t"', '"title":"\\u00e9"'),
    _with('"title":"t"', '"title":"' + "[{" * 100 + '"'),
    _with('"title":"t"', '"title":5'),
    _with('"title":"t"', '"title":{"a":1}'),
    _with('"link":null', '"link":"https://x/\\/y"'),
    _with('"text":null', '"text":["a"]'),
    # occurred_at: future, impossible dates, non-canonical forms
    _with("2024-05-01T04:30:00.000Z", "2031-01-01T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2030-01-01T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2030-01-01T00:00:00.001Z"),
    _with("2024-05-01T04:30:00.000Z", "2023-02-29T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2024-02-29T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "1900-02-29T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2000-02-29T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2024-02-30T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2024-04-31T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2024-05-01T24:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2024-05-01T23:59:60.000Z"),
    _with("2024-05-01T04:30:00.000Z", "0000-01-01T00:00:00.000Z"),
    _with("2024-05-01T04:30:00.000Z", "2024-05-01T04:30:00Z"),
    _with("2024-05-01T04:30:00.000Z", "2024-05-01T04:30:00.000+00:00"),
    _with("2024-05-01T04:30:00.000Z", "2024-05-01T04:30:00.0001Z"),
    _with("2024-05-01T04:30:00.000Z", "٢٠٢٤-05-01T04:30:00.000Z"),
    _with('"2024-05-01T04:30:00.000Z"', "1714537800"),
    # references and slugs
    _with('"contributor":"alice"', '"contributor":"Alice"'),
    _with('"contributor":"alice"', '"contributor":"bob"'),
    _with('"contributor":"alice"', '"contributor":"Bob"'),
    _with('"contributor":"alice"', '"contributor":"carol"'),
    _with('"contributor":"alice"', '"contributor":"alice\u202e"'),
    _with('"contributor":"alice"', '"contributor":""'),
    _with('"contributor":"alice"', '"contributor":null'),
    _with('"activity_definition":"d"', '"activity_definition":"e"'),
    _with('"activity_definition":"d"', '"activity_definition":"D"'),
    _with('"activity_definition":"d"', '"activity_definition":null'),
    _with('"slug":"s1"', '"slug":""'),
    _with('"slug":"s1"', '"slug":null'),
    _with('"slug":"s1"', '"slug":7'),
    _with('"slug":"s1"', '"slug":"s9"'),  # a repeated slug (the cross-file check's business)
    # not compact, not an object
    _with('"slug":"s1"', '"slug": "s1"'),
    GOOD + " ",
    " " + GOOD,
    GOOD + "\t",
    "[1]",
    "null",
    '"x"',
    "{}",
    GOOD[:-1],
    GOOD + "}",
]


def _file(middle: str, *, tail: str = "\n") -> bytes:
    return (GOOD + "\n" + middle + "\n" + LAST + tail).encode("utf-8", "surrogatepass")


def test_core_44_plain_export_form_file_is_taken() -> None:
    assert _same_both_ways((GOOD + "\n" + LAST + "\n").encode())
    # any key order inside meta, null meta and strings, the case-variant canonical spelling
    middle = _with('{"repo":"r"}', '{"z":[1,{"a":null}],"b":"é"}').replace('"s1"', '"s5"')
    assert _same_both_ways(_file(middle))
    bob = GOOD.replace('"alice"', '"Bob"').replace('"s1"', '"s5"')
    assert _same_both_ways(_file(bob))


@pytest.mark.parametrize("line", HOSTILE)
def test_core_44_hostile_line_same_result_both_ways(line: str) -> None:
    _same_both_ways(_file(line))
    _same_both_ways((line + "\n").encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("line", HOSTILE)
def test_core_44_hostile_line_makes_the_fast_path_decline(line: str) -> None:
    accepted = {
        _with('"points":3', '"points":9223372036854775807'),
        _with('"points":3', '"points":-9223372036854775807'),
        _with("2024-05-01T04:30:00.000Z", "2024-02-29T00:00:00.000Z"),
        _with("2024-05-01T04:30:00.000Z", "2000-02-29T00:00:00.000Z"),
        _with("2024-05-01T04:30:00.000Z", "2030-01-01T00:00:00.000Z"),
        _with('"contributor":"alice"', '"contributor":"Bob"'),
        _with('"title":"t"', '"title":"😀"'),
        _with('"title":"t"', '"title":"\u2028\u2029"'),
        _with('"title":"t"', '"title":"' + "[{" * 100 + '"'),
        _with('"title":"t"', '"title":"\\u0000\\u001f\x7f\\b\\t\\n\\f\\r"'),
        _with('{"repo":"r"}', '"é"'),
        _with('{"repo":"r"}', "[1,2,null,true,false]"),
        _with('{"repo":"r"}', "null"),
        _with('{"repo":"r"}', "[]"),
        _with('{"repo":"r"}', "{}"),
        _with('{"repo":"r"}', "0"),
        _with('{"repo":"r"}', '"null"'),
        _with('"slug":"s1"', '"slug":"s9"'),
    }
    taken = fast_activity_rows(_file(line), _ctx()) is not None
    assert taken == (line in accepted), line


def test_core_44_layout_of_the_file_decides_too() -> None:
    good = (GOOD + "\n" + LAST).encode()
    for data in (
        good,  # no final newline
        good + b"\n\n",  # a blank line
        (GOOD + "\n\n" + LAST + "\n").encode(),
        (GOOD + "\n  \n" + LAST + "\n").encode(),
        (GOOD + "\r\n" + LAST + "\r\n").encode(),  # `\r` left (the reader turns CRLF into LF)
        b"\xef\xbb\xbf" + good + b"\n",  # a BOM left in
        (GOOD + "\n" + LAST + "\x00\n").encode(),
        b"\n",
    ):
        assert fast_activity_rows(data, _ctx()) is None
        _same_both_ways(data)


def test_core_55_line_too_long_is_declined_and_reported() -> None:
    long = _with('"title":"t"', '"title":"' + "x" * MAX_LINE_BYTES + '"')
    data = _file(long)
    assert fast_activity_rows(data, _ctx()) is None
    _, problems, _, complete = _parse(data, fast=True)
    assert [(p[1], p[4]) for p in problems] == [(2, "too-large")] and not complete
    # a long file of short lines is taken
    many = "".join(GOOD.replace('"s1"', f'"s{i:06d}"') + "\n" for i in range(8000))
    assert len(many) > MAX_LINE_BYTES
    assert _same_both_ways(many.encode())


def test_core_44_bad_input_corpus_lines_same_both_ways() -> None:
    """Every activity line of the bad-input corpus (issue 15), alone and between good lines."""
    sys.path.insert(0, str(Path(__file__).parent))
    from test_bad_inputs import parse_case  # the corpus's own reader

    seen = 0
    for case_path in sorted(CASES.glob("*.case")):
        for op, rel, body in parse_case(case_path).ops:
            if not rel.endswith(".jsonl") or "activities" not in rel or "@@" in body:
                continue
            raw = body.encode("utf-8", "surrogatepass")
            if op.endswith("-bytes"):
                import codecs

                raw = codecs.escape_decode(raw)[0]
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                continue  # never parsed: the reader refuses the file (`layout.normalise_utf8`)
            for line in raw.splitlines():
                seen += 1
                _same_both_ways(line + b"\n")
                _same_both_ways(GOOD.encode() + b"\n" + line + b"\n" + LAST.encode() + b"\n")
    assert seen >= 20


def test_core_40_msgspec_escapes_every_code_point_as_orjson() -> None:
    """The premise of the byte-for-byte proof: equal bytes from msgspec mean equal bytes from
    orjson, so a line taken is exactly what `render_activity` writes (export form)."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    assert msgspec.json.encode(chars) == orjson.dumps(chars)
    assert msgspec.json.encode("".join(chars)) == orjson.dumps("".join(chars))


def test_core_44_line_fields_are_the_export_order() -> None:
    decoder = _ctx().activity_file_decoder()
    assert decoder is not None
    assert (
        tuple(msgspec.structs.fields(decoder.type)[i].name for i in range(9))
        == (ACTIVITY_FIELDS[:9])
    )


_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=8)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _dump(value: Any, style: int) -> str:
    if style == 0:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if style == 1:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return json.dumps(value, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(
    slug=st.one_of(_TEXT, st.integers()),
    contributor=st.sampled_from(["alice", "Alice", "Bob", "bob", "zed", ""]),
    definition=st.sampled_from(["d", "pr_opened", "x"]),
    title=st.one_of(st.none(), _TEXT),
    occurred=st.sampled_from(
        ["2024-05-01T04:30:00.000Z", "2031-01-01T00:00:00.000Z", "2024-02-30T00:00:00.000Z"]
    ),
    points=st.one_of(st.none(), st.integers(min_value=-(2**65), max_value=2**65), st.floats()),
    meta=_JSON,
    style=st.integers(min_value=0, max_value=2),
    extra=st.booleans(),
)
def test_core_44_generated_lines_same_both_ways(
    slug: Any,
    contributor: str,
    definition: str,
    title: Any,
    occurred: str,
    points: Any,
    meta: Any,
    style: int,
    extra: bool,
) -> None:
    obj = {
        "slug": slug,
        "contributor": contributor,
        "activity_definition": definition,
        "title": title,
        "occurred_at": occurred,
        "link": None,
        "text": title,
        "points": points,
        "meta": meta,
    }
    if extra:
        obj["x"] = meta
    line = _dump(obj, style)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in line):
        line = _dump(obj, 1)  # raw surrogates are not UTF-8: the reader refuses such a file
    _same_both_ways(line.encode("utf-8", "surrogatepass") + b"\n")
    _same_both_ways(_file(line))
