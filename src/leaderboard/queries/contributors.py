"""`queries.contributors`: contributor rows (CORE-30, CORE-32, CORE-74).

Rows are dicts with every column of the table (JSON columns parsed; `bot` as bool or None; on the
public DB `is_bot` as bool). Usernames match ASCII-case-insensitively; the stored spelling is
returned and kept by writes (only the importer renames, CORE-41). Lists are ordered by username
(ASCII-case-insensitive, then byte order). `population` filters (CORE-74); None means every row.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.rows import decode, decode_all

ORDER = "ORDER BY c.username COLLATE NOCASE, c.username COLLATE BINARY"


def _where(db: Database, population: Population | None) -> str:
    if population is None:
        return "1"
    return population.sql("c", public=dbinfo.is_public(db))


def get_all(db: Database, population: Population | None = None) -> list[dict[str, Any]]:
    """Every contributor (of `population`), by username."""
    rows = db.query(f"SELECT c.* FROM contributor c WHERE {_where(db, population)} {ORDER}")
    return decode_all("contributor", rows)


def get(db: Database, username: str) -> dict[str, Any] | None:
    """One contributor by username (any ASCII case), or None."""
    row = db.query_one("SELECT c.* FROM contributor c WHERE c.username = ?", (username,))
    return None if row is None else decode("contributor", row)


def get_by_role(
    db: Database, role: str, population: Population | None = None
) -> list[dict[str, Any]]:
    """Contributors with exactly this role, by username."""
    rows = db.query(
        f"SELECT c.* FROM contributor c WHERE c.role = ? AND {_where(db, population)} {ORDER}",
        (role,),
    )
    return decode_all("contributor", rows)


def insert_or_ignore(db: Database, contributor: Any, *, tz: tzinfo | None = None) -> bool:
    """Insert unless a contributor with that username (any case) exists; True when inserted."""
    dbinfo.require_working(db, "insert contributors")
    columns = normalize.contributor(contributor, dbinfo.timezone(db, tz))
    return writes.insert(db, "contributor", columns, ignore=True)


def upsert(db: Database, contributor: Any, *, tz: tzinfo | None = None) -> str:
    """Insert or replace every column; an existing row keeps its spelling. Returns the username."""
    dbinfo.require_working(db, "upsert contributors")
    columns = normalize.contributor(contributor, dbinfo.timezone(db, tz))
    writes.upsert(db, "contributor", columns, ("username",))
    return writes.canonical_username(db, columns["username"]) or columns["username"]


def delete(db: Database, username: str) -> bool:
    """Delete a contributor and every row referencing it (activities, aggregates, awards).

    Done in one savepoint, so a failure leaves nothing half-deleted. True when a row existed.
    """
    dbinfo.require_working(db, "delete contributors")
    name = writes.canonical_username(db, username)
    if name is None:
        return False
    with db.savepoint():
        for table in ("activity", "contributor_aggregate", "contributor_badge"):
            db.execute(f"DELETE FROM {table} WHERE contributor = ?", (name,))
        db.execute("DELETE FROM contributor WHERE username = ?", (name,))
    return True


def count(db: Database, population: Population | None = None) -> int:
    """Number of contributors (of `population`)."""
    return int(db.scalar(f"SELECT COUNT(*) FROM contributor c WHERE {_where(db, population)}"))


def usernames(db: Database, population: Population | None = None) -> list[str]:
    """Stored usernames (of `population`), by username order."""
    cur = db.execute(f"SELECT c.username FROM contributor c WHERE {_where(db, population)} {ORDER}")
    return [row[0] for row in cur.fetchall()]
