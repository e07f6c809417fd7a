"""Effective points (CORE-58) and daily caps (NEW-25): the one definition every total uses.

An activity's points are its own `points` when set, else its definition's `points`, else 0; an
explicit activity `0` wins. With daily caps, for each contributor, capped definition and calendar
day in tz only the first N activities (by `occurred_at`, then `slug`) keep their points; the rest
count 0 (their activity counts are unchanged). Aggregates, leaderboards, badge history and the
public DB's `effective_points` column all go through the functions here, so numbers agree.

This module knows nothing about the query layer: SQL is returned as text built from the caller's
table aliases and a caller-supplied local-date expression.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

from leaderboard.timeutil import local_date

DailyCaps = Mapping[str, int]


def effective_points(points: int | None, definition_points: int | None) -> int:
    """The uncapped effective points of one activity (an explicit 0 wins over the definition)."""
    if points is not None:
        return int(points)
    if definition_points is not None:
        return int(definition_points)
    return 0


def effective_points_sql(activity: str = "a", definition: str = "d") -> str:
    """SQL for the uncapped effective points, given the activity and definition table aliases."""
    return f"COALESCE({activity}.points, {definition}.points, 0)"


def sql_literal(text: str) -> str:
    """A single-quoted SQL string literal (quotes doubled); used for values known at build time."""
    return "'" + text.replace("'", "''") + "'"


def capped_points_sql(
    caps: DailyCaps, local_date_expr: str, activity: str = "a", definition: str = "d"
) -> str:
    """SQL (a window expression) for capped effective points; needs the full local days in scope.

    The expression numbers each contributor's activities of a capped definition per local date
    and zeroes those past the cap. The enclosing query must see every activity of the days it
    scores (not just those inside a window), otherwise the numbering starts too late.
    """
    base = effective_points_sql(activity, definition)
    if not caps:
        return base
    whens = " ".join(
        f"WHEN {sql_literal(slug)} THEN {int(limit)}" for slug, limit in sorted(caps.items())
    )
    cap = f"(CASE {activity}.activity_definition {whens} END)"
    position = (
        f"ROW_NUMBER() OVER (PARTITION BY {activity}.contributor, {activity}.activity_definition, "
        f"{local_date_expr} ORDER BY {activity}.occurred_at, {activity}.slug)"
    )
    return f"(CASE WHEN {cap} IS NOT NULL AND {position} > {cap} THEN 0 ELSE {base} END)"


def check_daily_caps(caps: Mapping[str, Any]) -> dict[str, int]:
    """Validate a `scoring.daily_caps` mapping: slug → integer ≥ 0; raises ValueError otherwise."""
    checked: dict[str, int] = {}
    for slug, limit in caps.items():
        if not isinstance(slug, str) or not slug:
            raise ValueError("daily cap keys must be activity definition slugs")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(f"daily cap for '{slug}' must be an integer >= 0 (got {limit!r})")
        checked[slug] = limit
    return checked


def apply_daily_caps(
    activities: Iterable[Mapping[str, Any]], caps: DailyCaps, tz: tzinfo
) -> dict[str, int]:
    """Capped effective points per activity slug, for rows already carrying effective `points`.

    Rows need `slug`, `contributor`, `activity_definition`, `occurred_at` (canonical) and
    `points` (uncapped effective points). Pass every activity of the days concerned.
    """
    rows = sorted(activities, key=lambda r: (r["occurred_at"], r["slug"]))
    seen: dict[tuple[str, str, Any], int] = {}
    result: dict[str, int] = {}
    for row in rows:
        points = int(row["points"] or 0)
        limit = caps.get(row["activity_definition"])
        if limit is not None:
            key = (
                row["contributor"],
                row["activity_definition"],
                local_date(row["occurred_at"], tz),
            )
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > limit:
                points = 0
        result[row["slug"]] = points
    return result
