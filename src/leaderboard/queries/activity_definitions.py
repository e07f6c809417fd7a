"""`queries.activity_definitions`: activity types (CORE-30, CORE-43). Lists are ordered by slug."""

from __future__ import annotations

from typing import Any

from leaderboard.db import Database
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.rows import decode, decode_all


def get_all(db: Database) -> list[dict[str, Any]]:
    """Every definition, by slug (byte order)."""
    return decode_all(
        "activity_definition", db.query("SELECT * FROM activity_definition ORDER BY slug")
    )


def get(db: Database, slug: str) -> dict[str, Any] | None:
    row = db.query_one("SELECT * FROM activity_definition WHERE slug = ?", (slug,))
    return None if row is None else decode("activity_definition", row)


def insert_or_ignore(db: Database, definition: Any) -> bool:
    """Insert unless the slug exists (plugins' static definitions: files win); True when inserted."""
    dbinfo.require_working(db, "insert activity definitions")
    return writes.insert(
        db, "activity_definition", normalize.activity_definition(definition), ignore=True
    )


def upsert(db: Database, definition: Any) -> None:
    """Insert or replace every column."""
    dbinfo.require_working(db, "upsert activity definitions")
    writes.upsert(db, "activity_definition", normalize.activity_definition(definition), ("slug",))


def count(db: Database) -> int:
    return int(db.scalar("SELECT COUNT(*) FROM activity_definition"))
