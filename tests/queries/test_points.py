"""CORE-58 effective points and NEW-25 daily caps: one definition in Python and in SQL."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from querydb import add_activity, add_contributor, add_definition

from leaderboard import points
from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import activities, dbinfo, leaderboards

UTC_NOW = "2024-06-30T23:59:59.999Z"


@pytest.mark.parametrize(
    ("own", "definition", "expected"),
    [(5, 3, 5), (0, 3, 0), (None, 3, 3), (None, None, 0), (0, None, 0), (None, 0, 0)],
)
def test_core_58_precedence_python(own: int | None, definition: int | None, expected: int) -> None:
    assert points.effective_points(own, definition) == expected


def test_core_58_precedence_sql_explicit_zero_wins(db: Database) -> None:
    add_contributor(db, "alice")
    add_definition(db, "pr", points=10)
    add_definition(db, "note", points=None)
    add_activity(db, "a1", "alice", "pr", "2024-06-01T10:00:00.000Z", points=0)
    add_activity(db, "a2", "alice", "pr", "2024-06-02T10:00:00.000Z", points=None)
    add_activity(db, "a3", "alice", "note", "2024-06-03T10:00:00.000Z", points=None)
    add_activity(db, "a4", "alice", "note", "2024-06-04T10:00:00.000Z", points=7)
    got = {a["slug"]: a["points"] for a in activities.by_contributor(db, "alice")}
    assert got == {"a1": 0, "a2": 10, "a3": 0, "a4": 7}
    stored = {a["slug"]: a["stored_points"] for a in activities.by_contributor(db, "alice")}
    assert stored == {"a1": 0, "a2": None, "a3": None, "a4": 7}
    assert activities.total_points(db, "ALICE") == 17


def test_effective_points_sql_uses_aliases() -> None:
    assert points.effective_points_sql("x", "y") == "COALESCE(x.points, y.points, 0)"


def test_check_daily_caps_rejects_bad_values() -> None:
    assert points.check_daily_caps({"pr": 2}) == {"pr": 2}
    with pytest.raises(ValueError, match="integer >= 0"):
        points.check_daily_caps({"pr": -1})
    with pytest.raises(ValueError, match="integer >= 0"):
        points.check_daily_caps({"pr": True})


def _capped_db(db: Database) -> None:
    add_contributor(db, "alice")
    add_contributor(db, "bob")
    add_definition(db, "comment", points=2)
    add_definition(db, "pr", points=10)
    # Berlin: 2024-06-01 local runs 2024-05-31T22:00Z .. 2024-06-01T21:59:59Z.
    for i, ts in enumerate(
        [
            "2024-05-31T22:30:00.000Z",  # Jun 1 local, 1st
            "2024-06-01T08:00:00.000Z",  # Jun 1, 2nd
            "2024-06-01T08:00:00.000Z",  # Jun 1, 3rd (same instant: slug order decides)
            "2024-06-01T21:00:00.000Z",  # Jun 1, 4th -> capped
            "2024-06-01T22:30:00.000Z",  # Jun 2 local, 1st
        ]
    ):
        add_activity(db, f"c{i}", "alice", "comment", ts)
    add_activity(db, "p0", "alice", "pr", "2024-06-01T09:00:00.000Z")
    add_activity(db, "p1", "alice", "pr", "2024-06-01T10:00:00.000Z")
    add_activity(db, "b0", "bob", "comment", "2024-06-01T09:00:00.000Z", points=5)


def test_new_25_daily_caps_sql_matches_python(db: Database) -> None:
    tz = ZoneInfo("Europe/Berlin")
    _capped_db(db)
    caps = {"comment": 2}
    rows = activities.by_contributor(db, "alice", tz=tz)  # no caps stored: uncapped
    assert sum(r["points"] for r in rows) == 5 * 2 + 20
    dbinfo.store_scoring(db, timezone="Europe/Berlin", caps=caps)
    capped = {r["slug"]: r["points"] for r in activities.by_contributor(db, "alice", tz=tz)}
    assert capped == {"c0": 2, "c1": 2, "c2": 0, "c3": 0, "c4": 2, "p0": 10, "p1": 10}
    raw = [
        {**r, "points": r["stored_points"] if r["stored_points"] is not None else 2}
        for r in activities.by_contributor(db, "alice", tz=tz)
        if r["activity_definition"] == "comment"
    ]
    python = points.apply_daily_caps(raw, caps, tz)
    assert python == {k: v for k, v in capped.items() if k.startswith("c")}
    # Counts are unchanged by caps; bob is capped separately.
    assert activities.counts_by_definition(db, "alice", tz=tz)["comment"] == {
        "count": 5,
        "points": 6,
    }
    assert activities.total_points(db, "bob", tz=tz) == 5


def test_new_25_caps_do_not_depend_on_window_start(db: Database) -> None:
    """A window starting mid-day still sees the activities earlier that day."""
    tz = ZoneInfo("Europe/Berlin")
    _capped_db(db)
    dbinfo.store_scoring(db, timezone="Europe/Berlin", caps={"comment": 2})
    pop = Population(name="ranked")
    start = "2024-06-01T12:00:00.000Z"  # after c0..c2, before c3
    got = leaderboards.window_totals(db, start, UTC_NOW, pop, tz=tz)
    # alice in window: c3 (capped -> 0), c4 (2). bob: b0 is before the start.
    assert got == {"alice": (2, 2)}


def test_new_25_caps_explicit_argument_overrides_stored(db: Database) -> None:
    tz = ZoneInfo("UTC")
    _capped_db(db)
    dbinfo.store_scoring(db, timezone="UTC", caps={"comment": 0})
    pop = Population(name="ranked")
    assert leaderboards.window_totals(db, None, UTC_NOW, pop, tz=tz)["alice"] == (20, 7)
    got = leaderboards.window_totals(db, None, UTC_NOW, pop, tz=tz, caps={})
    assert got["alice"] == (30, 7)


def test_capped_points_sql_without_caps_is_plain() -> None:
    assert points.capped_points_sql({}, "x") == points.effective_points_sql()
