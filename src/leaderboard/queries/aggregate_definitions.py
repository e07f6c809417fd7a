"""`queries.aggregate_definitions`: contributor aggregate definitions (CORE-30, CORE-47)."""

from __future__ import annotations

from typing import Any

from leaderboard.db import Database
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.rows import decode, decode_all

TABLE = "contributor_aggregate_definition"


def get_all(db: Database) -> list[dict[str, Any]]:
    """Every definition, by slug; `hidden` as bool."""
    return decode_all(TABLE, db.query(f"SELECT * FROM {TABLE} ORDER BY slug"))


def get(db: Database, slug: str) -> dict[str, Any] | None:
    row = db.query_one(f"SELECT * FROM {TABLE} WHERE slug = ?", (slug,))
    return None if row is None else decode(TABLE, row)


def visible(db: Database) -> list[dict[str, Any]]:
    """Definitions that may be displayed (hidden ones still feed badge rules, CORE-64)."""
    return decode_all(TABLE, db.query(f"SELECT * FROM {TABLE} WHERE hidden = 0 ORDER BY slug"))


def insert_or_ignore(db: Database, definition: Any) -> bool:
    dbinfo.require_working(db, "insert aggregate definitions")
    return writes.insert(db, TABLE, normalize.aggregate_definition(definition), ignore=True)


def upsert(db: Database, definition: Any) -> None:
    dbinfo.require_working(db, "upsert aggregate definitions")
    writes.upsert(db, TABLE, normalize.aggregate_definition(definition), ("slug",))
