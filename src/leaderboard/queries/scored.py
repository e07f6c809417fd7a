"""The scored-activities subquery: activities of a time range with their effective points.

Every window sum in the query layer selects from this subquery, so totals, leaderboards, day
series and summaries use one definition of points (CORE-58) and of daily caps (NEW-25):
- public DB: the precomputed `activity.effective_points` column (caps already applied);
- working DB: `COALESCE(a.points, d.points, 0)`, or, with caps, a window expression evaluated over
  whole local days (the range is widened to the start of the first day, then trimmed), so an
  activity's capped points do not depend on where a window starts.
Columns: `slug`, `contributor`, `activity_definition`, `occurred_at`, `points`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from leaderboard.db import Database
from leaderboard.points import capped_points_sql, effective_points_sql
from leaderboard.queries import dbinfo
from leaderboard.queries.localdate import local_date_sql
from leaderboard.timeutil import canonical, local_date, start_of_day

Instant = str | datetime | None


def text(value: Instant) -> str | None:
    """A bound as canonical text (datetimes converted; None stays None)."""
    if value is None or isinstance(value, str):
        return value
    return canonical(value)


def upper_bound(end: Instant, now: Instant) -> str | None:
    """The effective inclusive end: the earlier of `end` and `now` (activities after now never count)."""
    e, n = text(end), text(now)
    if e is None:
        return n
    if n is None:
        return e
    return min(e, n)


def scored_sql(
    db: Database,
    *,
    tz: tzinfo,
    start: Instant = None,
    end: Instant = None,
    end_inclusive: bool = True,
    caps: Mapping[str, int] | None = None,
    contributor: str | None = None,
    definitions: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    """SQL of the subquery and its parameters. `contributor` must be the stored spelling."""
    lo, hi = text(start), text(end)
    public = dbinfo.is_public(db)
    active_caps = {} if public else dbinfo.daily_caps(db, caps)
    filters: list[str] = []
    params: list[Any] = []
    # No selective bound: a plain table scan beats an index range covering nearly every row.
    # `NOT INDEXED` says so for a table; SQLite ignores it on the public DB's `activity` view
    # (NEW-05), so the bound is also written `+a.occurred_at`, which no index can serve.
    scan = lo is None and contributor is None and definitions is None
    if hi is not None:
        column = "+a.occurred_at" if scan else "a.occurred_at"
        filters.append(f"{column} <= ?" if end_inclusive else f"{column} < ?")
        params.append(hi)
    if contributor is not None:
        filters.append("a.contributor = ?")
        params.append(contributor)
    if definitions is not None:
        filters.append(f"a.activity_definition IN ({', '.join('?' for _ in definitions)})")
        params.extend(definitions)
    cols = "a.slug, a.contributor, a.activity_definition, a.occurred_at"
    if public:
        points = "a.effective_points"
        join = ""
    else:
        join = " LEFT JOIN activity_definition d ON d.slug = a.activity_definition"
        points = effective_points_sql("a", "d")
    if scan:
        join = " NOT INDEXED" + join
    if not active_caps:
        if lo is not None:
            filters.insert(0, "a.occurred_at >= ?")
            params.insert(0, lo)
        where = " WHERE " + " AND ".join(filters) if filters else ""
        return f"SELECT {cols}, {points} AS points FROM activity a{join}{where}", params
    capped = capped_points_sql(active_caps, local_date_sql("a.occurred_at", tz), "a", "d")
    inner_filters = list(filters)
    inner_params = list(params)
    if lo is not None:
        day_start = canonical(start_of_day(local_date(lo, tz), tz))
        inner_filters.insert(0, "a.occurred_at >= ?")
        inner_params.insert(0, day_start)
    where = " WHERE " + " AND ".join(inner_filters) if inner_filters else ""
    inner = f"SELECT {cols}, {capped} AS points FROM activity a{join}{where}"
    if lo is None:
        return inner, inner_params
    return f"SELECT * FROM ({inner}) WHERE occurred_at >= ?", [*inner_params, lo]
