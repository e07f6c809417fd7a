"""`RowSpool`: where the reading processes of a first import leave the activity rows (CORE-80).

A first `run` into an empty working DB used to bind every activity row from Python in one
process, after the two reading processes had finished: at 1x 130,000 rows (0.5 s) and at 10x
1.3 million (7-8 s), with the second core idle, and every row the forked reader parsed was
pickled, piped and unpickled on the way. With a spool, each reading process (forkmap.py) writes
the rows of each activity file it parses into a spool file of its own, a scratch SQLite DB, and
keeps only the units (`UNSHIPPED` rows): the binding is shared by both cores, and the importer
fills the `activity` table from the spool files with `INSERT ... SELECT` (`fill`), which copies
rows inside SQLite at a fraction of the cost of binding them (import phase, 1x: 0.75-0.81 s →
0.47-0.49 s; 10x: 9.4 s → 5.3-5.7 s). At 10x the run's peak memory also drops by the rows no
process holds any more (990 MB → 510 MB).

Each file's rows are committed as one transaction, so a spool only ever holds whole files, and
the rowids of a file's rows are consecutive: `put` returns them as a range, which the snapshot
keeps per file (`RepoSnapshot.spooled`). The importer uses the spool as it is only when it
provably holds exactly the snapshot's rows (`exact`): the usual case. Anything else (a unit
dropped as a repeated key, `--skip-invalid`, a DB that turns out not to be empty, a spool that
could not be written) first puts every spooled row back on its unit (`load_rows`), and the
import goes its usual way.

The spool files live in a directory of the system's temporary directory (`TMPDIR`), never in the
data repository, whose files a run with invalid input must leave exactly as they were; the run
deletes it when it ends, and one left behind by a run that crashed is removed by the next run
that spools (`SpoolDir.create`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from leaderboard.datarepo.snapshot import COLUMNS, UNSHIPPED, RepoSnapshot, Row, Unit
from leaderboard.db import Database
from leaderboard.lock import process_alive

KIND = "activity"
_TABLE = "spooled"
_COLUMNS = COLUMNS[KIND]
_INSERT = f"INSERT INTO {_TABLE} VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"
_PREFIX = "leaderboard-spool-"

# Where a file's rows are: the spool file's name and the first and last rowid.
SpoolRange = tuple[str, int, int]


class RowSpool:
    """A directory of spool files, one per reading process (see the module docstring).

    Pickled as its directory only, so a spawned or forked reader opens a file of its own; each
    process's connection is keyed by its pid, so a child never writes through one it inherited.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._open: dict[int, tuple[Database, str, list[int]]] = {}
        self._failed: set[int] = set()  # pids of the processes whose spool could not be written

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "_open": {}, "_failed": set()}

    def put(self, units: list[Unit]) -> SpoolRange | None:
        """Write the rows of one file's `units` (those with a row: a line with errors has
        none) in one transaction and leave `UNSHIPPED` in their place; their range, or None
        when there was no row or the spool cannot be written.

        A spool that cannot be written (no room left in the temporary directory, say) is
        given up by this process: its rows stay on their units from then on, the failed
        file's transaction left nothing behind, and the import, seeing rows that are not in
        the spool (`exact`), puts the spooled ones back and goes the usual way."""
        rows = [(unit.line, *unit.row) for unit in units if unit.row]
        if not rows or os.getpid() in self._failed:
            return None
        try:
            db, name, next_rowid = self._local()
            with db.transaction():
                db.executemany(_INSERT, rows)
        except (sqlite3.Error, OSError):
            self._failed.add(os.getpid())
            return None
        first = next_rowid[0]
        next_rowid[0] = first + len(rows)
        for unit in units:
            if unit.row:
                unit.row = UNSHIPPED
        return (name, first, first + len(rows) - 1)

    def _local(self) -> tuple[Database, str, list[int]]:
        pid = os.getpid()
        entry = self._open.get(pid)
        if entry is None:
            name = f"rows-{pid}-{secrets.token_hex(4)}.db"
            db = Database.open(self.directory / name, migrate_schema=False)
            # A scratch file: nothing survives a crash of the run anyway, but a reading process
            # that dies mid-file must leave the files before it readable (a persisted rollback
            # journal is rolled back by the next connection), so the journal stays.
            db.execute("PRAGMA journal_mode = PERSIST")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA locking_mode = EXCLUSIVE")  # no lock and unlock per file
            db.execute("PRAGMA page_size = 16384")
            db.execute(f"CREATE TABLE {_TABLE} (line INTEGER, {', '.join(_COLUMNS)})")
            entry = self._open[pid] = (db, name, [1])  # rowids count from 1, nothing is deleted
        return entry

    def close_local(self) -> None:
        """Close this process's spool file (its rows are all committed)."""
        entry = self._open.pop(os.getpid(), None)
        if entry is not None:
            entry[0].close()


class SpoolDir:
    """The directory a run's spool lives in; `remove()` deletes it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, parent: Path | None = None) -> SpoolDir:
        """A new directory `leaderboard-spool-<pid>-<random>` in `parent` (the temporary
        directory by default); spools of runs no longer alive are removed first (a crash
        leaves its spool behind; a live run's is never touched)."""
        parent = Path(tempfile.gettempdir()) if parent is None else parent
        for entry in parent.glob(f"{_PREFIX}*"):
            if not _alive(entry.name):
                shutil.rmtree(entry, ignore_errors=True)
        return cls(Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=parent)))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _alive(name: str) -> bool:
    """Whether the run that made the spool directory `name` is still running."""
    try:
        pid = int(name[len(_PREFIX) :].split("-", 1)[0])
    except ValueError:
        return False
    return pid == os.getpid() or process_alive(pid)


def exact(snapshot: RepoSnapshot) -> bool:
    """The spool ranges hold exactly the rows of the snapshot's activity units, each once:
    every unit valid and holding its row there, and every row of a range a unit's. (Rows
    outside every range, left by a reader that died in the middle of a file that was then read
    again, are never copied: `fill` copies ranges.)"""
    units = snapshot.units[KIND]
    in_ranges = sum(last - first + 1 for _, first, last in snapshot.spooled.values())
    return len(units) == in_ranges and all(u.valid and u.row is UNSHIPPED for u in units)


@contextmanager
def attached(db: Database, snapshot: RepoSnapshot) -> Iterator[dict[str, str]]:
    """The snapshot's spool files attached to `db` (outside any transaction, as SQLite
    requires): file name → schema name."""
    spool_dir = snapshot.spool_dir
    assert spool_dir is not None  # set together with `spooled`
    names = sorted({name for name, _, _ in snapshot.spooled.values()})
    schemas: dict[str, str] = {}
    try:
        for index, name in enumerate(names):
            schema = f"spool{index}"
            db.execute(f"ATTACH DATABASE ? AS {schema}", (str(spool_dir / name),))
            schemas[name] = schema
        yield schemas
    finally:
        for schema in schemas.values():
            with contextlib.suppress(Exception):
                db.execute(f"DETACH DATABASE {schema}")


def fill(db: Database, table: str, snapshot: RepoSnapshot, schemas: dict[str, str]) -> int:
    """Insert every spooled row into the empty `table`, file by file in read order: the order
    the rows would have gone in as a list at 1x. Returns the count.

    Also at 10x, where a list of the rows goes in key order (importer.py), read order is the
    better one from the spool: copying 1.3 million rows file by file took 4.5 s against 3.9 s
    in key order, but the three secondary indexes then built in 1.7 s against 2.7 s (rows
    grouped by contributor), and there is no sort of 400 MB to spill (250 MB less at peak).
    """
    columns = ", ".join(_COLUMNS)
    count = 0
    # `OR FAIL`: a conflict still fails (and the import rolls back), but SQLite keeps no
    # statement journal to undo a failing statement alone, which cost more than the copy
    # (1x: 1,500 statements, 80,000 writes to a temporary file, 0.55 s instead of 0.3 s).
    statements = {
        name: f"INSERT OR FAIL INTO {table} ({columns}) SELECT {columns} FROM "
        f"{schema}.{_TABLE} WHERE rowid BETWEEN ? AND ?"
        for name, schema in schemas.items()
    }
    for name, first, last in snapshot.spooled.values():
        count += db.execute(statements[name], (first, last)).rowcount
    return count


def load_rows(snapshot: RepoSnapshot) -> None:
    """Put each spooled row back on its unit (matched by file and line), for an import that
    cannot take the spool as it is; the snapshot no longer refers to the spool afterwards."""
    if not snapshot.spooled:
        return
    spool_dir = snapshot.spool_dir
    assert spool_dir is not None  # set together with `spooled`
    by_path: dict[str, list[Unit]] = {}
    for unit in snapshot.units[KIND]:
        if unit.row is UNSHIPPED:
            by_path.setdefault(unit.path, []).append(unit)
    opened: dict[str, Database] = {}
    try:
        for path, (name, first, last) in snapshot.spooled.items():
            units = by_path.get(path)
            if not units:
                continue
            db = opened.get(name)
            if db is None:
                # Read-write: a reader that died mid-file left a journal to roll back first.
                db = opened[name] = Database.open(spool_dir / name, migrate_schema=False)
            rows: dict[int, Row] = {
                line: tuple(row)
                for line, *row in db.execute(
                    f"SELECT * FROM {_TABLE} WHERE rowid BETWEEN ? AND ?", (first, last)
                )
            }
            for unit in units:
                row = rows.get(unit.line) if unit.line is not None else None
                if row is None:
                    raise RuntimeError(f"{path}:{unit.line}: the row is missing from the spool")
                unit.row = row
    finally:
        for db in opened.values():
            db.close()
    snapshot.spooled = {}
