"""History-derivable aggregates (CORE-68): the date a level is first reached.

Only four standard aggregates can be replayed from activities; every other aggregate (plugin
values, values from files) is not derivable and rules fall back to today. The running series
are never materialised: counts reach a level at a known position, so only points (which may be
negative) need a walk.
"""

from __future__ import annotations

from datetime import date
from itertools import accumulate, compress, islice, repeat
from operator import eq

from leaderboard.aggregates.snapshot import Kind, Timeline
from leaderboard.badges.rules.common import RuleEnv, steps_to_reach

_PER_DEFINITION = "activity_count:"
_DERIVABLE = ("activity_count", "total_activity_points", "active_days")


def is_derivable(aggregate_slug: str) -> bool:
    """True for `activity_count`, `activity_count:<def>`, `total_activity_points`, `active_days`."""
    return aggregate_slug in _DERIVABLE or (
        aggregate_slug.startswith(_PER_DEFINITION) and len(aggregate_slug) > len(_PER_DEFINITION)
    )


def _nth_of_kind(timeline: Timeline, key: Kind, n: int) -> int | None:
    """The day of the n-th activity of one definition (n ≥ 1), or None."""
    matching = compress(timeline.days, map(eq, timeline.kinds, repeat(key)))
    return next(islice(matching, n - 1, None), None)


def crossing_date(
    aggregate_slug: str, timeline: Timeline, level: float, env: RuleEnv, *, strict: bool = False
) -> date | None:
    """The date of the first activity at which the aggregate reaches `level` (`>` when strict).

    None when the aggregate is not derivable or the series never gets there (for instance
    when the stored value came from a file).
    """
    day: int | None = None
    if aggregate_slug == "total_activity_points":
        for i, total in enumerate(accumulate(timeline.points)):
            if total > level or (not strict and total == level):
                day = timeline.days[i]
                break
    elif is_derivable(aggregate_slug):
        n = steps_to_reach(level, strict=strict)
        if n is None:
            return None
        if aggregate_slug == "activity_count":
            day = timeline.days[n - 1] if n <= len(timeline) else None
        elif aggregate_slug == "active_days":
            unique = timeline.unique_days
            day = unique[n - 1] if n <= len(unique) else None
        else:
            day = _nth_of_kind(timeline, env.key(aggregate_slug[len(_PER_DEFINITION) :]), n)
    return None if day is None else date.fromordinal(day)
