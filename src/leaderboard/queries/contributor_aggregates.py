"""`queries.contributor_aggregates`: per-contributor values (CORE-30, CORE-48, CORE-63)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leaderboard.db import Database
from leaderboard.errors import ValidationError
from leaderboard.population import Population
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.rows import decode, decode_all, username_key

TABLE = "contributor_aggregate"
_DEFS = "contributor_aggregate_definition"


def get_all(db: Database) -> list[dict[str, Any]]:
    """Every row, by contributor then aggregate slug."""
    rows = db.query(
        f"SELECT * FROM {TABLE} ORDER BY contributor COLLATE NOCASE, contributor, aggregate"
    )
    return decode_all(TABLE, rows)


def by_contributor(db: Database, username: str) -> list[dict[str, Any]]:
    """Rows of one contributor, by aggregate slug."""
    rows = db.query(
        f"SELECT * FROM {TABLE} WHERE contributor = {writes.CANONICAL} ORDER BY aggregate",
        (username,),
    )
    return decode_all(TABLE, rows)


def get(db: Database, username: str, slug: str) -> dict[str, Any] | None:
    row = db.query_one(
        f"SELECT * FROM {TABLE} WHERE contributor = {writes.CANONICAL} AND aggregate = ?",
        (username, slug),
    )
    return None if row is None else decode(TABLE, row)


def upsert(db: Database, aggregate: Any) -> None:
    """Insert or replace on (aggregate, contributor); the definition must exist first (CORE-64)."""
    dbinfo.require_working(db, "upsert contributor aggregates")
    columns = normalize.contributor_aggregate(aggregate)
    what = f"contributor aggregate '{columns['aggregate']}'"
    columns["contributor"] = writes.require_contributor(db, columns["contributor"], what)
    if db.scalar(f"SELECT 1 FROM {_DEFS} WHERE slug = ?", (columns["aggregate"],)) is None:
        raise ValidationError(f"{what}: unknown aggregate definition; upsert the definition first")
    writes.upsert(db, TABLE, columns, ("aggregate", "contributor"))


def delete(db: Database, username: str, slug: str) -> bool:
    dbinfo.require_working(db, "delete contributor aggregates")
    cur = db.execute(
        f"DELETE FROM {TABLE} WHERE contributor = {writes.CANONICAL} AND aggregate = ?",
        (username, slug),
    )
    return cur.rowcount > 0


def above_threshold(
    db: Database, slug: str, minimum: float, population: Population | None = None
) -> list[dict[str, Any]]:
    """Rows of `slug` whose number value is >= `minimum`: value desc, then username."""
    join, where = "", ""
    if population is not None:
        join = " JOIN contributor c ON c.username = ca.contributor"
        where = " AND " + population.sql("c", public=dbinfo.is_public(db))
    rows = db.query(
        f"SELECT ca.* FROM {TABLE} ca{join} WHERE ca.aggregate = ? "
        "AND json_extract(ca.value, '$.type') = 'number' "
        f"AND json_extract(ca.value, '$.value') >= ?{where}",
        (slug, minimum),
    )
    out = decode_all(TABLE, rows)
    out.sort(key=lambda r: (-r["value"]["value"], *username_key(r["contributor"])))
    return out


def enriched(
    db: Database, username: str, slugs: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """A contributor's values with their definitions: `{slug, name, description, hidden, value,
    meta}`, in the order of `slugs` (all rows by slug when None); missing ones are skipped."""
    rows = db.query(
        f"SELECT ca.aggregate AS slug, d.name, d.description, d.hidden, ca.value, ca.meta "
        f"FROM {TABLE} ca JOIN {_DEFS} d ON d.slug = ca.aggregate "
        f"WHERE ca.contributor = {writes.CANONICAL} ORDER BY ca.aggregate",
        (username,),
    )
    decoded = [decode(TABLE, r) for r in rows]
    if slugs is None:
        return decoded
    found = {r["slug"]: r for r in decoded}
    return [found[s] for s in dict.fromkeys(slugs) if s in found]
