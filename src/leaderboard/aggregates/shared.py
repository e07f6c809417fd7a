"""One activity snapshot per DB state, shared by aggregation and badge evaluation (CORE-80).

Reading every activity is the dominant cost of both the aggregate and the evaluate phase, and
between them only aggregate rows, badge rows and run metadata change. So the snapshot is kept
for the `Database` handle and reused for as long as no activity, activity definition or
contributor row has changed. Other tables are free to change in between (the runner writes
`data_updated_at` after every phase; aggregation writes aggregates), which is why neither
`total_changes` nor `data_version` alone can tell.

How a change is noticed: temporary triggers (per connection, never stored in the DB file) on
those three tables store the next value of a Python counter, which never repeats, in a
temporary table. The snapshot is reused only when that stored value and `PRAGMA data_version`
(commits by other connections) are as they were when it was read. Every write stores a new
value; a rolled-back savepoint rolls the stored value back with the data, to a value from
before the snapshot was read; triggers that a rollback removed are re-created, which stores a
new value too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from weakref import WeakKeyDictionary

from leaderboard.aggregates.snapshot import ActivitySnapshot, load_snapshot
from leaderboard.db import Database

WATCHED_TABLES = ("activity", "activity_definition", "contributor")
_PREFIX = "_leaderboard_snapshot"
_FUNCTION = f"{_PREFIX}_bump"
_NAME = f"{_PREFIX}_generation"
_TABLE = f"temp.{_NAME}"
_STATE_SQL = (
    f"SELECT (SELECT n FROM {_TABLE}), (SELECT count(*) FROM temp.sqlite_master "
    f"WHERE type = 'trigger' AND substr(name, 1, {len(_PREFIX)}) = '{_PREFIX}')"
)


@dataclass(slots=True)
class _Entry:
    counter: int = 0
    key: tuple[Any, ...] | None = None
    snapshot: ActivitySnapshot | None = None

    def bump(self) -> int:
        self.counter += 1
        return self.counter


_ENTRIES: WeakKeyDictionary[Database, _Entry] = WeakKeyDictionary()


def _install(db: Database, entry: _Entry) -> None:
    db.conn.create_function(_FUNCTION, 0, entry.bump)
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_NAME}(n INTEGER)")
    db.execute(f"DELETE FROM {_TABLE}")
    db.execute(f"INSERT INTO {_TABLE}(n) VALUES(?)", (entry.bump(),))
    for table in WATCHED_TABLES:
        for op in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS {_PREFIX}_{table}_{op.lower()} "
                f"AFTER {op} ON main.{table} BEGIN UPDATE {_NAME} SET n = {_FUNCTION}(); END"
            )


def _state(db: Database, entry: _Entry) -> tuple[Any, ...] | None:
    """The current change state, installing the watch when needed; None when unwatchable."""
    try:
        try:
            stored, triggers = db.execute(_STATE_SQL).fetchone()
        except sqlite3.OperationalError:  # no such table: first use on this connection
            stored, triggers = None, 0
        if stored is None or triggers != 3 * len(WATCHED_TABLES):
            _install(db, entry)
            stored, triggers = db.execute(_STATE_SQL).fetchone()
        version = db.execute("PRAGMA data_version").fetchone()[0]
    except sqlite3.Error:  # e.g. a read-only connection: no sharing, always read afresh
        return None
    return (version, stored)


def activity_snapshot(
    db: Database, *, tz: tzinfo, daily_caps: Mapping[str, int] | None = None
) -> ActivitySnapshot:
    """The snapshot for the DB as it is now: the shared one when nothing relevant changed."""
    entry = _ENTRIES.get(db)
    if entry is None:
        entry = _ENTRIES[db] = _Entry()
    state = _state(db, entry)
    caps = tuple(sorted((daily_caps or {}).items()))
    key = None if state is None else (*state, tz, caps)
    if key is not None and entry.key == key and entry.snapshot is not None:
        return entry.snapshot
    snapshot = load_snapshot(db, tz=tz, daily_caps=daily_caps)
    entry.key, entry.snapshot = key, snapshot
    return snapshot


def forget_snapshot(db: Database) -> None:
    """Drop the shared snapshot of `db` (frees its memory, e.g. before the export phase)."""
    entry = _ENTRIES.get(db)
    if entry is not None:
        entry.key = entry.snapshot = None
