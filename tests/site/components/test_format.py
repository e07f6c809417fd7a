"""WEB-10 and WEB-56: fixed English formatting, half-up rounding, plurals, dates in tz."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from leaderboard.site import format as f


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1,000"),
        (1234567, 0, "1,234,567"),
        (-1234, 0, "-1,234"),
        (2.5, 0, "3"),
        (3.5, 0, "4"),
        (-2.5, 0, "-3"),
        (2.675, 2, "2.68"),
        (1.005, 2, "1.01"),
        (1234.5, 2, "1,234.50"),
        (-0.001, 2, "0.00"),
    ],
)
def test_web_10_format_number_grouping_and_half_up(
    value: float, decimals: int, expected: str
) -> None:
    assert f.format_number(value, decimals) == expected


def test_web_10_format_int_and_compact_decimal() -> None:
    assert f.format_int(1234.5) == "1,235"
    assert f.format_compact_decimal(12.5) == "12.5"
    assert f.format_compact_decimal(12.0) == "12"
    assert f.format_compact_decimal(1234.567) == "1,234.57"


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "activity", "0 activities"),
        (1, "activity", "1 activity"),
        (2, "activity", "2 activities"),
        (1, "point", "1 point"),
        (1234, "point", "1,234 points"),
        (2, "day", "2 days"),
        (3, "badge", "3 badges"),
        (2, "match", "2 matches"),
        (5, "person", "5 people"),
        (2, "contributor", "2 contributors"),
    ],
)
def test_web_10_plural_agreement(count: int, word: str, expected: str) -> None:
    assert f.plural(count, word) == expected


def test_web_10_plural_explicit_form_and_pluralize() -> None:
    assert f.plural(2, "tier", "tiers earned") == "2 tiers earned"
    assert f.pluralize("activity", 1) == "activity"
    assert f.pluralize("Activity", 2) == "Activities"


def test_web_10_dates_fixed_english() -> None:
    d = date(2026, 4, 12)
    assert f.format_date(d) == "Apr 12, 2026"
    assert f.format_month(d) == "April 2026"
    assert f.format_axis_date(d) == "Apr 12"
    assert f.format_weekday_date(d) == "Sunday, Apr 12"
    assert f.format_day_title(d) == "Sun, 12 Apr 2026"
    assert f.format_date("2026-04-12") == "Apr 12, 2026"


def test_web_10_datetime_in_non_utc_zone() -> None:
    tz = ZoneInfo("America/New_York")
    # 01:30 UTC on Apr 13 is still Apr 12 in New York (EDT, UTC-4).
    instant = "2026-04-13T01:30:00.000Z"
    assert f.format_date(instant, tz) == "Apr 12, 2026"
    assert f.format_datetime(instant, tz) == "Apr 12, 2026, 9:30 PM EDT"
    assert f.format_datetime(instant, ZoneInfo("UTC")) == "Apr 13, 2026, 1:30 AM UTC"
    assert f.format_datetime(
        datetime(2026, 1, 5, 12, 5, tzinfo=UTC), ZoneInfo("Europe/Berlin")
    ) == ("Jan 5, 2026, 1:05 PM CET")
    assert f.format_time("2026-01-05T00:00:00.000Z", ZoneInfo("UTC")) == "12:00 AM UTC"


def test_web_10_instant_needs_tz() -> None:
    with pytest.raises(ValueError):
        f.format_date("2026-04-13T01:30:00.000Z")
    with pytest.raises(ValueError):
        f.format_date(datetime(2026, 1, 1))  # naive


def test_web_10_time_tag() -> None:
    tz = ZoneInfo("Asia/Kolkata")
    tag = f.time_tag("2026-04-12T08:35:00.000Z", tz=tz, relative=True)
    assert str(tag) == (
        '<time datetime="2026-04-12T08:35:00.000Z" data-relative '
        'title="Apr 12, 2026, 2:05 PM IST">Apr 12, 2026, 2:05 PM IST</time>'
    )
    assert str(f.time_tag(date(2026, 4, 12))) == '<time datetime="2026-04-12">Apr 12, 2026</time>'
    assert str(f.time_tag("2026-04-12", "12 <Apr>")) == (
        '<time datetime="2026-04-12">12 &lt;Apr&gt;</time>'
    )


def test_truncate() -> None:
    assert f.truncate("abc", 3) == "abc"
    assert f.truncate("abcdef", 4) == "abc…"
    assert len(f.truncate("x" * 200, 120)) == 120


def test_percent_and_share() -> None:
    assert f.format_percent(0.1234, 1) == "12.3%"
    assert f.share_percent(1, 3) == "33%"
    assert f.share_percent(1, 8, 1) == "12.5%"
    assert f.share_percent(0, 0) == "0%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"type": "string", "value": "2024-01-02"}, "2024-01-02"),
        ({"type": "number", "value": 1234.4, "format": "integer"}, "1,234"),
        ({"type": "number", "value": 1234.5}, "1,235"),
        ({"type": "number", "value": 12, "format": "integer", "unit": "days"}, "12 days"),
        ({"type": "number", "value": 3.14159, "format": "decimal"}, "3.14"),
        (
            {"type": "number", "value": 3.14159, "format": "decimal", "decimals": 3, "unit": "h"},
            "3.142 h",
        ),
        ({"type": "number", "value": 0.4567, "format": "percentage"}, "45.67%"),
        ({"type": "number", "value": 0.5, "format": "percentage", "decimals": 0}, "50%"),
        ({"type": "number", "value": 90061000, "format": "duration"}, "1d 1h"),
        ({"type": "number", "value": 3_720_000, "format": "duration"}, "1h 2m"),
        ({"type": "number", "value": 61_000, "format": "duration"}, "1m 1s"),
        ({"type": "number", "value": 5_500, "format": "duration"}, "5s"),
        ({"type": "number", "value": 86_400_000, "format": "duration"}, "1d 0h"),
        ({"type": "number", "value": 512, "format": "bytes"}, "512.00 B"),
        ({"type": "number", "value": 1536, "format": "bytes"}, "1.50 KB"),
        ({"type": "number", "value": 5 * 1024**3, "format": "bytes"}, "5.00 GB"),
        ({"type": "number", "value": 1234.5, "format": "currency"}, "$1,234.50"),
        ({"type": "number", "value": 1234.5, "format": "currency", "unit": "EUR"}, "EUR 1,234.50"),
        ({"type": "statistics/number", "mean": 12.345, "unit": "h"}, "12.35 h"),
        (
            {"type": "statistics/number", "mean": 1, "median": 7.5, "highlightMetric": "median"},
            "7.5",
        ),
        ({"type": "statistics/number", "min": 1}, "N/A"),
        ({"type": "mystery", "value": [1, 2]}, '{"type":"mystery","value":[1,2]}'),
    ],
)
def test_web_56_aggregate_value_formatting(value: dict[str, object], expected: str) -> None:
    assert f.format_aggregate_value(value) == expected
