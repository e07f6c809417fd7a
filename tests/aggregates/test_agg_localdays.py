"""LocalDays gives the same dates as per-instant conversion, across DST and odd offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.aggregates.localdays import LocalDays
from leaderboard.timeutil import canonical, local_date

ZONES = [
    "UTC",
    "Asia/Kolkata",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
    "Pacific/Apia",
    "Europe/London",
]
BASE = datetime(2015, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("zone", ZONES)
def test_localdays_matches_astimezone_every_15_minutes_over_a_dst_year(zone: str) -> None:
    tz = ZoneInfo(zone)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    stamps = [canonical(start + timedelta(minutes=15 * i)) for i in range(365 * 24 * 4)]
    days = LocalDays(tz, (stamps[0], stamps[-1]))
    for s in stamps:
        assert days.date_of(s) == local_date(s, tz), s


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    offsets=st.lists(st.integers(min_value=0, max_value=10 * 365 * 86400), min_size=1),
    probe=st.integers(min_value=-400 * 86400, max_value=11 * 365 * 86400),
)
def test_localdays_property_any_instant(zone: str, offsets: list[int], probe: int) -> None:
    tz = ZoneInfo(zone)
    stamps = [canonical(BASE + timedelta(seconds=o)) for o in offsets]
    days = LocalDays(tz, (min(stamps), max(stamps)))
    probe_text = canonical(BASE + timedelta(seconds=probe))  # may lie outside the range
    assert days.date_of(probe_text) == local_date(probe_text, tz)
    for s in stamps:
        assert days.date_of(s) == local_date(s, tz)
