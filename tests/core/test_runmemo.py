"""`runmemo.change_counter`: the proof that nothing wrote to the working DB since a run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from leaderboard import runmemo


def _exec(path: Path, *sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in sql:
            conn.execute(statement)
    finally:
        conn.close()


def test_counter_moves_by_one_per_write_transaction(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    _exec(db, "CREATE TABLE t(x)")
    start = runmemo.change_counter(str(db))
    assert start is not None
    _exec(db, "INSERT INTO t VALUES (1)")
    assert runmemo.change_counter(str(db)) == start + 1
    _exec(db, "BEGIN", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)", "COMMIT")
    assert runmemo.change_counter(str(db)) == start + 2
    _exec(db, "SELECT * FROM t")  # reading is not a write
    assert runmemo.change_counter(str(db)) == start + 2
    assert runmemo.memo_for("k", str(db)) == {"key": "k", "db_counter": start + 3}


def test_no_proof_in_wal_mode_or_with_a_journal_or_without_a_db(tmp_path: Path) -> None:
    wal = tmp_path / "wal.db"
    _exec(wal, "PRAGMA journal_mode = WAL", "CREATE TABLE t(x)")
    assert runmemo.change_counter(str(wal)) is None
    hot = tmp_path / "hot.db"
    _exec(hot, "CREATE TABLE t(x)")
    Path(f"{hot}-journal").write_bytes(b"")
    assert runmemo.change_counter(str(hot)) is None
    assert runmemo.change_counter(str(tmp_path / "missing.db")) is None
    (tmp_path / "text.db").write_text("not a database")
    assert runmemo.change_counter(str(tmp_path / "text.db")) is None
    assert runmemo.memo_for("k", str(tmp_path / "missing.db")) is None
