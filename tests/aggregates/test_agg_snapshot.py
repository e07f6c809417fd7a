"""The activity snapshot (CORE-58, CORE-12, NEW-25): what aggregation and badge rules read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aggworld import AggWorld

from leaderboard.aggregates.snapshot import load_snapshot
from leaderboard.db import Database
from leaderboard.queries.localdate import exact_span, local_ordinal_sql, ordinal_span
from leaderboard.timeutil import canonical, local_date, start_of_day

ZONES = ("America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata", "UTC")


@pytest.mark.parametrize("zone", ZONES)
def test_core_12_sql_day_numbers_match_local_date_around_midnights(zone: str) -> None:
    tz = ZoneInfo(zone)
    stamps = []
    day = date(2023, 1, 1)
    while day < date(2024, 1, 10):  # every local midnight of a year, DST changes included
        midnight = start_of_day(day, tz)
        for delta in (-1, 0, 1):
            stamps.append(canonical(midnight + timedelta(milliseconds=delta)))
        day += timedelta(days=1)
    db = Database.memory()
    db.execute("CREATE TEMP TABLE t(x TEXT)")
    db.executemany("INSERT INTO t VALUES(?)", [(s,) for s in stamps])
    got = dict(db.execute(f"SELECT x, {local_ordinal_sql('x', tz)} FROM t").fetchall())
    assert {s: local_date(s, tz).toordinal() for s in stamps} == got


def _seed(world: AggWorld) -> None:
    world.contributor("bob").contributor("alice")
    world.definition("pr", "PR", points=5).definition("chat", "Chat")
    world.activity("bob", "pr", "2024-03-01T10:00:00.000Z", slug="b2")
    world.activity("bob", "pr", "2024-03-01T10:00:00.000Z", slug="b1", points=0)
    world.activity("bob", "chat", "2024-02-29T20:00:00.000Z", slug="b0", points=2)
    world.activity("bob", "chat", "2024-03-05T10:00:00.000Z", slug="b3")
    world.activity("alice", "pr", "2024-03-02 10:00", slug="odd")  # not canonical: left out


def test_core_58_snapshot_columns_order_and_effective_points(world: AggWorld) -> None:
    _seed(world)
    kolkata = ZoneInfo("Asia/Kolkata")
    snap = load_snapshot(world.db, tz=kolkata)
    assert list(snap.timelines) == ["bob"]  # alice's only activity has no instant
    bob = snap.timelines["bob"]
    assert list(bob.times) == [
        "2024-02-29T20:00:00.000Z",
        "2024-03-01T10:00:00.000Z",
        "2024-03-01T10:00:00.000Z",
        "2024-03-05T10:00:00.000Z",
    ]
    # Ties on occurred_at are ordered by slug (b1 before b2): explicit 0 wins over the definition.
    assert list(bob.points) == [2, 0, 5, 0]
    assert [snap.key("chat"), snap.key("pr"), snap.key("pr"), snap.key("chat")] == list(bob.kinds)
    # 20:00Z on 29 February is 1 March in Kolkata.
    assert [date.fromordinal(d) for d in bob.days] == [date(2024, 3, 1)] * 3 + [date(2024, 3, 5)]
    assert bob.unique_days == [date(2024, 3, 1).toordinal(), date(2024, 3, 5).toordinal()]
    assert snap.total == 4


def test_core_58_unknown_definition_keeps_its_slug(world: AggWorld) -> None:
    world.contributor("bob").definition("pr", "PR", points=1)
    world.db.execute("PRAGMA foreign_keys = OFF")
    world.activity("bob", "ghost", "2024-03-01T10:00:00.000Z")
    snap = load_snapshot(world.db, tz=UTC)
    assert list(snap.timelines["bob"].kinds) == ["ghost"]
    assert snap.key("ghost") == "ghost"
    assert list(snap.timelines["bob"].points) == [0]


def test_core_12_instants_outside_the_sql_span_are_converted_exactly(world: AggWorld) -> None:
    world.contributor("bob").definition("pr", "PR")
    kolkata = ZoneInfo("Asia/Kolkata")
    for at in ("1941-10-01T18:00:00.000Z", "2150-06-01T18:40:00.000Z", "2024-01-01T00:00:00.000Z"):
        world.activity("bob", "pr", at)
    days = load_snapshot(world.db, tz=kolkata).timelines["bob"].days
    stamps = ["1941-10-01T18:00:00.000Z", "2024-01-01T00:00:00.000Z", "2150-06-01T18:40:00.000Z"]
    assert list(days) == [local_date(s, kolkata).toordinal() for s in stamps]


def test_new_25_caps_per_local_day_in_snapshot_order(world: AggWorld) -> None:
    world.contributor("bob").definition("chat", "Chat", points=3).definition("pr", "PR", points=5)
    for slug, at in (("c3", "10:00"), ("c1", "09:00"), ("c2", "10:00"), ("c4", "20:00")):
        world.activity("bob", "chat", f"2024-03-01T{at}:00.000Z", slug=slug)
    world.activity("bob", "pr", "2024-03-01T11:00:00.000Z")
    snap = load_snapshot(world.db, tz=ZoneInfo("Asia/Kolkata"), daily_caps={"chat": 2, "x": 1})
    # c1, c2 keep points; c3 is third that day; c4 (20:00Z) is the next day in Kolkata.
    assert list(snap.timelines["bob"].points) == [3, 3, 0, 5, 3]


def test_timeline_until_and_window(world: AggWorld) -> None:
    world.contributor("bob").definition("pr", "PR", points=1)
    for day in (1, 2, 3, 4):
        world.activity("bob", "pr", f"2024-03-0{day}T00:00:00.000Z")
    bob = load_snapshot(world.db, tz=UTC).timelines["bob"]
    assert bob.until("2024-03-09T00:00:00.000Z") is bob
    assert len(bob.until("2024-03-02T00:00:00.000Z")) == 2
    assert len(bob.until("2024-02-01T00:00:00.000Z")) == 0
    start, end = "2024-03-02T00:00:00.000Z", "2024-03-04T00:00:00.000Z"
    assert bob.window(start, end, include_end=True) == slice(1, 4)
    assert bob.window(start, end, include_end=False) == slice(1, 3)
    assert bob.window(end, start, include_end=True) == slice(3, 3)


def test_snapshot_of_an_empty_db() -> None:
    snap = load_snapshot(Database.memory(), tz=UTC, daily_caps={"x": 1})
    assert (snap.timelines, snap.total) == ({}, 0)


def test_days_are_local_on_a_dst_change_day(world: AggWorld) -> None:
    world.contributor("bob").definition("pr", "PR")
    world.activity("bob", "pr", "2024-03-10T04:59:59.999Z")  # 9 March 23:59:59.999 EST
    world.activity("bob", "pr", "2024-03-10T05:00:00.000Z")  # 10 March 00:00 EST
    world.activity("bob", "pr", "2024-03-11T03:59:59.999Z")  # 10 March 23:59:59.999 EDT
    world.activity("bob", "pr", "2024-03-11T04:00:00.000Z")  # 11 March 00:00 EDT
    days = load_snapshot(world.db, tz=ZoneInfo("America/New_York")).timelines["bob"].days
    assert [date.fromordinal(d).day for d in days] == [9, 10, 10, 11]


def test_ordinal_span_covers_the_data_or_falls_back() -> None:
    first, last = ordinal_span("2024-03-01T10:00:00.000Z", "2024-03-05T23:00:00.000Z")
    assert (first, last) == (datetime(2024, 2, 29, tzinfo=UTC), datetime(2024, 3, 7, tzinfo=UTC))
    full = ordinal_span(None, None)
    assert full == ordinal_span("garbage", "2024-03-01T10:00:00.000Z")
    assert full == ordinal_span("2024-03-01 10:00", "2024-03-02 10:00")  # no offset: not trusted
    assert full == ordinal_span("0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z")
    assert exact_span(full) == ("1970-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z")


def test_core_12_span_limited_sql_days_are_exact_inside_the_span() -> None:
    tz = ZoneInfo("America/New_York")
    span = ordinal_span("2024-03-09T00:00:00.000Z", "2024-11-04T00:00:00.000Z")
    inside = [canonical(start_of_day(date(2024, m, 10), tz)) for m in range(3, 12)]
    db = Database.memory()
    db.execute("CREATE TEMP TABLE t(x TEXT)")
    db.executemany("INSERT INTO t VALUES(?)", [(s,) for s in inside])
    got = [o for (o,) in db.execute(f"SELECT {local_ordinal_sql('x', tz, span)} FROM t")]
    assert got == [local_date(s, tz).toordinal() for s in inside]


def test_core_35_canonical_shape_filter_is_the_character_by_character_check() -> None:
    """The snapshot's one-GLOB shape filter keeps exactly the rows the five-function check
    kept: length 24 in characters (not bytes), the four separators in place, text only."""
    from leaderboard.aggregates.snapshot import _CANONICAL

    old = (
        "length(a.occurred_at) = 24 AND substr(a.occurred_at, 5, 1) = '-' "
        "AND substr(a.occurred_at, 11, 1) = 'T' AND substr(a.occurred_at, 20, 1) = '.' "
        "AND substr(a.occurred_at, 24, 1) = 'Z'"
    )
    good = "2024-03-01T10:00:00.000Z"
    values: list[object] = [
        good,
        good.lower(),
        good[:-1],
        good + " ",
        " " + good[:-1],
        "2024-03-01 10:00:00.000Z",
        "2024-03-01T10:00:00,000Z",
        "2024_03-01T10:00:00.000Z",
        "2024-03-01T10:00:00.000z",
        "2é24-03-01T10:00:00.000Z",  # 24 characters, 25 bytes
        "ééé4-03-01T10:00:00.000Z",
        "[**]-?3-01T10:00:00.000Z",  # GLOB metacharacters are data here
        good.encode(),  # a blob
        20240301,
        None,
    ]
    db = Database.memory()
    db.execute("CREATE TEMP TABLE a(occurred_at)")
    db.executemany("INSERT INTO a VALUES(?)", [(v,) for v in values])
    sql = f"SELECT rowid, coalesce({old}, 0), coalesce({_CANONICAL}, 0) FROM a"
    got = {r: (bool(x), bool(y)) for r, x, y in db.execute(sql)}
    assert all(x == y for x, y in got.values()), got
    assert got[1] == (True, True)
    # The shape only (digits are not checked): the canonical text and the three look-alikes.
    assert sum(x for x, _ in got.values()) == 4
