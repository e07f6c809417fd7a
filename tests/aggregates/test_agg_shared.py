"""The shared activity snapshot (CORE-80): reused while activities are unchanged, never stale."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aggworld import AggWorld

from leaderboard.aggregates import run_standard_aggregation
from leaderboard.aggregates.shared import activity_snapshot, forget_snapshot
from leaderboard.db import Database

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


def _seed(world: AggWorld) -> None:
    world.contributor("bob").definition("pr", "PR", points=2)
    world.activity("bob", "pr", "2024-03-01T10:00:00.000Z")


def test_reused_across_writes_to_other_tables(world: AggWorld) -> None:
    _seed(world)
    first = activity_snapshot(world.db, tz=UTC)
    with world.db.transaction():
        run_standard_aggregation(world.db, now=NOW, tz=UTC)  # writes aggregates and meta
    world.db.set_meta("data_updated_at", "2024-03-10T12:00:00.000Z")
    assert activity_snapshot(world.db, tz=UTC) is first


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO activity(slug, contributor, activity_definition, occurred_at) "
        "VALUES('x', 'bob', 'pr', '2024-03-02T10:00:00.000Z')",
        "UPDATE activity SET points = 7",
        "DELETE FROM activity",
        "UPDATE activity_definition SET points = 9",
        "INSERT INTO activity_definition(slug, name, description) VALUES('new', 'New', '')",
        "UPDATE contributor SET username = 'Bobby'",  # cascades into activity
    ],
)
def test_any_write_to_watched_tables_invalidates(world: AggWorld, sql: str) -> None:
    _seed(world)
    first = activity_snapshot(world.db, tz=UTC)
    world.db.execute(sql)
    second = activity_snapshot(world.db, tz=UTC)
    assert second is not first
    assert activity_snapshot(world.db, tz=UTC) is second


def test_rolled_back_savepoint_is_not_served_stale(world: AggWorld) -> None:
    _seed(world)
    with world.db.transaction():
        with pytest.raises(RuntimeError), world.db.savepoint():
            world.db.execute("UPDATE activity SET points = 100")
            inside = activity_snapshot(world.db, tz=UTC)
            assert list(inside.timelines["bob"].points) == [100]
            raise RuntimeError("roll back")
        after = activity_snapshot(world.db, tz=UTC)
        assert list(after.timelines["bob"].points) == [2]
        world.db.execute("UPDATE activity SET points = 100")  # same data as the rolled-back one
        again = activity_snapshot(world.db, tz=UTC)
        assert again is not inside and list(again.timelines["bob"].points) == [100]


def test_watch_removed_by_a_rollback_is_reinstalled(world: AggWorld) -> None:
    _seed(world)
    with pytest.raises(RuntimeError), world.db.transaction():
        first = activity_snapshot(world.db, tz=UTC)  # installs the watch in this transaction
        raise RuntimeError("roll back")
    world.db.execute("UPDATE activity SET points = 5")
    second = activity_snapshot(world.db, tz=UTC)
    assert second is not first and list(second.timelines["bob"].points) == [5]


def test_commit_by_another_connection_invalidates(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = Database.open(path)
    AggWorld(db).contributor("bob").definition("pr", "PR", points=1)
    first = activity_snapshot(db, tz=UTC)
    other = sqlite3.connect(path)
    other.execute(
        "INSERT INTO activity(slug, contributor, activity_definition, occurred_at) "
        "VALUES('x', 'bob', 'pr', '2024-03-02T10:00:00.000Z')"
    )
    other.commit()
    other.close()
    second = activity_snapshot(db, tz=UTC)
    assert second is not first and second.total == 1
    db.close()


def test_time_zone_and_caps_are_part_of_the_key(world: AggWorld) -> None:
    _seed(world)
    utc = activity_snapshot(world.db, tz=UTC)
    kolkata = activity_snapshot(world.db, tz=ZoneInfo("Asia/Kolkata"))
    assert kolkata is not utc
    capped = activity_snapshot(world.db, tz=ZoneInfo("Asia/Kolkata"), daily_caps={"pr": 0})
    assert capped is not kolkata and list(capped.timelines["bob"].points) == [0]
    forget_snapshot(world.db)
    assert activity_snapshot(world.db, tz=UTC) is not utc


def test_read_only_connection_reads_afresh(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    with Database.open(path) as db:
        _seed(AggWorld(db))
    ro = Database.open(path, readonly=True)
    assert activity_snapshot(ro, tz=UTC).total == 1
    assert activity_snapshot(ro, tz=UTC).total == 1
    ro.close()
