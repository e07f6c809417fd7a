"""ECO-07 parameter rules: types, limits, offsets, dates and periods."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leaderboard.mcp.envelope import INVALID_ARGUMENTS, TOOL_ERROR, ArgumentError, ToolError
from leaderboard.mcp.params import Param, bounds, input_schema, validate
from leaderboard.mcp.tools import BY_NAME

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
KOLKATA = ZoneInfo("Asia/Kolkata")
BOARD = BY_NAME["get_leaderboard"].params


def test_limit_is_clamped_and_integral_floats_accepted() -> None:
    assert validate(BOARD, {"limit": 10**9})["limit"] == 1000
    assert validate(BOARD, {"limit": 0})["limit"] == 1
    assert validate(BOARD, {"limit": -5})["limit"] == 1
    assert validate(BOARD, {"limit": 7.0})["limit"] == 7
    assert validate(BOARD, {})["limit"] == 50
    top = BY_NAME["get_top_by_activity"].params
    assert validate(top, {"activity_type": "x", "limit": 500})["limit"] == 100


def test_offset_negative_becomes_zero() -> None:
    params = BY_NAME["query_contributors"].params
    assert validate(params, {"offset": -3})["offset"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"limit": "10"}, "limit must be an integer"),
        ({"limit": 2.5}, "limit must be an integer"),
        ({"limit": True}, "limit must be an integer"),
        ({"include_bots": "yes"}, "include_bots must be a boolean"),
        ({"exclude_roles": "bot"}, "exclude_roles must be a list of strings"),
        ({"exclude_roles": [1]}, "exclude_roles must be a list of strings"),
        ({"period": "decade"}, "period must be one of week, month, year, all-time"),
        ({"start_date": 20250101}, "start_date must be a string"),
        ({"colour": "red"}, "Unknown argument: colour"),
    ],
)
def test_wrong_types_name_the_argument(args: dict[str, object], message: str) -> None:
    with pytest.raises(ArgumentError, match=message) as info:
        validate(BOARD, args)
    assert info.value.code == INVALID_ARGUMENTS


def test_required_and_list_sizes() -> None:
    batch = BY_NAME["batch_get_contributors"].params
    with pytest.raises(ArgumentError, match="usernames is required"):
        validate(batch, {})
    with pytest.raises(ArgumentError, match="at least 1"):
        validate(batch, {"usernames": []})
    with pytest.raises(ArgumentError, match="at most 1000"):
        validate(batch, {"usernames": ["a"] * 1001})
    search = BY_NAME["search_activities"].params
    with pytest.raises(ArgumentError, match="query must not be empty"):
        validate(search, {"query": "  "})
    assert validate(BOARD, {"period": None})["period"] is None  # null = absent


def test_dates_in_the_org_zone_with_inclusive_end() -> None:
    b = bounds("2025-06-01", "2025-06-30", None, tz=KOLKATA, now=NOW)
    assert b.start == "2025-05-31T18:30:00.000Z"  # 00:00 in Asia/Kolkata
    assert b.end == "2025-06-30T18:29:59.999Z"  # the end day is included
    only_start = bounds("2025-06-01T10:00:00Z", None, None, tz=UTC, now=NOW)
    assert (only_start.start, only_start.end) == ("2025-06-01T10:00:00.000Z", None)
    week = bounds(None, None, "week", tz=UTC, now=NOW)
    assert (week.start, week.end, week.period) == (
        "2025-06-23T12:00:00.000Z", "2025-06-30T12:00:00.000Z", "week"
    )  # fmt: skip
    assert bounds(None, None, None, tz=UTC, now=NOW).start is None  # all time


@pytest.mark.parametrize(
    ("start", "end", "period", "message"),
    [
        ("2025-02-30", None, None, "Invalid date format: 2025-02-30"),
        ("yesterday", None, None, "Invalid date format: yesterday"),
        (None, "10000-01-01", None, "Invalid date format: 10000-01-01"),
        (None, "9999-12-31", None, "Invalid date format: 9999-12-31"),  # end of day overflows
        ("2025-07-01", "2025-06-01", None, "start_date must not be after end_date"),
        ("2025-06-01", None, "week", "Use either period or start_date/end_date"),
    ],
)
def test_bad_dates(start: str | None, end: str | None, period: str | None, message: str) -> None:
    with pytest.raises(ToolError) as info:
        bounds(start, end, period, tz=UTC, now=NOW)
    assert info.value.message == message
    assert info.value.code == TOOL_ERROR


def test_far_but_valid_dates_work() -> None:
    b = bounds("0001-01-01", "9999-12-30", None, tz=UTC, now=NOW)
    assert b.start == "0001-01-01T00:00:00.000Z" and b.end == "9999-12-30T23:59:59.999Z"


def test_schema_matches_the_declarations() -> None:
    schema = input_schema(
        (
            Param("limit", "integer", "rows", default=50, maximum=1000),
            Param("u", "string", "x", required=True),
        )
    )
    assert schema["required"] == ["u"]
    assert schema["properties"]["limit"] == {
        "type": "integer", "description": "rows", "minimum": 1, "maximum": 1000, "default": 50,
    }  # fmt: skip
    assert schema["additionalProperties"] is False
