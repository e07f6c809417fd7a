"""`queries.activities`: activity rows, enriched activity lists and per-date/per-type counts.

Two shapes are returned:
- raw rows (`get`, `get_all`, `raw_by_contributor`): the stored columns, JSON parsed;
- enriched rows (`by_contributor`, `in_range`, `by_definitions`, `recent`, …): the stored columns
  with `points` = effective points (CORE-58, caps of NEW-25), `stored_points` = the stored value,
  and `definition_name`, `definition_description`, `definition_icon`, `contributor_name`,
  `contributor_avatar_url`, `contributor_role` joined in.
Dates are calendar dates in tz (CORE-12); `now` drops activities after it (CORE-12).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import Any

from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import dbinfo, normalize, writes
from leaderboard.queries.localdate import local_date_sql
from leaderboard.queries.rows import decode, decode_all
from leaderboard.queries.scored import Instant, scored_sql, text, upper_bound
from leaderboard.queries.types import ContributorTotals, DaySeries, day_range

_NEWEST = "ORDER BY a.occurred_at DESC, a.slug"
_OLDEST = "ORDER BY a.occurred_at, a.slug"


def _limit(limit: int | None, offset: int = 0) -> str:
    if limit is None and not offset:
        return ""
    return f" LIMIT {int(limit) if limit is not None else -1} OFFSET {int(offset)}"


def _columns(db: Database) -> list[str]:
    cols = [row[1] for row in db.execute("PRAGMA table_info(activity)").fetchall()]
    return [c for c in cols if c not in ("points", "effective_points")]


# -- raw rows ----------------------------------------------------------------------------------


def get(db: Database, slug: str) -> dict[str, Any] | None:
    row = db.query_one("SELECT * FROM activity WHERE slug = ?", (slug,))
    return None if row is None else decode("activity", row)


def get_all(db: Database, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Raw rows, newest first (ties by slug); `offset` without `limit` is allowed."""
    sql = f"SELECT a.* FROM activity a {_NEWEST}{_limit(limit, offset)}"
    return decode_all("activity", db.query(sql))


def raw_by_contributor(db: Database, username: str) -> list[dict[str, Any]]:
    """Stored rows of one contributor in export order (occurred_at, slug)."""
    sql = f"SELECT a.* FROM activity a WHERE a.contributor = {writes.CANONICAL} {_OLDEST}"
    return decode_all("activity", db.query(sql, (username,)))


def count(db: Database) -> int:
    return int(db.scalar("SELECT COUNT(*) FROM activity"))


# -- writes ------------------------------------------------------------------------------------


def _prepare(db: Database, record: Any, tz: tzinfo) -> dict[str, Any]:
    columns = normalize.activity(record, tz)
    what = f"activity '{columns['slug']}'"
    columns["contributor"] = writes.require_contributor(db, columns["contributor"], what)
    writes.require_row(
        db, "activity_definition", columns["activity_definition"], what, "activity definition"
    )
    return columns


def upsert(db: Database, activity: Any, *, tz: tzinfo | None = None) -> None:
    """Insert or replace an activity (normalised like import: canonical time and spelling)."""
    dbinfo.require_working(db, "upsert activities")
    writes.upsert(db, "activity", _prepare(db, activity, dbinfo.timezone(db, tz)), ("slug",))


def upsert_many(db: Database, activities: Iterable[Any], *, tz: tzinfo | None = None) -> int:
    """Upsert many activities in one savepoint (all or nothing); returns how many."""
    dbinfo.require_working(db, "upsert activities")
    zone = dbinfo.timezone(db, tz)
    rows = [_prepare(db, a, zone) for a in activities]
    if not rows:
        return 0
    names = list(rows[0])
    updates = ", ".join(f"{c} = excluded.{c}" for c in names if c != "slug")
    sql = (
        f"INSERT INTO activity ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
        f"ON CONFLICT(slug) DO UPDATE SET {updates}"
    )
    with db.savepoint():
        db.executemany(sql, [tuple(r[c] for c in names) for r in rows])
    return len(rows)


def delete(db: Database, slug: str) -> bool:
    dbinfo.require_working(db, "delete activities")
    return db.execute("DELETE FROM activity WHERE slug = ?", (slug,)).rowcount > 0


# -- enriched rows -----------------------------------------------------------------------------


def _enriched(
    db: Database,
    *,
    start: Instant = None,
    end: Instant = None,
    now: Instant = None,
    population: Population | None = None,
    username: str | None = None,
    definitions: Sequence[str] | None = None,
    order: str = _OLDEST,
    limit: int | None = None,
    tz: tzinfo | None = None,
    caps: Mapping[str, int] | None = None,
) -> list[dict[str, Any]]:
    zone = dbinfo.timezone(db, tz)
    params: list[Any] = []
    who = None
    if username is not None:
        who = writes.canonical_username(db, username)
        if who is None:
            return []
    scored, params = scored_sql(
        db, tz=zone, start=start, end=upper_bound(end, now), caps=caps, contributor=who,
        definitions=definitions,
    )  # fmt: skip
    cols = ", ".join(f"a.{c}" for c in _columns(db))
    where = population.sql("c", public=dbinfo.is_public(db)) if population else "1"
    sql = (
        f"SELECT {cols}, a.points AS stored_points, s.points AS points, "
        "d.name AS definition_name, d.description AS definition_description, "
        "d.icon AS definition_icon, c.name AS contributor_name, "
        "c.avatar_url AS contributor_avatar_url, c.role AS contributor_role "
        f"FROM ({scored}) s JOIN activity a ON a.slug = s.slug "
        "LEFT JOIN activity_definition d ON d.slug = a.activity_definition "
        f"JOIN contributor c ON c.username = a.contributor WHERE {where} {order}{_limit(limit)}"
    )
    return decode_all("activity", db.query(sql, params))


def by_contributor(
    db: Database, username: str, limit: int | None = None, *, now: Instant = None,
    tz: tzinfo | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Enriched activities of one contributor, newest first (what custom badge rules receive)."""
    return _enriched(db, username=username, now=now, order=_NEWEST, limit=limit, tz=tz)


def in_range(
    db: Database, start: Instant, end: Instant, *, population: Population | None = None,
    now: Instant = None, tz: tzinfo | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Enriched activities with start <= occurred_at <= end, oldest first."""
    return _enriched(db, start=start, end=end, now=now, population=population, tz=tz)


def by_definitions(
    db: Database, slugs: Sequence[str], *, population: Population | None = None,
    now: Instant = None, tz: tzinfo | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Enriched activities of the given definitions, oldest first."""
    if not slugs:
        return []
    return _enriched(db, definitions=list(slugs), now=now, population=population, tz=tz)


def recent(
    db: Database, start: Instant, end: Instant, population: Population | None = None, *,
    limit: int | None = None, now: Instant = None, tz: tzinfo | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Enriched activities in the window, newest first, ties by slug (CORE-77)."""
    return _enriched(
        db, start=start, end=end, now=now, population=population, order=_NEWEST, limit=limit,
        tz=tz,
    )  # fmt: skip


def recent_by_definition(
    db: Database, start: Instant, end: Instant, population: Population | None = None, *,
    limit: int | None = None, now: Instant = None, tz: tzinfo | None = None,
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """`recent` grouped by definition slug (slugs in byte order); `limit` applies per group."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in recent(db, start, end, population, now=now, tz=tz):
        group = groups.setdefault(row["activity_definition"], [])
        if limit is None or len(group) < limit:
            group.append(row)
    return {slug: groups[slug] for slug in sorted(groups)}


# -- totals and counts -------------------------------------------------------------------------


def total_points(
    db: Database, username: str, *, start: Instant = None, end: Instant = None,
    now: Instant = None, tz: tzinfo | None = None,
) -> int:  # fmt: skip
    """Σ effective points of one contributor (optionally within a window)."""
    who = writes.canonical_username(db, username)
    if who is None:
        return 0
    sql, params = scored_sql(
        db, tz=dbinfo.timezone(db, tz), start=start, end=upper_bound(end, now), contributor=who
    )
    return int(db.scalar(f"SELECT COALESCE(SUM(points), 0) FROM ({sql})", params))


def totals_by_contributor(
    db: Database, *, end: Instant, now: Instant = None, tz: tzinfo | None = None,
    active_days: bool = True,
) -> dict[str, ContributorTotals]:  # fmt: skip
    """{username: totals} of every contributor with activity up to `end`, in one pass (the
    site's JSON API and Open Graph images; no population filter). Without `active_days` that
    field stays 0 and the per-row local-date expression is not evaluated."""
    zone = dbinfo.timezone(db, tz)
    sql, params = scored_sql(db, tz=zone, end=upper_bound(end, now))
    day = local_date_sql("s.occurred_at", zone) if active_days else "NULL"
    rows = db.execute(
        f"SELECT s.contributor, SUM(s.points), COUNT(*), COUNT(DISTINCT {day}), "
        f"MIN(s.occurred_at), MAX(s.occurred_at) FROM ({sql}) s GROUP BY s.contributor",
        params,
    ).fetchall()
    return {
        u: ContributorTotals(int(p), int(n), int(d), first, last)
        for u, p, n, d, first, last in rows
    }


def totals_by_contributor_and_definition(
    db: Database, *, end: Instant, now: Instant = None, tz: tzinfo | None = None,
) -> dict[str, dict[str, dict[str, int]]]:  # fmt: skip
    """{username: {definition: {"count", "points"}}} up to `end`, definitions in slug order."""
    sql, params = scored_sql(db, tz=dbinfo.timezone(db, tz), end=upper_bound(end, now))
    out: dict[str, dict[str, dict[str, int]]] = {}
    for user, slug, n, p in db.execute(
        f"SELECT s.contributor, s.activity_definition, COUNT(*), SUM(s.points) FROM ({sql}) s "
        "GROUP BY s.contributor, s.activity_definition ORDER BY s.contributor, s.activity_definition",
        params,
    ):
        out.setdefault(user, {})[slug] = {"count": int(n), "points": int(p)}
    return out


def _grouped(
    db: Database, key: str, username: str | None, start: Instant, end: Instant, now: Instant,
    population: Population | None, tz: tzinfo,
) -> list[tuple[str, int, int]]:  # fmt: skip
    who = None
    if username is not None:
        who = writes.canonical_username(db, username)
        if who is None:
            return []
    sql, params = scored_sql(db, tz=tz, start=start, end=upper_bound(end, now), contributor=who)
    join, where = "", ""
    if population is not None:
        join = " JOIN contributor c ON c.username = s.contributor"
        where = " WHERE " + population.sql("c", public=dbinfo.is_public(db))
    rows = db.execute(
        f"SELECT {key} AS k, COUNT(*), COALESCE(SUM(s.points), 0) FROM ({sql}) s{join}{where} "
        "GROUP BY k ORDER BY k",
        params,
    ).fetchall()
    return [(str(k), int(n), int(p)) for k, n, p in rows]


def counts_by_date(
    db: Database, username: str | None = None, *, start: Instant = None, end: Instant = None,
    now: Instant = None, population: Population | None = None, tz: tzinfo | None = None,
) -> dict[str, int]:  # fmt: skip
    """Activity counts per calendar date in tz (dates with activity only), by date.

    One contributor when `username` is given, else every contributor of `population`.
    """
    zone = dbinfo.timezone(db, tz)
    key = local_date_sql("s.occurred_at", zone)
    rows = _grouped(db, key, username, start, end, now, population, zone)
    return {k: n for k, n, _ in rows}


def counts_by_definition(
    db: Database, username: str | None = None, *, start: Instant = None, end: Instant = None,
    now: Instant = None, population: Population | None = None, tz: tzinfo | None = None,
) -> dict[str, dict[str, int]]:  # fmt: skip
    """`{slug: {"count", "points"}}` by slug, for one contributor or a population."""
    zone = dbinfo.timezone(db, tz)
    rows = _grouped(db, "s.activity_definition", username, start, end, now, population, zone)
    return {k: {"count": n, "points": p} for k, n, p in rows}


def day_series(
    db: Database, start: Instant, end: Instant, population: Population | None = None, *,
    username: str | None = None, now: Instant = None, tz: tzinfo | None = None,
) -> DaySeries:  # fmt: skip
    """Counts and points for every date in tz from start's date to end's date, zeros filled."""
    zone = dbinfo.timezone(db, tz)
    lo, hi = text(start), upper_bound(end, now)
    if lo is None or hi is None:
        raise ValueError("day_series needs a start and an end (or now)")
    key = local_date_sql("s.occurred_at", zone)
    rows = _grouped(db, key, username, lo, hi, None, population, zone)
    dates = day_range(lo, text(end) or hi, zone)
    series = DaySeries.zeros(dates)
    for day, n, p in rows:
        series.add(day, n, p)
    return series
