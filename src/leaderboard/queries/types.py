"""Result types of the query layer: day series and leaderboard entries (CORE-75, CORE-76).

Dataclasses rather than dicts so the site, the JSON API and the MCP server read the same named
fields; `to_dict()` gives the JSON-ready form with keys in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from typing import Any

from leaderboard.population import Population
from leaderboard.timeutil import date_text, local_date


def day_range(start: str, end: str, tz: tzinfo) -> list[str]:
    """Every calendar date in tz from the date of `start` to the date of `end`, inclusive."""
    first, last = local_date(start, tz), local_date(end, tz)
    return [date_text(first + timedelta(days=i)) for i in range((last - first).days + 1)]


@dataclass(slots=True)
class ContributorTotals:
    """One contributor's totals up to an instant (`activities.totals_by_contributor`)."""

    points: int = 0
    activity_count: int = 0
    active_days: int = 0  # distinct local dates (tz)
    first_activity_at: str | None = None
    last_activity_at: str | None = None


@dataclass(slots=True)
class DaySeries:
    """Counts and points per date; `dates` (and the index) are shared by one leaderboard's series."""

    dates: list[str]
    counts: list[int]
    points: list[int]
    index: dict[str, int] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def zeros(cls, dates: list[str], index: dict[str, int] | None = None) -> DaySeries:
        n = len(dates)
        idx = index if index is not None else {d: i for i, d in enumerate(dates)}
        return cls(dates, [0] * n, [0] * n, idx)

    def add(self, day: str, count: int, points: int) -> None:
        i = self.index.get(day)
        if i is not None:
            self.counts[i] += count
            self.points[i] += points

    def to_dict(self) -> dict[str, Any]:
        return {"dates": list(self.dates), "counts": list(self.counts), "points": list(self.points)}


@dataclass(slots=True)
class LeaderboardEntry:
    """One ranked contributor of a window (CORE-76)."""

    rank: int
    username: str
    name: str | None
    avatar_url: str | None
    role: str
    is_bot: bool
    points: int
    activity_count: int
    breakdown: dict[str, dict[str, int]]  # slug → {"count", "points"}, slugs in byte order
    daily: DaySeries | None = None
    previous_points: int | None = None
    previous_rank: int | None = None
    rank_change: str | None = None  # up | down | same | new | back; None without previous window
    rank_delta: int | None = None  # previous_rank − rank (positive = moved up)
    is_new: bool = False  # first-ever activity lies inside the window

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "username": self.username,
            "name": self.name,
            "avatar_url": self.avatar_url,
            "role": self.role,
            "is_bot": self.is_bot,
            "points": self.points,
            "activity_count": self.activity_count,
            "breakdown": {k: dict(v) for k, v in self.breakdown.items()},
            "daily": None if self.daily is None else self.daily.to_dict(),
            "previous_points": self.previous_points,
            "previous_rank": self.previous_rank,
            "rank_change": self.rank_change,
            "rank_delta": self.rank_delta,
            "is_new": self.is_new,
        }


@dataclass(slots=True)
class Leaderboard:
    """A period's leaderboard: its windows, entries in rank order and new contributors."""

    period: str | None
    start: str | None
    end: str
    previous_start: str | None
    previous_end: str | None
    population: Population
    entries: list[LeaderboardEntry]
    dates: list[str]
    new_contributors: list[str]  # usernames, rank order

    def entry(self, username: str) -> LeaderboardEntry | None:
        """The entry of a username (any ASCII case), or None."""
        from leaderboard.queries.rows import ascii_lower

        key = ascii_lower(username)
        return next((e for e in self.entries if ascii_lower(e.username) == key), None)
