"""`Database`: one sqlite3 connection with explicit transactions and savepoints (CORE-30, CORE-31).

The connection runs in autocommit mode (`isolation_level=None`); `transaction()` and
`savepoint()` are the only ways to group writes, so a plugin hook's writes can be rolled back
exactly (CORE-27) and an import is all-or-nothing (CORE-52).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from leaderboard import __version__, forkmap
from leaderboard.db.bulk import drop_schema, restore_schema
from leaderboard.db.migrations import migrate

# Fewer rows than this go into an empty table row by row (`Database.secondary_indexes_dropped`
# is for more): dropping and creating indexes and triggers costs more than it saves on a small
# table.
BULK_ROWS = 2000

T = TypeVar("T")

Params = Sequence[Any] | dict[str, Any]


# Helper threads SQLite's sorter may start for one statement (CREATE INDEX, a large ORDER BY or
# GROUP BY): each sorts a run of rows while the statement goes on reading. On two cores at 10x,
# two helpers took the three activity indexes from 1.50 to 1.27 s and the ordered snapshot read
# from 1.74 to 1.26 s, and the whole `run` from 22.6 to 19.7 s (CORE-80; one helper gained less
# than half as much). The result does not depend on the count: the runs and how they merge are
# fixed by the sorter's memory, not by the threads (exports and sites byte-identical at 1x, 10x).
MAX_SORTER_THREADS = 4


def sorter_threads() -> int:
    """The `PRAGMA threads` value: one helper per usable core, at most `MAX_SORTER_THREADS`."""
    return min(forkmap.usable_cores(), MAX_SORTER_THREADS)


class Database:
    """A handle on the working DB (or any DB with our schema)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0
        self._sp_counter = 0

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, *, migrate_schema: bool = True, readonly: bool = False
    ) -> Database:
        """Open (creating file and parent dirs when missing) and migrate unless `readonly`."""
        text = str(path)
        if text != ":memory:" and not readonly:
            Path(text).parent.mkdir(parents=True, exist_ok=True)
        if readonly and text != ":memory:":
            conn = sqlite3.connect(
                f"{Path(text).resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        else:
            conn = sqlite3.connect(text, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute(f"PRAGMA threads = {sorter_threads()}")
        db = cls(conn, text)
        if migrate_schema and not readonly:
            migrate(conn, __version__)
        return db

    @classmethod
    def peek(cls, path: str | Path | None, read: Callable[[Database], T]) -> T | None:
        """`read` applied to the existing DB file at `path`, opened read-only, or None when there
        is no such file or SQLite fails: for looking at a working DB before a run opens it for
        writing, without ever creating or migrating a file."""
        if not path or str(path) == ":memory:" or not Path(path).is_file():
            return None
        try:
            db = cls.open(path, readonly=True)
        except sqlite3.Error:
            return None
        try:
            return read(db)
        except sqlite3.Error:
            return None
        finally:
            db.close()

    @classmethod
    def memory(cls) -> Database:
        """A migrated in-memory DB (tests, temporary builds)."""
        return cls.open(":memory:")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- statements --------------------------------------------------------------------------

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        cur = self.conn.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- transactions ------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE … COMMIT, or a savepoint when already inside a transaction."""
        if self.conn.in_transaction:
            with self.savepoint():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def secondary_indexes_dropped(self, table: str) -> Iterator[None]:
        """For filling an empty `table` in bulk: its secondary indexes and triggers are dropped
        for the block and created again after it, inside the caller's transaction.

        Building an index once over all rows is several times cheaper than updating it row by
        row, and one trigger run per row was a fifth of an insert (CORE-80). The primary key
        stays, so conflicts are still detected. The caller applies the triggers' effect once
        (`syncstate.forget_header`). On an exception nothing is created again: the caller's
        transaction (or savepoint) rolls back, which restores them.
        """
        if not self.conn.in_transaction:
            raise RuntimeError("secondary_indexes_dropped() needs an open transaction")
        # The one set-aside mechanism, shared with the plugins' bulk writer (db/bulk.py).
        schema = drop_schema(self, table)
        yield
        restore_schema(self, schema)

    @contextmanager
    def savepoint(self, name: str | None = None) -> Iterator[str]:
        """A named savepoint, released on success and rolled back on error."""
        if name is None:
            self._sp_counter += 1
            name = f"sp_{self._sp_counter}"
        quoted = '"' + name.replace('"', '""') + '"'
        self.conn.execute(f"SAVEPOINT {quoted}")
        try:
            yield name
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {quoted}")
            self.conn.execute(f"RELEASE {quoted}")
            raise
        else:
            self.conn.execute(f"RELEASE {quoted}")

    # -- meta --------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM _leaderboard_meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO _leaderboard_meta(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def table_exists(self, name: str) -> bool:
        """A table or a view of that name: the public DB's `activity` is a view (NEW-05), and
        readers only need to know that they can select from it."""
        return bool(
            self.scalar(
                "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name=?", (name,)
            )
        )

    def changes_total(self) -> int:
        return self.conn.total_changes
