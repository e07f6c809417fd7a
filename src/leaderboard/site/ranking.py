"""Leaderboard entries (CORE-76) and the shared per-window statistics the pages show (CORE-77).

Pure functions over a `Snapshot`: given a window and a population they return ranked entries with
day series, per-definition breakdowns and rank changes against the previous window.

The ranking *rules* (order, positions, rank changes, username order) are the query layer's
(`leaderboard.queries.ranking`); this module only sums the in-memory activity log instead of
running SQL, because the pages need every window of every population and the lazy day series
(`DaySeries`) keep an all-time board within the memory budget (CORE-80). The site's only
difference is WEB-63: a contributor with 0 points in a window is not listed. That the two give
the same entries is a contract test (`tests/site/test_one_query_layer.py`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from leaderboard.queries.ranking import order, rank_change, ranks
from leaderboard.queries.rows import username_key
from leaderboard.site.activitylog import ActivityLog, instant_ms
from leaderboard.site.snapshot import Person, Snapshot
from leaderboard.timeutil import Window, canonical, period_window, start_of_day

Population = Callable[[Person], bool]


def ranked(p: Person) -> bool:
    return p.ranked


def bots(p: Person) -> bool:
    return p.is_bot


@dataclass(frozen=True, slots=True)
class DaySeries:
    """One contributor's points and activity count per day of a window, computed when asked.

    Held as a reference into the activity log, not as lists: an all-time board of 15,000 rows
    over 2,800 days would otherwise keep 84 million list slots alive (CORE-80)."""

    log: ActivityLog
    username: str
    span: range  # log positions of the window
    first: int  # ordinal of the series' first day
    length: int

    def _positions(self) -> list[int]:
        positions = self.log.of(self.username)
        lo = bisect_left(positions, self.span.start)
        hi = bisect_left(positions, self.span.stop)
        return list(positions[lo:hi])

    def points(self) -> list[int]:
        return self._series(self.log.points)

    def counts(self) -> list[int]:
        return self._series(None)

    def _series(self, weights: Sequence[int] | None) -> list[int]:
        out = [0] * self.length
        day, first, length = self.log.day, self.first, self.length
        for i in self._positions():
            j = day[i] - first
            if 0 <= j < length:
                out[j] += 1 if weights is None else weights[i]
        return out


@dataclass
class Entry:
    person: Person
    rank: int
    points: int
    activity_count: int
    breakdown: dict[str, tuple[int, int]]  # slug → (count, points), slug order
    series: DaySeries | None = None
    previous_points: int | None = None
    previous_rank: int | None = None
    rank_change: str | None = None  # up | down | same | new | back
    rank_delta: int | None = None
    is_new: bool = False  # first-ever activity inside the window

    @property
    def daily_points(self) -> list[int]:
        """Points per day of the window (empty without a day series); a new list each call."""
        return self.series.points() if self.series is not None else []

    @property
    def daily_counts(self) -> list[int]:
        return self.series.counts() if self.series is not None else []


@dataclass(frozen=True)
class Standings:
    """A board reduced to what a profile shows of it: its size and each row's (rank, points).

    Profiles look themselves up in four boards; whole entries (with breakdowns) would be held
    by the parent and counted again by every forked renderer (CORE-80)."""

    size: int
    places: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, rows: list[Entry]) -> Standings:
        places: dict[str, tuple[int, int]] = {}
        for e in rows:
            places.setdefault(e.person.username, (e.rank, e.points))
        return cls(len(rows), places)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def members(snap: Snapshot, population: Population) -> list[bool]:
    """Population membership by person index of the activity log."""
    people = snap.people
    return [population(people[u]) for u in snap.log.names]


def _sums(
    log: ActivityLog, span: range, member: list[bool]
) -> tuple[list[int], list[int], dict[int, list[int]]]:
    """(points, counts) by person index and {person × kinds + kind: [count, points]} over a span."""
    n, kinds = len(log.names), len(log.kinds)
    totals = [0] * n
    counts = [0] * n
    per_kind: dict[int, list[int]] = {}
    lo, hi = span.start, span.stop
    for w, k, p in zip(log.who[lo:hi], log.kind[lo:hi], log.points[lo:hi], strict=True):
        if member[w]:
            totals[w] += p
            counts[w] += 1
            key = w * kinds + k
            item = per_kind.get(key)
            if item is None:
                per_kind[key] = [1, p]
            else:
                item[0] += 1
                item[1] += p
    return totals, counts, per_kind


def activity_stats(snap: Snapshot, span: range, population: Population) -> tuple[int, int]:
    """(activities, distinct contributors) of the population within a span of the log."""
    member = members(snap, population)
    seen = [False] * len(member)
    count = 0
    for w in snap.log.who[span.start : span.stop]:
        if member[w]:
            count += 1
            seen[w] = True
    return count, sum(seen)


def _window_totals(log: ActivityLog, span: range, member: list[bool]) -> dict[str, int]:
    totals = [0] * len(log.names)
    active = [False] * len(log.names)
    lo, hi = span.start, span.stop
    for w, p in zip(log.who[lo:hi], log.points[lo:hi], strict=True):
        if member[w]:
            totals[w] += p
            active[w] = True
    return {u: totals[i] for i, u in enumerate(log.names) if active[i] and totals[i] > 0}


def entries(
    snap: Snapshot,
    window: Window,
    population: Population,
    *,
    with_daily: bool = True,
) -> list[Entry]:
    """CORE-76 `entries(start, end, population)`, with previous-window fields when there is one."""
    log = snap.log
    start = window.start_text
    span = log.span(start, window.end_text)
    member = members(snap, population)
    sums, counts, per_kind = _sums(log, span, member)
    names, kinds = log.names, log.kinds
    # 0 points in the window: not ranked (WEB-63; a 0-point row only showed a red "-100%")
    totals = {u: sums[i] for i, u in enumerate(names) if counts[i] and sums[i] > 0}
    breakdowns: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    for key, (count, pts) in per_kind.items():
        w, k = divmod(key, len(kinds))
        breakdowns.setdefault(names[w], []).append((kinds[k], (count, pts)))
    first_day = length = 0
    if with_daily:
        # all-time: from the population's first active date, as the query layer does
        if window.start:
            first = window.start.astimezone(snap.tz).date()
        else:
            at = next((i for i in span if member[log.who[i]]), None)
            first = date.fromordinal(log.day[at]) if at is not None else snap.today
        first_day = first.toordinal()
        length = max(window.end.astimezone(snap.tz).date().toordinal() - first_day + 1, 0)
    prev_rank: dict[str, int] = {}
    prev_points: dict[str, int] = {}
    if window.previous_start is not None and window.previous_end is not None:
        prev = log.span(
            canonical(window.previous_start), canonical(window.previous_end), end_inclusive=False
        )
        prev_points = _window_totals(log, prev, member)
        prev_rank = ranks(prev_points)
    start_ms = instant_ms(start) if start is not None else None
    result: list[Entry] = []
    for rank, username in enumerate(order(totals), start=1):
        first_pos = log.first(username)
        is_new = first_pos is not None and (start_ms is None or log.at[first_pos] >= start_ms)
        entry = Entry(
            person=snap.people[username],
            rank=rank,
            points=totals[username],
            activity_count=counts[log.index[username]],
            breakdown=dict(sorted(breakdowns[username])),
            series=DaySeries(log, username, span, first_day, length) if with_daily else None,
            is_new=is_new,
        )
        if window.previous_start is not None:
            entry.previous_points = prev_points.get(username)
            entry.previous_rank = prev_rank.get(username)
            entry.rank_change, entry.rank_delta = rank_change(rank, entry.previous_rank, not is_new)
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
    log = snap.log
    lo = instant_ms(start) if start is not None else None
    hi = instant_ms(end)
    count = 0
    for username in log.names:
        pos = log.first(username)
        if pos is None:
            continue
        first = log.at[pos]
        inside = (lo is None or first >= lo) and (first <= hi if end_inclusive else first < hi)
        if inside and population(snap.people[username]):
            count += 1
    return count


@dataclass(frozen=True)
class ThirtyDays:
    """The one "last 30 days" of the site (home KPIs, trend, donut, mosaic agree on it).

    The 30 local dates ending today — or yesterday while today has no activity yet: the data is
    usually scraped once a day, and a day that has barely begun is not a day with 0 activities
    (the trend used to drop to 0 on its last point). `days` are the dates; `cur` and `prev` the
    log positions of ranked activities in the window and in the 30 days before it."""

    days: list[date]
    cur: list[int]
    prev: list[int]


def thirty_days(snap: Snapshot) -> ThirtyDays:
    log = snap.log
    member = members(snap, ranked)
    today = snap.today
    now_text = canonical(snap.now)
    midnight = canonical(start_of_day(today, snap.tz))
    today_active = any(member[log.who[i]] for i in log.span(midnight, now_text))
    last = today if today_active else today - timedelta(days=1)
    end = now_text if today_active else midnight
    first = last - timedelta(days=29)
    start = canonical(start_of_day(first, snap.tz))
    before = canonical(start_of_day(first - timedelta(days=30), snap.tz))
    span = log.span(start, end, end_inclusive=today_active)
    cur = [i for i in span if member[log.who[i]]]
    prev = [i for i in log.span(before, start, end_inclusive=False) if member[log.who[i]]]
    return ThirtyDays(days_between(first, last), cur, prev)


def window(snap: Snapshot, period: str) -> Window:
    return period_window(period, snap.now, snap.tz)


def top_for_definition(
    snap: Snapshot, span: range, slug: str, population: Population, limit: int
) -> list[tuple[Person, int, int]]:
    """CORE-77: top contributors for one definition, by count desc, points desc, username."""
    log = snap.log
    if slug not in log.kinds:
        return []
    k = log.kinds.index(slug)
    member = members(snap, population)
    counts: dict[int, list[int]] = {}
    lo, hi = span.start, span.stop
    for w, kind, p in zip(log.who[lo:hi], log.kind[lo:hi], log.points[lo:hi], strict=True):
        if kind == k and member[w]:
            c = counts.get(w)
            if c is None:
                counts[w] = [1, p]
            else:
                c[0] += 1
                c[1] += p
    by_name = {log.names[w]: c for w, c in counts.items()}
    top = sorted(by_name, key=lambda u: (-by_name[u][0], -by_name[u][1], *username_key(u)))
    return [(snap.people[u], by_name[u][0], by_name[u][1]) for u in top[:limit]]
