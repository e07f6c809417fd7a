"""The first aggregation into an empty table (indexes and triggers dropped for the insert, CORE-80)
stores exactly what row-by-row upserts store, keeps the schema, and rolls back whole."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from aggworld import AggWorld

from leaderboard.aggregates import run_standard_aggregation, store
from leaderboard.db import Database

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


def _seed(db: Database) -> AggWorld:
    w = AggWorld(db)
    w.definition("pr_merged", "PR Merged", 5).definition("comment", "Comment", None)
    for i in range(6):
        w.contributor(f"user{i}")
        for day in range(1, 2 + i):
            w.activity(f"user{i}", "pr_merged", f"2024-03-0{day}T10:00:00.000Z")
            w.activity(f"user{i}", "comment", f"2024-02-2{day}T18:00:00.000Z", points=2)
    # What an export recorded: the header row that any write to the table must remove.
    db.execute(
        "INSERT INTO _datarepo_sync(kind, path, size, digest) "
        "VALUES('contributor_aggregate', '', 0, '')"
    )
    return w


def _state(db: Database) -> dict[str, object]:
    return {
        "rows": db.query("SELECT * FROM contributor_aggregate ORDER BY aggregate, contributor"),
        "sync": db.query("SELECT * FROM _datarepo_sync ORDER BY kind, path"),
        "schema": db.query(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'contributor_aggregate' "
            "ORDER BY type, name"
        ),
        "meta": db.get_meta("data_updated_at"),
    }


def _aggregated(monkeypatch: pytest.MonkeyPatch, bulk_rows: int) -> dict[str, object]:
    db = Database.memory()
    try:
        _seed(db)
        with monkeypatch.context() as m:
            m.setattr(store, "BULK_ROWS", bulk_rows)
            stats = run_standard_aggregation(db, now=NOW, tz=KOLKATA)
        assert stats.contributor_changed > 20
        return _state(db)
    finally:
        db.close()


def test_bulk_insert_into_an_empty_table_equals_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    bulk = _aggregated(monkeypatch, 0)
    one_by_one = _aggregated(monkeypatch, 10**9)
    assert bulk == one_by_one
    assert bulk["sync"] == []  # the trigger's effect, applied once


def test_bulk_path_only_for_an_empty_table(monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database.memory()
    try:
        _seed(db)
        db.execute(
            "INSERT INTO contributor_aggregate_definition(slug, name, description, hidden) "
            "VALUES('plugin_score', 'Score', NULL, 0)"
        )
        db.execute(
            "INSERT INTO contributor_aggregate(aggregate, contributor, value) "
            "VALUES('plugin_score', 'user0', '{\"type\":\"number\",\"value\":1}')"
        )
        monkeypatch.setattr(store, "BULK_ROWS", 0)

        def refuse(table: str) -> None:
            raise AssertionError("indexes dropped on a table that holds rows")

        monkeypatch.setattr(db, "secondary_indexes_dropped", refuse)
        run_standard_aggregation(db, now=NOW, tz=KOLKATA)
        assert db.scalar("SELECT count(*) FROM contributor_aggregate") > 20
    finally:
        db.close()


def test_a_failure_in_the_bulk_insert_restores_indexes_and_triggers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = Database.memory()
    try:
        _seed(db)
        before = _state(db)
        monkeypatch.setattr(store, "BULK_ROWS", 0)
        real = db.executemany

        def failing(sql: str, rows: object) -> object:
            if "INSERT INTO contributor_aggregate" in sql:
                raise RuntimeError("disk full")
            return real(sql, rows)  # type: ignore[arg-type]

        monkeypatch.setattr(db, "executemany", failing)
        with pytest.raises(RuntimeError, match="disk full"):
            run_standard_aggregation(db, now=NOW, tz=KOLKATA)
        assert _state(db) == before
    finally:
        db.close()


def test_secondary_indexes_dropped_needs_a_transaction() -> None:
    db = Database.memory()
    try:
        with (
            pytest.raises(RuntimeError, match="transaction"),
            db.secondary_indexes_dropped("contributor_aggregate"),
        ):
            pass
    finally:
        db.close()
