"""Aggregate JSON texts built directly are exactly what `dumps_compact` writes (CORE-40, CORE-62)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from leaderboard.aggregates.rounding import round2
from leaderboard.aggregates.standard import (
    CALC_ONLY,
    MetaShape,
    _average_value,
    _date_value,
    _days_value,
    integer_text,
    per_definition_meta,
)
from leaderboard.jsonfmt import dumps_compact

TS = "2024-03-10T12:00:00.000Z"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integer_and_days_texts(n: int) -> None:
    assert integer_text(n) == dumps_compact({"type": "number", "value": n, "format": "integer"})
    assert _days_value(n) == dumps_compact(
        {"type": "number", "value": n, "format": "integer", "unit": "days"}
    )


@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(min_value=1, max_value=999))
def test_average_text(points: int, count: int) -> None:
    wanted = {"type": "number", "value": round2(points / count), "format": "decimal", "decimals": 2}
    assert _average_value(points, count) == dumps_compact(wanted)


def test_date_text() -> None:
    assert _date_value(date(2024, 3, 10).toordinal()) == '{"type":"string","value":"2024-03-10"}'


def _meta(shape: MetaShape, meta: dict[str, Any]) -> None:
    assert shape.text(TS) == dumps_compact({k: TS if v is None else v for k, v in meta.items()})


def test_meta_shapes_match_dumps_compact() -> None:
    _meta(CALC_ONLY, {"calculated_at": None})
    _meta(
        per_definition_meta('pr "quoted" é'),
        {"activity_definition": 'pr "quoted" é', "calculated_at": None},
    )
    _meta(
        MetaShape.of({"calculated_at": None, "period_start": "2024-02-09"}),
        {"calculated_at": None, "period_start": "2024-02-09"},
    )


def test_kept_calculated_at_only_for_the_exact_text() -> None:
    shape = per_definition_meta("pr")
    assert shape.kept_calculated_at(shape.text(TS)) == TS
    reordered = json.dumps(
        {"calculated_at": TS, "activity_definition": "pr"}, separators=(",", ":")
    )
    assert shape.kept_calculated_at(reordered) is None
    assert shape.kept_calculated_at(shape.text("yesterday")) == "yesterday"  # kept as stored
    assert shape.kept_calculated_at(shape.text('a"b')) is None  # escaped: compared by value
    assert shape.kept_calculated_at(shape.text("a\nb")) is None
    assert (
        shape.kept_calculated_at('{"activity_definition":"pr","calculated_at":"a","x":"b"}') is None
    )
    assert shape.kept_calculated_at(None) is None
    assert shape.kept_calculated_at(shape.text(TS).replace('"2024', "'2024")) is None
