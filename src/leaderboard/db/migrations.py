"""Numbered schema migrations (CORE-35), each applied in its own transaction."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from leaderboard.db.schema import CORE_TABLES, EXTRA_TABLES, INDEXES
from leaderboard.errors import SchemaTooNewError
from leaderboard.timeutil import canonical, is_canonical, parse_timestamp

log = logging.getLogger("leaderboard.db")

_NEW_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "contributor": [
        ("visibility", "TEXT"),
        ("pseudonym", "TEXT"),
        ("bot", "INTEGER"),
        ("identities", "JSON"),
        ("extra", "JSON"),
    ],
    "activity_definition": [("extra", "JSON")],
    "activity": [("extra", "JSON")],
    "global_aggregate": [("extra", "JSON")],
    "contributor_aggregate_definition": [("extra", "JSON")],
    "contributor_aggregate": [("extra", "JSON")],
    "badge_definition": [("extra", "JSON")],
    "contributor_badge": [("extra", "JSON")],
}

_REFERENCING = ("activity", "contributor_aggregate", "contributor_badge")


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def m001_create(conn: sqlite3.Connection) -> None:
    for script in (CORE_TABLES, EXTRA_TABLES):
        for stmt in script.split(";"):
            if stmt.strip():
                conn.execute(stmt)


def m002_upgrade_upstream(conn: sqlite3.Connection) -> None:
    """Bring a DB written by upstream up to our schema; a no-op on DBs we created."""
    for table, cols in _NEW_COLUMNS.items():
        present = set(_columns(conn, table))
        for name, decl in cols:
            if name not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
    _rebuild_referencing_tables(conn)
    # Canonical occurred_at (unparseable values are left for validate/doctor to flag).
    rows = conn.execute(
        "SELECT slug, occurred_at FROM activity WHERE length(occurred_at) != 24 OR occurred_at NOT LIKE '____-__-__T__:__:__.___Z'"
    ).fetchall()
    for slug, value in rows:
        try:
            text = canonical(parse_timestamp(str(value), UTC).instant)
        except ValueError:
            log.warning(
                "activity %s has an unparseable occurred_at %r; left unchanged", slug, value
            )
            continue
        if not is_canonical(str(value)) or text != value:
            conn.execute("UPDATE activity SET occurred_at = ? WHERE slug = ?", (text, slug))
    # joining_date: epoch milliseconds or timestamps become YYYY-MM-DD.
    for username, value in conn.execute(
        "SELECT username, joining_date FROM contributor WHERE joining_date IS NOT NULL"
    ).fetchall():
        new = _joining_date(value)
        if new is not None and new != value:
            conn.execute(
                "UPDATE contributor SET joining_date = ? WHERE username = ?", (new, username)
            )
    # Canonical spelling of every contributor reference.
    for table in _REFERENCING:
        conn.execute(
            f"UPDATE {table} SET contributor = (SELECT c.username FROM contributor c "
            f"WHERE c.username = {table}.contributor COLLATE NOCASE) "
            f"WHERE contributor COLLATE BINARY != (SELECT c.username FROM contributor c "
            f"WHERE c.username = {table}.contributor COLLATE NOCASE)"
        )
    for table in ("global_aggregate", "contributor_aggregate_definition"):
        conn.execute(
            f"UPDATE {table} SET hidden = CASE WHEN hidden IN (1, '1', 'true', 'TRUE') THEN 1 ELSE 0 END "
            "WHERE hidden NOT IN (0, 1) OR typeof(hidden) != 'integer'"
        )
    for stmt in INDEXES.split(";"):
        if stmt.strip():
            conn.execute(stmt)


def _joining_date(value: object) -> str | None:
    if isinstance(value, (int, float)) or (
        isinstance(value, str) and value.isdigit() and len(value) > 8
    ):
        return datetime.fromtimestamp(int(value) / 1000, UTC).date().isoformat()
    if isinstance(value, str) and len(value) > 10:
        try:
            return parse_timestamp(value, UTC).instant.date().isoformat()
        except ValueError:
            return None
    return None


def _table_sql(table: str) -> str:
    start = CORE_TABLES.index(f"CREATE TABLE IF NOT EXISTS {table} (")
    return CORE_TABLES[start : CORE_TABLES.index(");", start) + 1]


def _rebuild(conn: sqlite3.Connection, table: str) -> None:
    """Create the table anew with our definition and copy the shared columns across.

    The new table is built under a temporary name and renamed afterwards, because renaming the
    old table would make SQLite rewrite other tables' foreign keys to follow it.
    """
    old_cols = _columns(conn, table)
    tmp = f"_new_{table}"
    conn.execute(_table_sql(table).replace(f"IF NOT EXISTS {table} (", f"{tmp} (", 1))
    new_cols = set(_columns(conn, tmp))
    col_list = ", ".join(c for c in old_cols if c in new_cols)
    conn.execute(f"INSERT OR IGNORE INTO {tmp} ({col_list}) SELECT {col_list} FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {tmp} RENAME TO {table}")


def _rebuild_referencing_tables(conn: sqlite3.Connection) -> None:
    """Give upstream tables our key collation and FK actions (SQLite cannot alter them)."""
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type='table' AND name='contributor'"
    ).fetchone()[0]
    if "NOCASE" not in sql.upper():
        _rebuild(conn, "contributor")
    for table in _REFERENCING:
        sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)
        ).fetchone()[0]
        if "ON UPDATE CASCADE" not in sql.upper():
            _rebuild(conn, table)


def m003_indexes(conn: sqlite3.Connection) -> None:
    for stmt in INDEXES.split(";"):
        if stmt.strip():
            conn.execute(stmt)


# Record tables whose rows export writes to per-contributor JSONL files, and the kind they are.
_SYNCED_TABLES = {
    "activity": "activity",
    "contributor_aggregate": "contributor_aggregate",
    "contributor_badge": "contributor_badge",
}


def m004_datarepo_sync(conn: sqlite3.Connection) -> None:
    """What the data files last held, for skipping unchanged work (datarepo/syncstate.py).

    A row with `path = ''` says "the rows of this kind are exactly what its files hold"; any
    write to the kind's table, by any connection, deletes it through these triggers.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _datarepo_sync ("
        "kind TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, digest TEXT, validated TEXT, "
        "PRIMARY KEY (kind, path)) WITHOUT ROWID"
    )
    for table, kind in _SYNCED_TABLES.items():
        for event in ("INSERT", "UPDATE", "DELETE"):
            conn.execute(
                f"CREATE TRIGGER IF NOT EXISTS _datarepo_sync_{table}_{event.lower()} "
                f"AFTER {event} ON {table} BEGIN "
                f"DELETE FROM _datarepo_sync WHERE kind = '{kind}' AND path = ''; END"
            )


def m005_slack_user_cache(conn: sqlite3.Connection) -> None:
    """NEW-26: the Slack plugin's e-mail answers per Slack user (30 days), kept in the schema
    because `leaderboard identities` reads it to list links made through Slack e-mail."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS slack_user_cache ("
        "user_id TEXT PRIMARY KEY, email TEXT, fetched_at TEXT)"
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_create,
    m002_upgrade_upstream,
    m003_indexes,
    m004_datarepo_sync,
    m005_slack_user_cache,
]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_leaderboard_meta'"
    ).fetchone()
    if not has_meta:
        return 0
    row = conn.execute("SELECT value FROM _leaderboard_meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


# Page size of a DB this package creates. SQLite's default (4 KiB) makes the bulk import of a
# first run walk and split four times as many B-tree pages: with 16 KiB pages, inserting and
# indexing 130,000 activities costs about 15% less CPU (CORE-80). An existing file keeps the
# page size it was created with (an upstream DB, or one created by an earlier version).
PAGE_SIZE = 16384


def migrate(conn: sqlite3.Connection, package_version: str) -> int:
    """Apply pending migrations; returns the number applied."""
    version = current_version(conn)
    if version == 0 and conn.execute("PRAGMA page_count").fetchone()[0] == 0:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only takes effect on an empty file
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"Database schema {version} is newer than this version supports ({SCHEMA_VERSION}); "
            "upgrade contributor-leaderboard"
        )
    applied = 0
    # Foreign keys must be off while tables are rebuilt; SQLite ignores the pragma inside a tx.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for number in range(version + 1, SCHEMA_VERSION + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[number - 1](conn)
                conn.execute(
                    "INSERT INTO _leaderboard_meta(key, value) VALUES('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (str(number),),
                )
                conn.execute(
                    "INSERT OR IGNORE INTO _leaderboard_meta(key, value) VALUES('created_by_version', ?)",
                    (package_version,),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            applied += 1
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return applied
