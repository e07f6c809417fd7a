"""The time model (CORE-12)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leaderboard.timeutil import (
    canonical,
    canonicalize,
    local_date,
    minus_days,
    minus_months,
    parse_now,
    parse_timestamp,
    period_window,
)

NY = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2024-01-02T03:04:05Z", UTC, "2024-01-02T03:04:05.000Z"),
        ("2024-01-02T03:04:05.123456Z", UTC, "2024-01-02T03:04:05.123Z"),
        ("2024-01-02 03:04", UTC, "2024-01-02T03:04:00.000Z"),
        ("2024-01-02T03:04:05+05:30", UTC, "2024-01-01T21:34:05.000Z"),
        ("2024-01-02T03:04:05-0200", UTC, "2024-01-02T05:04:05.000Z"),
        ("2024-01-02", KOLKATA, "2024-01-01T18:30:00.000Z"),
        ("2024-07-01T12:00", NY, "2024-07-01T16:00:00.000Z"),
    ],
)
def test_core_12_parse(text: str, tz: ZoneInfo, expected: str) -> None:
    assert canonical(parse_timestamp(text, tz).instant) == expected


def test_core_12_fraction_truncation_is_reported() -> None:
    assert parse_timestamp("2024-01-02T03:04:05.1239Z", UTC).truncated
    assert not parse_timestamp("2024-01-02T03:04:05.1230Z", UTC).truncated


@pytest.mark.parametrize(
    "bad",
    [
        "2024-13-01",
        "yesterday",
        "2024-01-02T25:00",
        "2024/01/02",
        "1700000000",
        # Offsets out of range are not shifted times (issue 15).
        "2024-01-02T03:04:05+05:99",
        "2024-01-02T03:04:05-05:60",
        "2024-01-02T03:04:05+2400",
        "2024-01-02T03:04:05+24:00",
        # Non-ASCII digits (Arabic-Indic, fullwidth) are not digits of a timestamp.
        "\u0662\u0660\u0662\u0664-01-02",
        "\u0662\u0660\u0662\u0664-01-02T03:04:05.000Z",
        "2024-01-02T03:04:05+\u0660\u0665:00",
        "\uff12\uff10\uff12\uff14-01-02",
    ],
)
def test_core_12_invalid(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(bad, UTC)
    with pytest.raises(ValueError):
        canonicalize(bad, UTC)


@pytest.mark.parametrize(
    "bad", ["2024-13-01T00:00:00.000Z", "2024-02-30T00:00:00.000Z", "2024-01-01T24:00:00.000Z"]
)
def test_core_12_canonicalize_fast_path_checks_ranges(bad: str) -> None:
    with pytest.raises(ValueError):
        canonicalize(bad, UTC)


def test_core_12_offset_edges_still_accepted() -> None:
    assert canonicalize("2024-01-02T03:04:05+23:59", UTC) == "2024-01-01T03:05:05.000Z"
    assert canonicalize("2024-01-02T03:04:05-0000", UTC) == "2024-01-02T03:04:05.000Z"


def test_core_12_now_bare_date_is_end_of_day_in_tz() -> None:
    assert canonical(parse_now("2024-03-01", KOLKATA)) == "2024-03-01T18:29:59.999Z"


def test_core_12_month_arithmetic_clamps() -> None:
    now = datetime(2024, 3, 31, 12, tzinfo=UTC)
    assert canonical(minus_months(now, 1, UTC)) == "2024-02-29T12:00:00.000Z"
    assert (
        canonical(minus_months(datetime(2024, 2, 29, tzinfo=UTC), 12, UTC))
        == "2023-02-28T00:00:00.000Z"
    )


def test_core_12_days_keep_local_time_across_dst() -> None:
    now = datetime(2024, 3, 12, 16, tzinfo=UTC)  # 12:00 EDT
    assert canonical(minus_days(now, 7, NY)) == "2024-03-05T17:00:00.000Z"  # 12:00 EST


def test_core_12_windows() -> None:
    now = datetime(2024, 3, 31, 12, tzinfo=UTC)
    w = period_window("week", now, UTC)
    assert (w.start_text, w.end_text) == ("2024-03-24T12:00:00.000Z", "2024-03-31T12:00:00.000Z")
    assert canonical(w.previous_start) == "2024-03-17T12:00:00.000Z"
    assert period_window("all-time", now, UTC).start is None


def test_local_date_in_zone() -> None:
    assert str(local_date("2024-01-01T20:00:00.000Z", KOLKATA)) == "2024-01-02"
    assert canonicalize("2024-01-01T20:00:00.000Z", KOLKATA) == "2024-01-01T20:00:00.000Z"
