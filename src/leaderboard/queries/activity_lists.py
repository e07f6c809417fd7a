"""`queries.activity_lists`: filtered, paged and searched activity lists, and activity timelines.

The MCP tools `query_activities`, `search_activities` and `get_activity_timeline` (ECO-12,
ECO-15, ECO-16) read through these, so an assistant sees the same points (effective points,
caps applied) and the same "now" cut-off as the site. Each list also reports how many rows match
in total, counted with the same filters.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from typing import Any

from leaderboard.db import Database
from leaderboard.queries import dbinfo, writes
from leaderboard.queries.localdate import local_date_sql
from leaderboard.queries.rows import decode_all
from leaderboard.queries.scored import Instant, scored_sql, text, upper_bound

_NEWEST = "ORDER BY a.occurred_at DESC, a.slug"
GROUPS = ("day", "week", "month")


def _columns(db: Database) -> str:
    cols = [row[1] for row in db.execute("PRAGMA table_info(activity)").fetchall()]
    keep = [c for c in cols if c not in ("points", "effective_points")]
    return ", ".join(f"a.{c}" for c in keep)


def _select(db: Database) -> str:
    return (
        f"SELECT {_columns(db)}, a.points AS stored_points, s.points AS points, "
        "d.name AS definition_name FROM ({scored}) s JOIN activity a ON a.slug = s.slug "
        "LEFT JOIN activity_definition d ON d.slug = a.activity_definition"
    )


def filtered(
    db: Database, *, contributor: str | None = None, definition: str | None = None,
    start: Instant = None, end: Instant = None, now: Instant = None, limit: int = 50,
    offset: int = 0, tz: tzinfo | None = None,
) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    """(page of activities newest first, ties by slug; number of all matches).

    All filters combine; `contributor` matches ASCII-case-insensitively (an unknown one matches
    nothing). Rows are the stored columns plus `points` (effective), `stored_points` and
    `definition_name`.
    """
    who = None
    if contributor is not None:
        who = writes.canonical_username(db, contributor)
        if who is None:
            return [], 0
    scored, params = scored_sql(
        db, tz=dbinfo.timezone(db, tz), start=text(start), end=upper_bound(end, now),
        contributor=who, definitions=[definition] if definition is not None else None,
    )  # fmt: skip
    total = int(db.scalar(f"SELECT COUNT(*) FROM ({scored})", params))
    sql = _select(db).format(scored=scored) + f" {_NEWEST} LIMIT ? OFFSET ?"
    rows = db.query(sql, [*params, int(limit), int(offset)])
    return decode_all("activity", rows), total


def _like(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    db: Database, query: str, *, limit: int = 50, now: Instant = None, tz: tzinfo | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Activities whose title or text contains `query` (case-insensitive for ASCII; `%`, `_`
    and `\\` literal), newest first; with the number of all matches."""
    scored, params = scored_sql(db, tz=dbinfo.timezone(db, tz), end=text(now))
    pattern = _like(query)
    where = " WHERE (a.title LIKE ? ESCAPE '\\' OR a.text LIKE ? ESCAPE '\\')"
    total = int(
        db.scalar(
            f"SELECT COUNT(*) FROM ({scored}) s JOIN activity a ON a.slug = s.slug{where}",
            [*params, pattern, pattern],
        )
    )
    sql = _select(db).format(scored=scored) + f"{where} {_NEWEST} LIMIT ?"
    rows = db.query(sql, [*params, pattern, pattern, int(limit)])
    return decode_all("activity", rows), total


def _period_key(day: str, group_by: str) -> str:
    if group_by == "day":
        return day
    if group_by == "month":
        return day[:7]
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()  # the Monday of the ISO week


def timeline(
    db: Database, username: str, group_by: str = "day", *, start: Instant = None,
    end: Instant = None, now: Instant = None, tz: tzinfo | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """`[{date, count}]` ascending, periods with activity only: calendar day `YYYY-MM-DD`, week
    (its Monday, `YYYY-MM-DD`) or month `YYYY-MM`, in tz."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    who = writes.canonical_username(db, username)
    if who is None:
        return []
    zone = dbinfo.timezone(db, tz)
    scored, params = scored_sql(
        db, tz=zone, start=text(start), end=upper_bound(end, now), contributor=who
    )
    day = local_date_sql("s.occurred_at", zone)
    counts: dict[str, int] = {}
    for d, n in db.execute(f"SELECT {day} AS k, COUNT(*) FROM ({scored}) s GROUP BY k", params):
        key = _period_key(str(d), group_by)
        counts[key] = counts.get(key, 0) + int(n)
    return [{"date": k, "count": counts[k]} for k in sorted(counts)]


def one(db: Database, slug: str, *, tz: tzinfo | None = None) -> dict[str, Any] | None:
    """One activity with its effective `points` (daily caps of its day applied), the stored
    value as `stored_points`, and `definition_name`; None when unknown."""
    row = db.query_one("SELECT contributor, occurred_at FROM activity WHERE slug = ?", (slug,))
    if row is None:
        return None
    scored, params = scored_sql(
        db, tz=dbinfo.timezone(db, tz), start=row["occurred_at"], end=row["occurred_at"],
        contributor=row["contributor"],
    )  # fmt: skip
    found = db.query(_select(db).format(scored=scored) + " WHERE a.slug = ?", [*params, slug])
    return decode_all("activity", found)[0] if found else None
