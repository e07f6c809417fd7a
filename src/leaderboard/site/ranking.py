"""Leaderboard entries (CORE-76) and the shared per-window statistics the pages show (CORE-77).

Pure functions over a `Snapshot`: given a window and a population they return ranked entries with
day series, per-definition breakdowns and rank changes against the previous window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from leaderboard.site.snapshot import Act, Person, Snapshot
from leaderboard.timeutil import Window, canonical, period_window
from leaderboard.usernames import ascii_lower

Population = Callable[[Person], bool]


def ranked(p: Person) -> bool:
    return p.ranked


def bots(p: Person) -> bool:
    return p.is_bot


def sort_key(username: str) -> tuple[str, str]:
    """Username order: ASCII-case-insensitive, then byte order (CORE-76)."""
    return (ascii_lower(username), username)


@dataclass
class Entry:
    person: Person
    rank: int
    points: int
    activity_count: int
    breakdown: dict[str, tuple[int, int]]  # slug → (count, points), slug order
    daily_points: list[int] = field(default_factory=list)
    daily_counts: list[int] = field(default_factory=list)
    previous_points: int | None = None
    previous_rank: int | None = None
    rank_change: str | None = None  # up | down | same | new | back
    rank_delta: int | None = None
    is_new: bool = False  # first-ever activity inside the window


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _tally(acts: Iterable[Act], population: Population, snap: Snapshot) -> dict[str, list[Act]]:
    grouped: dict[str, list[Act]] = {}
    for act in acts:
        person = snap.people[act.contributor]
        if population(person):
            grouped.setdefault(act.contributor, []).append(act)
    return grouped


def _order(totals: dict[str, int]) -> list[str]:
    return sorted(totals, key=lambda u: (-totals[u], *sort_key(u)))


def entries(
    snap: Snapshot,
    window: Window,
    population: Population,
    *,
    with_daily: bool = True,
) -> list[Entry]:
    """CORE-76 `entries(start, end, population)`, with previous-window fields when there is one."""
    start = window.start_text
    acts = snap.between(start, window.end_text)
    grouped = _tally(acts, population, snap)
    totals = {u: sum(a.points for a in lst) for u, lst in grouped.items()}
    days: list[date] = []
    if with_daily:
        # all-time: from the population's first active date, as the query layer does
        first_day = (
            window.start.astimezone(snap.tz).date()
            if window.start
            else min((lst[0].day for lst in grouped.values()), default=snap.today)
        )
        days = days_between(first_day, window.end.astimezone(snap.tz).date())
    index = {d: i for i, d in enumerate(days)}
    prev_rank: dict[str, int] = {}
    prev_points: dict[str, int] = {}
    if window.previous_start is not None and window.previous_end is not None:
        prev = snap.between(
            canonical(window.previous_start), canonical(window.previous_end), end_inclusive=False
        )
        prev_grouped = _tally(prev, population, snap)
        prev_points = {u: sum(a.points for a in lst) for u, lst in prev_grouped.items()}
        prev_rank = {u: i + 1 for i, u in enumerate(_order(prev_points))}
    result: list[Entry] = []
    for rank, username in enumerate(_order(totals), start=1):
        lst = grouped[username]
        breakdown: dict[str, list[int]] = {}
        dp = [0] * len(days)
        dc = [0] * len(days)
        for act in lst:
            b = breakdown.setdefault(act.definition, [0, 0])
            b[0] += 1
            b[1] += act.points
            i = index.get(act.day)
            if i is not None:
                dp[i] += act.points
                dc[i] += 1
        first = snap.first_activity(username)
        is_new = first is not None and (start is None or first.occurred_at >= start)
        entry = Entry(
            person=snap.people[username],
            rank=rank,
            points=totals[username],
            activity_count=len(lst),
            breakdown={k: (v[0], v[1]) for k, v in sorted(breakdown.items())},
            daily_points=dp,
            daily_counts=dc,
            is_new=is_new,
        )
        if window.previous_start is not None:
            entry.previous_points = prev_points.get(username)
            entry.previous_rank = prev_rank.get(username)
            if entry.previous_rank is None:
                entry.rank_change = "new" if is_new else "back"
            else:
                entry.rank_delta = entry.previous_rank - rank
                entry.rank_change = (
                    "up" if entry.rank_delta > 0 else "down" if entry.rank_delta < 0 else "same"
                )
        result.append(entry)
    return result


def new_contributors(
    snap: Snapshot,
    start: str | None,
    end: str,
    population: Population,
    *,
    end_inclusive: bool = True,
) -> int:
    """Contributors of the population whose first-ever activity lies in the window."""
    count = 0
    for username, acts in snap.by_person.items():
        first = acts[0].occurred_at
        inside = (start is None or first >= start) and (
            first <= end if end_inclusive else first < end
        )
        if inside and population(snap.people[username]):
            count += 1
    return count


def window(snap: Snapshot, period: str) -> Window:
    return period_window(period, snap.now, snap.tz)


def top_for_definition(
    snap: Snapshot, acts: list[Act], slug: str, population: Population, limit: int
) -> list[tuple[Person, int, int]]:
    """CORE-77: top contributors for one definition, by count desc, points desc, username."""
    counts: dict[str, list[int]] = {}
    for act in acts:
        if act.definition == slug and population(snap.people[act.contributor]):
            c = counts.setdefault(act.contributor, [0, 0])
            c[0] += 1
            c[1] += act.points
    order = sorted(counts, key=lambda u: (-counts[u][0], -counts[u][1], *sort_key(u)))
    return [(snap.people[u], counts[u][0], counts[u][1]) for u in order[:limit]]
