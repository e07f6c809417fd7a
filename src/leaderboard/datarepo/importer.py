"""`import_snapshot`: write a validated snapshot into the working DB in one transaction (CORE-52).

Rows are upserted with `executemany` per table in the CORE-52 order. The `ON CONFLICT … WHERE`
clause only touches rows whose content differs, so SQLite's change counter tells how many rows an
import really changed. A contributor file whose name differs only in case from a stored username
renames the row; references follow through `ON UPDATE CASCADE`.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from leaderboard.catalogue import CONTRIBUTOR_DEFINITIONS
from leaderboard.config.model import Config
from leaderboard.datarepo import rowspool
from leaderboard.datarepo.definitions import (
    build_activity_definition,
    build_aggregate_definition,
    build_badge_definition,
)
from leaderboard.datarepo.reader import STANDARD_AGGREGATES, load_deferred
from leaderboard.datarepo.snapshot import COLUMNS, KINDS, PLURAL, TABLES, RepoSnapshot, Row
from leaderboard.datarepo.syncstate import SYNCED_KINDS, forget_header, record_kind, synced_kinds
from leaderboard.db import Database
from leaderboard.declarations import Declarations
from leaderboard.errors import InvalidInputError
from leaderboard.identities import rebuild_index
from leaderboard.usernames import ascii_lower

log = logging.getLogger("leaderboard.datarepo")

_KEYS = {
    "contributor": ("username",),
    "activity_definition": ("slug",),
    "activity": ("slug",),
    "global_aggregate": ("slug",),
    "aggregate_definition": ("slug",),
    "contributor_aggregate": ("aggregate", "contributor"),
    "badge_definition": ("slug",),
    "contributor_badge": ("slug",),
}


@dataclass
class ImportStats:
    """What an import did: rows and files per kind, and how many rows really changed."""

    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    activities_inserted: int = 0
    activities_updated: int = 0
    contributors_created: int = 0
    rows_changed: int = 0
    bookkeeping: int = 0  # rows of `_datarepo_sync` written, not data


def upsert_sql(kind: str) -> str:
    """INSERT … ON CONFLICT DO UPDATE that only writes rows whose content differs."""
    table = TABLES[kind]
    cols = COLUMNS[kind]
    keys = _KEYS[kind]
    # The contributor key is updated too: that is the case-only rename (CORE-41).
    updated = [c for c in cols if c not in keys or kind == "contributor"]
    sets = ", ".join(f"{c} = excluded.{c}" for c in updated)
    differs = " OR ".join(f"{table}.{c} IS NOT excluded.{c} COLLATE BINARY" for c in updated)
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
        f"ON CONFLICT({', '.join(keys)}) DO UPDATE SET {sets} WHERE {differs}"
    )


def insert_or_ignore_sql(kind: str) -> str:
    cols = COLUMNS[kind]
    return (
        f"INSERT OR IGNORE INTO {TABLES[kind]} ({', '.join(cols)}) "
        f"VALUES ({', '.join('?' * len(cols))})"
    )


def _count(db: Database, kind: str) -> int:
    return int(db.scalar(f"SELECT count(*) FROM {TABLES[kind]}"))


def _rows_from(defs: list[dict[str, Any]], build: Any) -> list[Row]:
    rows: list[Row] = []
    for definition in defs:
        issues: list[Any] = []
        try:
            row = build(definition, issues)
        except ValueError:
            row = None
        if row is not None:
            rows.append(row)
    return rows


def import_snapshot(
    db: Database, snapshot: RepoSnapshot, *, declarations: Declarations, config: Config
) -> ImportStats:
    """Import every valid unit of `snapshot` (see module docstring).

    Refuses a snapshot with errors unless `--skip-invalid` was applied (`without_invalid()`).
    """
    if not snapshot.import_rows:
        raise ValueError("a snapshot read with import_rows=False has no rows to import")
    if snapshot.has_errors() and not snapshot.skip_applied:
        errors = [p for p in snapshot.problems if p.is_error]
        raise InvalidInputError(
            f"{len(errors)} validation error(s) in the data files; fix them or use --skip-invalid",
            errors,
        )
    stats = ImportStats()
    start_changes = db.changes_total()
    unchecked = _fresh(db, snapshot)
    with contextlib.ExitStack() as stack:
        spool: dict[str, str] = {}
        if snapshot.spooled and unchecked and rowspool.exact(snapshot):
            spool = stack.enter_context(rowspool.attached(db, snapshot))
        if not spool:
            rowspool.load_rows(snapshot)  # the usual import, from rows on the units
        if unchecked:
            db.execute("PRAGMA foreign_keys = OFF")  # checked once below, before the commit
        try:
            _import(db, snapshot, declarations, config, stats, start_changes, unchecked, spool)
        finally:
            if unchecked:
                db.execute("PRAGMA foreign_keys = ON")
    return stats


def _fresh(db: Database, snapshot: RepoSnapshot) -> bool:
    """A first import of many activities into an empty working DB, outside any transaction:
    foreign keys are then checked once for the whole DB after the inserts (`PRAGMA
    foreign_key_check`, a third of what checking each of 130,000 inserted rows costs, CORE-80).
    Only into empty tables, where no row exists that an `ON UPDATE`/`ON DELETE` action (which
    do not run while foreign keys are off) could have to follow."""
    return (
        not db.in_transaction
        and bool(db.scalar("PRAGMA foreign_keys"))
        and len(snapshot.units["activity"]) >= BULK_ROWS
        and _count(db, "contributor") == 0
        and _count(db, "activity") == 0
    )


def _import(
    db: Database,
    snapshot: RepoSnapshot,
    declarations: Declarations,
    config: Config,
    stats: ImportStats,
    start_changes: int,
    unchecked: bool,
    spool: dict[str, str],
) -> None:
    with db.transaction():
        if snapshot.deferred:
            # The DB must still hold exactly the deferred files' rows (syncstate.py).
            synced = synced_kinds(db)
            for kind in [k for k in snapshot.deferred if k not in synced]:
                load_deferred(snapshot, kind)
        for kind in KINDS:
            if kind in snapshot.deferred:
                files = len(snapshot.deferred[kind])
                stats.files[kind] = files
                log.info(
                    "%s unchanged in %d files (not re-imported)", PLURAL[kind].capitalize(), files
                )
                _after_kind(db, kind, snapshot, declarations, config)
                continue
            rows = list(snapshot.rows(kind))
            before = _count(db, kind) if kind in ("contributor", "activity") else 0
            renames = _case_renames(db, rows) if kind == "contributor" else []
            changed = 0
            if rows:
                if kind == "contributor_badge":
                    # The file wins over an award stored under another slug (CORE-50).
                    db.executemany(
                        "DELETE FROM contributor_badge WHERE badge = ? AND contributor = ? "
                        "AND variant = ? AND slug != ?",
                        [(r[1], r[2], r[3], r[0]) for r in rows],
                    )
                if kind == "activity" and spool:  # `_fresh`: empty and at least BULK_ROWS
                    changed = _bulk_insert(db, kind, rows, (snapshot, spool))
                elif kind == "activity" and before == 0 and len(rows) >= BULK_ROWS:
                    changed = _bulk_insert(db, kind, rows)
                else:
                    changed = db.executemany(upsert_sql(kind), rows).rowcount
            _follow_renames(db, renames)
            stats.rows[kind] = len(rows)
            stats.files[kind] = len(snapshot.valid_paths(kind))
            if kind == "contributor":
                stats.contributors_created = _count(db, kind) - before
            elif kind == "activity":
                total = _count(db, kind)
                inserted = total - before
                stats.activities_inserted = inserted
                stats.activities_updated = changed - inserted
                if changed and total == len(rows):
                    mark = db.changes_total()
                    _record_if_export_form(db, snapshot)
                    stats.bookkeeping += db.changes_total() - mark
            log.info("Imported %d %s from %d files", len(rows), PLURAL[kind], stats.files[kind])
            _after_kind(db, kind, snapshot, declarations, config)
        stats.rows_changed = db.changes_total() - start_changes - stats.bookkeeping
        rebuild_index(db, config.leaderboard.identity)
        if unchecked:
            broken = _dangling_references(db)
            if broken:  # rolls the whole import back, as a failing insert would have
                raise sqlite3.IntegrityError(
                    "FOREIGN KEY constraint failed: "
                    + ", ".join(
                        f"{table} row {rowid} → {parent}" for table, rowid, parent, _ in broken
                    )
                )


# The references of `activity`, checked value by value (see `_dangling_references`): the
# referencing column, the collation the parent key compares with, the parent table and key.
ACTIVITY_REFERENCES = (
    ("contributor", "NOCASE", "contributor", "username"),
    ("activity_definition", "BINARY", "activity_definition", "slug"),
)


def _dangling_references(db: Database) -> list[tuple[Any, ...]]:
    """Up to five rows of `PRAGMA foreign_key_check` for the whole DB, which a first bulk
    import runs once instead of checking each row as it goes in.

    The pragma looks every activity row's parents up (two index searches per row, 1x: 0.05-0.1 s,
    CORE-80); the few distinct values of each referencing column, read from its new index, are
    looked up instead: a value found in the parent key (with that key's collation) stands for
    every row holding it. Only when one is not found, or the table's foreign keys are not the
    ones this knows, does the pragma run on `activity`, to name the rows (and it alone decides).
    Every other table is checked by the pragma itself.
    """
    broken: list[tuple[Any, ...]] = []
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'activity' "
            "ORDER BY name"
        )
    ]
    for table in tables:
        broken.extend(db.execute(f'PRAGMA foreign_key_check("{table}")').fetchmany(5))
    declared = {(row[3], row[2], row[4]) for row in db.execute("PRAGMA foreign_key_list(activity)")}
    expected = {(column, parent, key) for column, _, parent, key in ACTIVITY_REFERENCES}
    missing = declared != expected or any(
        db.execute(
            f"SELECT 1 FROM (SELECT DISTINCT {column} AS v FROM activity) "
            f"WHERE v IS NOT NULL AND v COLLATE {collation} NOT IN (SELECT {key} FROM {parent}) "
            "LIMIT 1"
        ).fetchone()
        for column, collation, parent, key in ACTIVITY_REFERENCES
    )
    if missing:
        broken.extend(db.execute("PRAGMA foreign_key_check(activity)").fetchmany(5))
    return broken[:5]


BULK_ROWS = 1000
BULK_CACHE_KIB = 65536
# From a spool the rows go in read order at every size (`rowspool.fill`), so at 10x the key
# index (1.3 million slugs) grows everywhere at once: with twice the cache it stays in memory
# (copy 5.1-5.6 s → 4.8-5.0 s, a third less system time), for at most 64 MB more at the peak.
SPOOL_CACHE_KIB = 2 * BULK_CACHE_KIB
KEY_INDEX_BYTES_PER_ROW = 100  # a generous size of one slug in the primary-key index


def _record_if_export_form(db: Database, snapshot: RepoSnapshot) -> None:
    """After importing every activity file: when the table now holds exactly their rows and
    each file is byte for byte what export would write (`reader`: `export_form`), record that
    (syncstate.py), so this run's export and the next import can skip the activity files.

    Only after rows really changed: recording is a write, and an import that changed nothing
    must not count as a change (the pipeline's `data_updated_at`).
    """
    states = snapshot.file_states.get("activity", {})
    if (
        snapshot.problems
        or snapshot.skip_applied
        or not states
        or set(states) != snapshot.export_form
        or not all(fs.validated for fs in states.values())
    ):
        return
    record_kind(db, "activity", states, True)
    snapshot.files_match.add("activity")


def _bulk_insert(
    db: Database,
    kind: str,
    rows: list[Row],
    spool: tuple[RepoSnapshot, dict[str, str]] | None = None,
) -> int:
    """Fill an empty table: plain INSERT with its secondary indexes dropped and rebuilt after;
    from the attached `spool` files instead of `rows` when they hold them (rowspool.py).

    Building an index once over all rows is several times cheaper than updating it row by row
    (CORE-80: first import of 130,000 activities). The table's triggers (the `_datarepo_sync`
    header deletion, syncstate.py) are dropped likewise and their effect applied once: one
    trigger run per row was a fifth of the insert. The table is empty and snapshot keys are
    unique (`reader._dedupe`), so no row can conflict. All inside the import transaction, so
    a failure restores indexes and triggers with the rollback.
    """
    table = TABLES[kind]
    cols = COLUMNS[kind]
    # A larger page cache keeps the pages being filled in memory. While the primary-key index
    # fits in it, rows go in as read (walking them in memory order is cheaper than in key order,
    # 1x: 10%); beyond, in key order, so the index only grows at its right edge instead of
    # paging (10x: 1.3 million rows). From a spool always in read order (`rowspool.fill`).
    if spool:
        ordered: list[Row] = []
    elif len(rows) * KEY_INDEX_BYTES_PER_ROW < BULK_CACHE_KIB * 1024:
        ordered = rows
    else:
        ordered = sorted(rows, key=itemgetter(0))
    with db.secondary_indexes_dropped(table):
        cache = db.scalar("PRAGMA cache_size")
        db.execute(f"PRAGMA cache_size = {-(SPOOL_CACHE_KIB if spool else BULK_CACHE_KIB)}")
        try:
            if spool:
                count = rowspool.fill(db, table, *spool)  # read order (see there)
            else:
                count = db.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})",
                    ordered,
                ).rowcount
        finally:
            db.execute(f"PRAGMA cache_size = {int(cache)}")
        del ordered
    if count and kind in SYNCED_KINDS:
        forget_header(db, kind)
    return count


def _case_renames(db: Database, rows: list[Row]) -> list[tuple[str, str]]:
    """(new, old) spellings of stored usernames that the files spell differently (CORE-41)."""
    stored = {ascii_lower(r[0]): r[0] for r in db.execute("SELECT username FROM contributor")}
    out = []
    for row in rows:
        old = stored.get(ascii_lower(row[0]))
        if old is not None and old != row[0]:
            out.append((row[0], old))
    return out


def _follow_renames(db: Database, renames: list[tuple[str, str]]) -> None:
    """Rewrite references to the new spelling.

    SQLite does not fire `ON UPDATE CASCADE` when the parent key only changes case under its
    NOCASE collation, so the references are updated explicitly (CORE-32: canonical spelling).
    """
    if not renames:
        return
    for table in ("activity", "contributor_aggregate", "contributor_badge", "contributor_identity"):
        db.executemany(f"UPDATE {table} SET contributor = ? WHERE contributor = ?", renames)


def _after_kind(
    db: Database, kind: str, snapshot: RepoSnapshot, declarations: Declarations, config: Config
) -> None:
    """Static definitions that the next kinds may reference (CORE-52 order)."""
    if kind == "activity_definition":
        rows = _rows_from(declarations.activity_definitions, build_activity_definition)
        db.executemany(insert_or_ignore_sql("activity_definition"), rows)
    elif kind == "aggregate_definition":
        rows = _rows_from(declarations.aggregate_definitions, build_aggregate_definition)
        db.executemany(insert_or_ignore_sql("aggregate_definition"), rows)
        db.executemany(insert_or_ignore_sql("aggregate_definition"), _standard_rows(db, snapshot))
    elif kind == "badge_definition":
        for defs in (config.leaderboard.badge_definitions, declarations.badge_definitions):
            rows = _rows_from(list(defs), build_badge_definition)
            db.executemany(upsert_sql("badge_definition"), rows)


def _standard_rows(db: Database, snapshot: RepoSnapshot) -> list[Row]:
    """Standard aggregate definitions referenced by imported rows (CORE-60).

    Only referenced ones are added: adding all of them would make `import export` add rows that
    the data files never had, breaking export → import → export identity (CORE-54).
    """
    wanted = sorted({r[0] for r in snapshot.rows("contributor_aggregate")})
    names = dict(db.execute("SELECT slug, name FROM activity_definition").fetchall())
    rows: list[Row] = []
    for slug in wanted:
        if slug in STANDARD_AGGREGATES:
            name, description = CONTRIBUTOR_DEFINITIONS[slug]
            rows.append((slug, name, description, 0, None))
        elif slug.startswith("activity_count:") and slug[15:] in names:
            def_name = names[slug[15:]]
            rows.append(
                (
                    slug,
                    f"{def_name} Count",
                    f"Number of {def_name} activities by the contributor",
                    0,
                    None,
                )
            )
    return rows
