"""Per-plugin staging for concurrent `scrape` hooks (CORE-25).

A staged plugin works on its own in-memory copy of the working DB, taken when the scrape phase
starts: its reads see that snapshot plus its own writes, and nothing another plugin does meanwhile.
Every write it makes — `ctx.db` statements (including the identity resolver's), returned records
and `ctx.write_file` calls — is also appended, in order, to a `StageLog`, cut into chunks by
`ctx.checkpoint()`. The runner replays the chunks on the working DB in the plugin's savepoint, in
config order (`plugins/concurrent.py`), so the working DB never sees two plugins' writes
interleaved and ends up exactly as a sequential run leaves it, whatever the timing.

Writes are recognised by SQLite itself: an authorizer on the copy flags any statement that is not
a pure read, so `ctx.db.query("INSERT … RETURNING …")` is staged like `execute`. Statement caching
is off on the copy so the authorizer sees every statement. Transaction control is the runner's:
`BEGIN`/`COMMIT`/`SAVEPOINT` SQL, `ATTACH` and setting pragmas are refused with a clear error
(`ctx.db.transaction()` / `savepoint()` work, and roll staged entries back with them).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from leaderboard.db import Database
from leaderboard.db.database import Params
from leaderboard.errors import PluginError

# ("sql", sql, params) | ("many", sql, rows) | ("record", kind, row) | ("records", [(kind, row)…])
# | ("file", path, payload)
Entry = tuple[Any, ...]

_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, 33}  # 33: RECURSIVE
_CONTROL = {
    sqlite3.SQLITE_TRANSACTION: "transaction control (BEGIN/COMMIT/ROLLBACK)",
    sqlite3.SQLITE_SAVEPOINT: "SAVEPOINT/RELEASE statements",
    sqlite3.SQLITE_ATTACH: "ATTACH",
    sqlite3.SQLITE_DETACH: "DETACH",
}
# Pragmas that only read (their argument, if any, names a table or index).
_READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
        "database_list",
        "collation_list",
        "function_list",
        "compile_options",
    }
)
_READ_PRAGMAS_NO_ARG = frozenset({"user_version", "schema_version", "page_count", "page_size"})


class StageStopped(PluginError):
    """Raised into a staged hook that must stop (an earlier plugin failed under --fail-fast, or
    the replay of its own staged work failed)."""


class StageLog:
    """A plugin's staged writes, in order, in chunks closed by checkpoints. Thread-safe: the
    plugin appends from its thread while the runner takes closed chunks from another."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed: deque[list[Entry]] = deque()
        self.open: list[Entry] = []
        self.checkpoints = 0
        self.stop_reason: str | None = None

    def add(self, entry: Entry) -> None:
        with self.lock:
            self.open.append(entry)

    def mark(self) -> int:
        with self.lock:
            return len(self.open)

    def truncate(self, mark: int) -> None:
        with self.lock:
            del self.open[mark:]

    def close_chunk(self) -> None:
        with self.lock:
            self.closed.append(self.open)
            self.open = []

    def discard_open(self) -> None:
        with self.lock:
            self.open = []

    def take_closed(self) -> list[Entry] | None:
        with self.lock:
            return self.closed.popleft() if self.closed else None

    def has_unpersisted_db_work(self) -> bool:
        with self.lock:
            chunks = [*self.closed, self.open]
        return any(entry[0] != "file" for chunk in chunks for entry in chunk)

    def pending_file(self, path: Path) -> bytes | None:
        """The last queued content for `path`, so `write_file` can say whether it changes."""
        with self.lock:
            chunks = [*self.closed, self.open]
        found: bytes | None = None
        for chunk in chunks:
            for entry in chunk:
                if entry[0] == "file" and entry[1] == path:
                    found = entry[2]
        return found

    def check(self) -> None:
        if self.stop_reason is not None:
            raise StageStopped(self.stop_reason)


def copy_database(source: sqlite3.Connection) -> sqlite3.Connection:
    """An in-memory copy of `source` (main schema), with foreign keys on, as a staging base."""
    copy = sqlite3.connect(
        ":memory:", isolation_level=None, check_same_thread=False, cached_statements=0
    )
    source.backup(copy)
    copy.execute("PRAGMA foreign_keys = ON")
    return copy


class _GuardedConnection:
    """`ctx.db.conn` of a staged DB: `execute`/`executemany` are staged like `ctx.db`'s; other
    attributes are the copy's. `cursor()` and `executescript()` would bypass staging: refused."""

    def __init__(self, db: StagedDatabase) -> None:
        self._db = db

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        return self._db.executemany(sql, rows)

    def cursor(self, *args: Any) -> Any:
        raise PluginError(
            "ctx.db.conn.cursor() is not available while plugins scrape concurrently "
            "(CORE-25); use ctx.db.execute / ctx.db.query"
        )

    def executescript(self, script: str) -> Any:
        raise PluginError(
            "ctx.db.conn.executescript() is not available while plugins scrape concurrently "
            "(CORE-25); run statements one at a time with ctx.db.execute"
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db.raw, name)


class StagedDatabase(Database):
    """`ctx.db` of a staged plugin: reads the copy, records every write in the `StageLog`."""

    def __init__(self, raw: sqlite3.Connection, log: StageLog) -> None:
        super().__init__(raw, ":staging:")
        self.raw = raw
        self.log = log
        self.conn = _GuardedConnection(self)  # type: ignore[assignment]
        self._wrote = False
        self._denied: str | None = None
        self._internal = False
        raw.set_authorizer(self._authorize)

    def _authorize(
        self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None
    ) -> int:
        if action in _READS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in _READ_PRAGMAS or (name in _READ_PRAGMAS_NO_ARG and arg2 is None):
                return sqlite3.SQLITE_OK
            self._denied = f"PRAGMA {arg1}" + (f" = {arg2}" if arg2 is not None else "")
            return sqlite3.SQLITE_DENY
        if action in _CONTROL:
            if self._internal:
                return sqlite3.SQLITE_OK
            self._denied = _CONTROL[action]
            return sqlite3.SQLITE_DENY
        self._wrote = True
        return sqlite3.SQLITE_OK

    @contextmanager
    def _statement(self) -> Iterator[None]:
        self.log.check()
        self._wrote = False
        self._denied = None
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if self._denied is not None:
                raise PluginError(
                    f"ctx.db cannot run {self._denied} while plugins scrape concurrently "
                    "(CORE-25): the runner owns transactions; use ctx.checkpoint() or "
                    "ctx.db.transaction()"
                ) from exc
            raise

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        with self._statement():
            cur = self.raw.execute(sql, params)
        if self._wrote:
            self.log.add(("sql", sql, _frozen(params)))
        return cur

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        batch = [_frozen(r) for r in rows]
        with self._statement():
            cur = self.raw.executemany(sql, batch)
        if self._wrote:
            self.log.add(("many", sql, batch))
        return cur

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        cur = self.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @property
    def in_transaction(self) -> bool:
        return True  # the hook always runs inside the runner's savepoint

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        with self.savepoint():
            yield self

    @contextmanager
    def savepoint(self, name: str | None = None) -> Iterator[str]:
        """A savepoint on the copy; rolling it back also drops the writes it staged."""
        if name is None:
            self._sp_counter += 1
            name = f"sp_{self._sp_counter}"
        quoted = '"' + name.replace('"', '""') + '"'
        mark = self.log.mark()
        self._control(f"SAVEPOINT {quoted}")
        self._depth += 1
        try:
            yield name
        except BaseException:
            self._control(f"ROLLBACK TO {quoted}")
            self._control(f"RELEASE {quoted}")
            self.log.truncate(mark)
            raise
        else:
            self._control(f"RELEASE {quoted}")
        finally:
            self._depth -= 1

    @property
    def in_savepoint(self) -> bool:
        return self._depth > 0

    def _control(self, sql: str) -> None:
        self._internal = True
        try:
            self.raw.execute(sql)
        finally:
            self._internal = False

    def close(self) -> None:
        self.raw.close()


def _frozen(params: Any) -> Any:
    """Parameters copied, so a plugin reusing a list or dict cannot change what was staged."""
    if isinstance(params, dict):
        return dict(params)
    return tuple(params)


def local_db(raw: sqlite3.Connection) -> Database:
    """A plain handle on the copy for applying returned records there (they are staged as
    records, not as SQL, so the replay counts what they change in the working DB)."""
    return Database(raw, ":staging:")
