"""The activity snapshot aggregation and badge rules read: one sorted query (CORE-58, CORE-80).

Rows come back ordered by (contributor, occurred_at, slug) with effective points, so every
consumer can walk them once and group by contributor without per-contributor queries. Daily
caps (NEW-25) are applied in the same walk, since that order is exactly the cap order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import NamedTuple

from leaderboard.aggregates.localdays import LocalDays
from leaderboard.db import Database
from leaderboard.points import effective_points_sql
from leaderboard.timeutil import is_canonical


class ActivityRow(NamedTuple):
    contributor: str  # canonical username
    occurred_at: str  # canonical timestamp
    slug: str
    definition: str
    points: int  # effective points (CORE-58, capped per NEW-25 when caps are given)


def load_activity_rows(
    db: Database,
    *,
    until: str | None = None,
    daily_caps: Mapping[str, int] | None = None,
    tz: tzinfo | None = None,
) -> list[ActivityRow]:
    """All activities (or those at or before the canonical instant `until`), sorted.

    Rows whose `occurred_at` is not canonical (an upstream value migration could not parse,
    CORE-35) are left out: they have no instant, and `validate`/`doctor` report them.
    `daily_caps` (definition slug → N, needs `tz`) zeroes the points of each contributor's
    activities past the N-th of that definition on one local day.
    """
    sql = (
        "SELECT a.contributor, a.occurred_at, a.slug, a.activity_definition, "
        f"{effective_points_sql('a', 'd')} FROM activity a "
        "LEFT JOIN activity_definition d ON d.slug = a.activity_definition"
    )
    params: tuple[str, ...] = ()
    if until is not None:
        sql += " WHERE a.occurred_at <= ?"
        params = (until,)
    sql += " ORDER BY a.contributor, a.occurred_at, a.slug"
    rows = [
        ActivityRow(c, t, s, d, int(p or 0))
        for c, t, s, d, p in db.execute(sql, params).fetchall()
        if is_canonical(t)
    ]
    if daily_caps:
        if tz is None:
            raise ValueError("daily caps need the time zone")
        rows = apply_caps(rows, daily_caps, tz)
    return rows


def apply_caps(rows: list[ActivityRow], caps: Mapping[str, int], tz: tzinfo) -> list[ActivityRow]:
    """NEW-25 on rows sorted by (contributor, occurred_at, slug): points past the cap become 0."""
    stamps = [r.occurred_at for r in rows]
    days = LocalDays(tz, (min(stamps), max(stamps)) if stamps else ())
    seen: dict[tuple[str, str, object], int] = {}
    out = []
    for r in rows:
        limit = caps.get(r.definition)
        if limit is not None:
            key = (r.contributor, r.definition, days.date_of(r.occurred_at))
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > limit:
                r = r._replace(points=0)
        out.append(r)
    return out
