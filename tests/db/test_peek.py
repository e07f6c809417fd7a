"""Database.peek: looking at a working DB before a run opens it, never creating or changing it."""

from __future__ import annotations

from pathlib import Path

from leaderboard.db import Database


def test_a_missing_file_is_none_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "working.db"
    assert Database.peek(path, lambda db: 1) is None
    assert Database.peek(None, lambda db: 1) is None
    assert Database.peek(":memory:", lambda db: 1) is None
    assert not path.parent.exists()


def test_an_existing_db_is_read_read_only(tmp_path: Path) -> None:
    path = tmp_path / "working.db"
    with Database.open(path) as db:
        db.execute("CREATE TABLE t (x INTEGER)")
        db.execute("INSERT INTO t VALUES (7)")
    before = path.read_bytes()
    assert Database.peek(path, lambda db: db.execute("SELECT x FROM t").fetchone()[0]) == 7
    # a write through the peeked connection fails inside SQLite and reads as "nothing there"
    assert Database.peek(path, lambda db: db.execute("INSERT INTO t VALUES (8)")) is None
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_db_is_none(tmp_path: Path) -> None:
    path = tmp_path / "working.db"
    path.write_bytes(b"not a database, just text " * 40)
    assert Database.peek(path, lambda db: db.execute("SELECT 1 FROM t").fetchone()) is None
    assert path.read_bytes() == b"not a database, just text " * 40
