"""`queries.badge_definitions`: badge definitions with their variants (CORE-30, CORE-49).

`variants` is returned as stored (key order kept); use `badges.variants.ordered_variants` for the
tier order of CORE-66.
"""

from __future__ import annotations

from typing import Any

from leaderboard.db import Database
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.rows import decode, decode_all


def get_all(db: Database) -> list[dict[str, Any]]:
    return decode_all("badge_definition", db.query("SELECT * FROM badge_definition ORDER BY slug"))


def get(db: Database, slug: str) -> dict[str, Any] | None:
    row = db.query_one("SELECT * FROM badge_definition WHERE slug = ?", (slug,))
    return None if row is None else decode("badge_definition", row)


def insert_or_ignore(db: Database, definition: Any) -> bool:
    dbinfo.require_working(db, "insert badge definitions")
    return writes.insert(
        db, "badge_definition", normalize.badge_definition(definition), ignore=True
    )


def upsert(db: Database, definition: Any) -> None:
    """Insert or replace (later sources win, CORE-65)."""
    dbinfo.require_working(db, "upsert badge definitions")
    writes.upsert(db, "badge_definition", normalize.badge_definition(definition), ("slug",))
