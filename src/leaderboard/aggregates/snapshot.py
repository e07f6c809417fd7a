"""The activity snapshot aggregation and badge rules read: one sorted query (CORE-58, CORE-80).

Rows come back ordered by (contributor, occurred_at, slug) with effective points, so every
consumer can walk them once and group by contributor without per-contributor queries.
"""

from __future__ import annotations

from typing import NamedTuple

from leaderboard.db import Database
from leaderboard.timeutil import is_canonical


class ActivityRow(NamedTuple):
    contributor: str  # canonical username
    occurred_at: str  # canonical timestamp
    slug: str
    definition: str
    points: int  # effective points (CORE-58)


def effective_points_sql(activity: str = "a", definition: str = "d") -> str:
    """The SQL expression of effective points, from `leaderboard.points` when it provides one.

    Falls back to CORE-58 (activity points, else the definition's, else 0) so that this package
    works before the shared points module exists.
    """
    try:
        from leaderboard import points

        fn = getattr(points, "effective_points_sql", None)
        if callable(fn):
            return str(fn(activity, definition))
    except ImportError:
        pass
    return f"COALESCE({activity}.points, {definition}.points, 0)"


def load_activity_rows(db: Database, *, until: str | None = None) -> list[ActivityRow]:
    """All activities (or those at or before the canonical instant `until`), sorted.

    Rows whose `occurred_at` is not canonical (an upstream value migration could not parse,
    CORE-35) are left out: they have no instant, and `validate`/`doctor` report them.
    """
    sql = (
        "SELECT a.contributor, a.occurred_at, a.slug, a.activity_definition, "
        f"{effective_points_sql()} FROM activity a "
        "LEFT JOIN activity_definition d ON d.slug = a.activity_definition"
    )
    params: tuple[str, ...] = ()
    if until is not None:
        sql += " WHERE a.occurred_at <= ?"
        params = (until,)
    sql += " ORDER BY a.contributor, a.occurred_at, a.slug"
    rows = db.execute(sql, params).fetchall()
    return [ActivityRow(c, t, s, d, int(p or 0)) for c, t, s, d, p in rows if is_canonical(t)]
