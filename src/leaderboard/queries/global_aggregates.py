"""`queries.global_aggregates`: organisation-wide values (CORE-30, CORE-46). `hidden` is a bool."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leaderboard.db import Database
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.rows import decode, decode_all


def get_all(db: Database) -> list[dict[str, Any]]:
    """Every global aggregate, by slug."""
    return decode_all("global_aggregate", db.query("SELECT * FROM global_aggregate ORDER BY slug"))


def get(db: Database, slug: str) -> dict[str, Any] | None:
    row = db.query_one("SELECT * FROM global_aggregate WHERE slug = ?", (slug,))
    return None if row is None else decode("global_aggregate", row)


def visible(db: Database) -> list[dict[str, Any]]:
    """Aggregates not marked hidden, by slug."""
    rows = db.query("SELECT * FROM global_aggregate WHERE hidden = 0 ORDER BY slug")
    return decode_all("global_aggregate", rows)


def by_slugs(db: Database, slugs: Sequence[str]) -> list[dict[str, Any]]:
    """The aggregates named, in the order given; unknown slugs are skipped."""
    if not slugs:
        return []
    marks = ", ".join("?" for _ in slugs)
    rows = db.query(f"SELECT * FROM global_aggregate WHERE slug IN ({marks})", tuple(slugs))
    found = {r["slug"]: decode("global_aggregate", r) for r in rows}
    return [found[s] for s in dict.fromkeys(slugs) if s in found]


def upsert(db: Database, aggregate: Any) -> None:
    """Insert or replace (the value is checked against CORE-63)."""
    dbinfo.require_working(db, "upsert global aggregates")
    writes.upsert(db, "global_aggregate", normalize.global_aggregate(aggregate), ("slug",))


def delete(db: Database, slug: str) -> bool:
    dbinfo.require_working(db, "delete global aggregates")
    return db.execute("DELETE FROM global_aggregate WHERE slug = ?", (slug,)).rowcount > 0
