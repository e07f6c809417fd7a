"""The first evaluation into an empty `contributor_badge` (indexes and triggers dropped for the
insert, CORE-80) stores exactly what row-by-row inserts store, and keeps the schema."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from badgeworld import BadgeWorld

from leaderboard.db import Database

# The module, not the function `leaderboard.badges.evaluate` that the package exports.
evaluation = importlib.import_module("leaderboard.badges.evaluate")

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
COUNT = {
    "type": "threshold",
    "badge_slug": "m",
    "aggregate_slug": "activity_count",
    "thresholds": [{"variant": "bronze", "value": 1}, {"variant": "silver", "value": 2}],
}


def _evaluated(monkeypatch: pytest.MonkeyPatch, bulk_rows: int) -> dict[str, object]:
    db = Database.memory()
    try:
        world = BadgeWorld(db).definition("pr").badge("m")
        for i in range(8):
            world.contributor(f"user{i}")
            for day in range(1, 2 + i % 3):
                world.activity(f"user{i}", "pr", f"2024-05-0{day}T12:00:00.000Z")
        db.execute(
            "INSERT INTO _datarepo_sync(kind, path, size, digest) "
            "VALUES('contributor_badge', '', 0, '')"
        )
        with monkeypatch.context() as m:
            m.setattr(evaluation, "BULK_ROWS", bulk_rows)
            assert world.run([COUNT], now=NOW, tz=UTC).awards > 8
        return {
            "rows": db.query("SELECT * FROM contributor_badge ORDER BY slug"),
            "sync": db.query("SELECT * FROM _datarepo_sync ORDER BY kind, path"),
            "schema": db.query(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'contributor_badge' "
                "ORDER BY type, name"
            ),
        }
    finally:
        db.close()


def test_bulk_insert_into_an_empty_table_equals_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    bulk = _evaluated(monkeypatch, 0)
    assert bulk == _evaluated(monkeypatch, 10**9)
    assert bulk["sync"] == []  # the trigger's effect, applied once


def test_a_table_holding_awards_is_written_row_by_row(
    world: BadgeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.contributor("bob").definition("pr").badge("m")
    world.activity("bob", "pr", "2024-05-01T12:00:00.000Z")
    world.run([COUNT], now=NOW, tz=UTC)
    world.activity("bob", "pr", "2024-05-02T12:00:00.000Z")
    monkeypatch.setattr(evaluation, "BULK_ROWS", 0)

    def refuse(table: str) -> None:
        raise AssertionError("indexes dropped on a table that holds rows")

    monkeypatch.setattr(world.db, "secondary_indexes_dropped", refuse)
    assert world.run([COUNT], now=NOW, tz=UTC).awards == 1
