"""`queries.contributor_badges`: badge awards and badge statistics (CORE-30, CORE-50, CORE-77).

Statistics take a population (CORE-74: badge statistics count ranked contributors only).
Award lists are ordered by `achieved_on` descending, then slug.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.rows import decode, decode_all, username_key

TABLE = "contributor_badge"
_RECENT = "ORDER BY cb.achieved_on DESC, cb.slug"


def _population(db: Database, population: Population | None) -> tuple[str, str]:
    if population is None:
        return "", "1"
    join = " JOIN contributor c ON c.username = cb.contributor"
    return join, population.sql("c", public=dbinfo.is_public(db))


def get_all(db: Database) -> list[dict[str, Any]]:
    return decode_all(TABLE, db.query(f"SELECT cb.* FROM {TABLE} cb {_RECENT}"))


def by_contributor(db: Database, username: str) -> list[dict[str, Any]]:
    rows = db.query(
        f"SELECT cb.* FROM {TABLE} cb WHERE cb.contributor = {writes.CANONICAL} {_RECENT}",
        (username,),
    )
    return decode_all(TABLE, rows)


def exists(db: Database, username: str, badge: str, variant: str) -> bool:
    return (
        db.scalar(
            f"SELECT 1 FROM {TABLE} WHERE contributor = {writes.CANONICAL} AND badge = ? "
            "AND variant = ?",
            (username, badge, variant),
        )
        is not None
    )


def award(db: Database, badge: Any, *, tz: tzinfo | None = None) -> bool:
    """Insert-or-ignore an award (existing awards are never changed, CORE-67); True if new."""
    dbinfo.require_working(db, "award badges")
    columns = normalize.contributor_badge(badge, dbinfo.timezone(db, tz))
    what = f"badge award '{columns['slug']}'"
    columns["contributor"] = writes.require_contributor(db, columns["contributor"], what)
    writes.require_row(db, "badge_definition", columns["badge"], what, "badge definition")
    return writes.insert(db, TABLE, columns, ignore=True)


def recent(
    db: Database, limit: int | None = None, population: Population | None = None
) -> list[dict[str, Any]]:
    """Newest awards with badge and contributor details: the award columns plus `badge_name`,
    `badge_description`, `variant_description`, `svg_url`, `contributor_name`,
    `contributor_avatar_url`."""
    join, where = _population(db, population)
    if not join:
        join = " JOIN contributor c ON c.username = cb.contributor"
    sql = (
        f"SELECT cb.*, b.name AS badge_name, b.description AS badge_description, "
        f"b.variants AS _variants, c.name AS contributor_name, "
        f"c.avatar_url AS contributor_avatar_url FROM {TABLE} cb{join} "
        f"LEFT JOIN badge_definition b ON b.slug = cb.badge WHERE {where} {_RECENT}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    out = []
    for row in db.query(sql):
        variants_text = row.pop("_variants")
        row = decode(TABLE, row)
        variants = decode("badge_definition", {"variants": variants_text})["variants"] or {}
        variant = variants.get(row["variant"]) if isinstance(variants, dict) else None
        variant = variant if isinstance(variant, dict) else {}
        row["variant_description"] = variant.get("description")
        row["svg_url"] = variant.get("svg_url")
        out.append(row)
    return out


def top_earners(
    db: Database, limit: int | None = None, population: Population | None = None
) -> list[dict[str, Any]]:
    """`{username, name, avatar_url, count}` by award rows desc, then username."""
    join, where = _population(db, population)
    if not join:
        join = " JOIN contributor c ON c.username = cb.contributor"
    rows = db.execute(
        f"SELECT cb.contributor, COUNT(*), c.name, c.avatar_url FROM {TABLE} cb{join} "
        f"WHERE {where} GROUP BY cb.contributor"
    ).fetchall()
    rows.sort(key=lambda r: (-r[1], *username_key(r[0])))
    if limit is not None:
        rows = rows[:limit]
    return [{"username": u, "name": n, "avatar_url": a, "count": int(k)} for u, k, n, a in rows]


def award_counts(db: Database, population: Population | None = None) -> dict[str, dict[str, int]]:
    """`{badge: {variant: award rows}}`, badges and variants in byte order."""
    join, where = _population(db, population)
    rows = db.execute(
        f"SELECT cb.badge, cb.variant, COUNT(*) FROM {TABLE} cb{join} WHERE {where} "
        "GROUP BY cb.badge, cb.variant ORDER BY cb.badge, cb.variant"
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for badge, variant, n in rows:
        out.setdefault(badge, {})[variant] = int(n)
    return out


def earners_by_badge(db: Database, population: Population | None = None) -> dict[str, int]:
    """`{badge: distinct contributors holding any variant}`, by badge."""
    join, where = _population(db, population)
    rows = db.execute(
        f"SELECT cb.badge, COUNT(DISTINCT cb.contributor) FROM {TABLE} cb{join} WHERE {where} "
        "GROUP BY cb.badge ORDER BY cb.badge"
    ).fetchall()
    return {b: int(n) for b, n in rows}


def totals(db: Database, population: Population | None = None) -> dict[str, int]:
    """`{"awards": award rows, "earners": distinct contributors}`."""
    join, where = _population(db, population)
    awards, earners = db.execute(
        f"SELECT COUNT(*), COUNT(DISTINCT cb.contributor) FROM {TABLE} cb{join} WHERE {where}"
    ).fetchone()
    return {"awards": int(awards), "earners": int(earners)}
