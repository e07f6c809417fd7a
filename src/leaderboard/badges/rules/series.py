"""History-derivable aggregates (CORE-68): running series and the date a level is first reached.

Only four standard aggregates can be replayed from activities; every other aggregate (plugin
values, per-definition counts of unknown definitions, values from files) is not derivable and
rules fall back to today.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from leaderboard.badges.history import History

_PER_DEFINITION = "activity_count:"
_DERIVABLE = ("activity_count", "total_activity_points", "active_days")


def is_derivable(aggregate_slug: str) -> bool:
    """True for `activity_count`, `activity_count:<def>`, `total_activity_points`, `active_days`."""
    return aggregate_slug in _DERIVABLE or (
        aggregate_slug.startswith(_PER_DEFINITION) and len(aggregate_slug) > len(_PER_DEFINITION)
    )


def running_series(aggregate_slug: str, history: History) -> Iterator[tuple[date, float]]:
    """(date, value after this activity) for each activity that changes the series."""
    if aggregate_slug == "activity_count":
        for n, item in enumerate(history.items, 1):
            yield item.date, n
    elif aggregate_slug == "total_activity_points":
        total = 0
        for item in history.items:
            total += item.points
            yield item.date, total
    elif aggregate_slug == "active_days":
        seen: set[date] = set()
        for item in history.items:
            if item.date not in seen:
                seen.add(item.date)
                yield item.date, len(seen)
    elif aggregate_slug.startswith(_PER_DEFINITION):
        wanted = aggregate_slug[len(_PER_DEFINITION) :]
        n = 0
        for item in history.items:
            if item.definition == wanted:
                n += 1
                yield item.date, n
    else:
        raise ValueError(f"aggregate '{aggregate_slug}' is not history-derivable")


def crossing_date(
    aggregate_slug: str, history: History, level: float, *, strict: bool = False
) -> date | None:
    """The date of the first activity at which the series reaches `level` (`>` when strict).

    None when the aggregate is not derivable or the series never gets there (for instance
    when the stored value came from a file).
    """
    if not is_derivable(aggregate_slug):
        return None
    for day, value in running_series(aggregate_slug, history):
        if value > level or (not strict and value == level):
            return day
    return None
