"""Indexes and triggers set aside for a bulk write (db/bulk.py, CORE-80): restored exactly, and
never missing from a committed DB, even when the writer is killed mid-write."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from leaderboard.db import Database
from leaderboard.db.bulk import drop_schema, restore_schema


def _objects(db: Database, table: str) -> list[tuple[str, str, str]]:
    return [
        tuple(row)
        for row in db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name",
            (table,),
        )
    ]


def test_drop_and_restore_give_back_the_same_schema() -> None:
    db = Database.memory()
    before = _objects(db, "activity")
    assert {t for t, _, _ in before} == {"index", "trigger"}
    with db.transaction():
        dropped = drop_schema(db, "activity")
        assert _objects(db, "activity") == []
        assert [(o.type, o.name, o.sql) for o in dropped] == before
        restore_schema(db, dropped)
    assert _objects(db, "activity") == before
    # The primary key's own index has no SQL: never dropped.
    assert db.scalar(
        "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_activity%'"
    )


def test_only_the_triggers_asked_for() -> None:
    db = Database.memory()
    with db.transaction():
        dropped = drop_schema(
            db, "activity", indexes=False, triggers=lambda name: name.endswith("_insert")
        )
        assert [o.name for o in dropped] == ["_datarepo_sync_activity_insert"]
        names = {name for _, name, _ in _objects(db, "activity")}
        assert "_datarepo_sync_activity_update" in names
        assert "idx_activity_contributor" in names
        restore_schema(db, dropped)


def test_restore_after_a_rollback_creates_only_what_is_missing() -> None:
    db = Database.memory()
    before = _objects(db, "activity")
    with db.transaction():
        db.execute('SAVEPOINT "w"')
        dropped = drop_schema(db, "activity")
        db.execute('ROLLBACK TO "w"')  # the drops are undone with the rest
        db.execute('RELEASE "w"')
        assert _objects(db, "activity") == before
        restore_schema(db, dropped)  # nothing missing: no "already exists" error
    assert _objects(db, "activity") == before


def test_a_writer_killed_after_dropping_leaves_the_schema_intact(tmp_path: Path) -> None:
    path = tmp_path / "work.db"
    db = Database.open(path)
    before = _objects(db, "activity")
    db.close()
    script = textwrap.dedent(
        f"""
        import os
        from leaderboard.db import Database
        from leaderboard.db.bulk import drop_schema
        db = Database.open({str(path)!r})
        db.execute("BEGIN IMMEDIATE")
        drop_schema(db, "activity")
        db.execute("INSERT INTO contributor(username, role) VALUES('a', 'core')")
        os._exit(0)  # killed mid-write: nothing committed
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ})
    db = Database.open(path)
    assert _objects(db, "activity") == before
    assert db.scalar("SELECT count(*) FROM contributor") == 0
    assert db.scalar("PRAGMA integrity_check") == "ok"
