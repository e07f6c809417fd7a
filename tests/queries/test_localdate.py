"""Local dates computed in SQL agree with `timeutil.local_date` in every zone (CORE-12)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leaderboard.db import Database
from leaderboard.queries.localdate import local_date_sql, transitions
from leaderboard.timeutil import canonical, date_text, local_date

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
         "Pacific/Chatham", "America/St_Johns"]  # fmt: skip


@pytest.mark.parametrize("zone", ZONES)
def test_sql_local_date_matches_python(zone: str) -> None:
    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    base = datetime(2015, 1, 1, tzinfo=UTC)
    stamps = [
        canonical(base + timedelta(seconds=rng.randrange(12 * 365 * 86400))) for _ in range(400)
    ]
    # Instants right around every transition of 2024 (DST edges).
    for at, _ in transitions(tz):
        if at.startswith("2024"):
            t = datetime.fromisoformat(at.replace("Z", "+00:00"))
            stamps += [canonical(t + timedelta(seconds=s)) for s in (-1, 0, 1, 3600)]
    db = Database.open(":memory:", migrate_schema=False)
    expr = local_date_sql("t", tz)
    got = [r[0] for r in db.execute(f"SELECT {expr} FROM (SELECT ? AS t)", (stamps[0],))]
    assert got == [date_text(local_date(stamps[0], tz))]
    db.execute("CREATE TABLE x (t TEXT)")
    db.executemany("INSERT INTO x VALUES (?)", [(s,) for s in stamps])
    rows = db.execute(f"SELECT t, {expr} FROM x").fetchall()
    assert all(d == date_text(local_date(t, tz)) for t, d in rows)


def test_transitions_of_berlin_2024() -> None:
    got = [t for t in transitions(ZoneInfo("Europe/Berlin")) if t[0].startswith("2024")]
    assert got == [("2024-03-31T01:00:00.000Z", 7200), ("2024-10-27T01:00:00.000Z", 3600)]


def test_utc_is_a_plain_substring() -> None:
    assert local_date_sql("a.t", ZoneInfo("UTC")) == "substr(a.t, 1, 10)"
