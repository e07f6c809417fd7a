"""The activity snapshot aggregation and badge rules read: one sorted query (CORE-58, CORE-80).

Every activity is read once, ordered by (contributor, occurred_at, slug), with its effective
points and its local date computed inside SQLite, and stored column by column per contributor
(`Timeline`). Columns instead of one object per activity keep reading 130,000 rows cheap: the
definition comes back as a small integer and the date as a day number, so most cells are
shared small ints rather than new objects. Daily caps (NEW-25) are applied in the same walk,
since that order is exactly the cap order. Rows whose `occurred_at` is not canonical (an
upstream value migration could not parse, CORE-35) are left out: they have no instant, and
`validate`/`doctor` report them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from itertools import groupby
from operator import itemgetter

from leaderboard.db import Database
from leaderboard.points import effective_points_sql
from leaderboard.queries.localdate import exact_span, local_ordinal_sql, ordinal_span
from leaderboard.timeutil import local_date

# A definition is read as the rowid of its activity_definition row; an activity whose
# definition row is missing keeps its slug text, which then simply never equals a known key.
Kind = int | str

# The shape of a canonical instant (24 characters, `-`, `T`, `.` and `Z` in place): one GLOB
# instead of five string functions per row (0.2 s less of 2.4 s for 1,300,000 rows at 10x).
_CANONICAL = "typeof(a.occurred_at) = 'text' AND a.occurred_at GLOB '????-?????T????????.???Z'"
_ORDER = " ORDER BY a.contributor, a.occurred_at, a.slug"
# Read the table in storage order and sort once: walking the contributor index instead visits
# the table pages at random whenever rows are not stored contributor by contributor (the
# importer stores them by slug), which costs half again as much at 1× and more at 10×.
_ACTIVITY = "activity a NOT INDEXED"


@dataclass(slots=True)
class Timeline:
    """One contributor's activities in (occurred_at, slug) order, one list per column.

    `times` are canonical instants, `kinds` definition keys (see `ActivitySnapshot.key`),
    `points` effective (capped) points and `days` local date ordinals (`date.toordinal()`),
    non-decreasing because the times are sorted.
    """

    username: str
    times: Sequence[str]
    kinds: Sequence[Kind]
    points: Sequence[int]
    days: Sequence[int]
    _unique_days: list[int] | None = field(default=None, repr=False)
    _kind_set: frozenset[Kind] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.times)

    @property
    def unique_days(self) -> list[int]:
        """The distinct day ordinals, ascending (computed once)."""
        if self._unique_days is None:
            self._unique_days = sorted(set(self.days))
        return self._unique_days

    @property
    def kind_set(self) -> frozenset[Kind]:
        """The distinct definition keys (computed once)."""
        if self._kind_set is None:
            self._kind_set = frozenset(self.kinds)
        return self._kind_set

    def until(self, instant: str) -> Timeline:
        """The activities at or before the canonical `instant` (self when that is all)."""
        if not self.times or self.times[-1] <= instant:
            return self
        n = bisect_right(self.times, instant)
        return Timeline(
            self.username, self.times[:n], self.kinds[:n], self.points[:n], self.days[:n]
        )

    def window(self, start: str, end: str, *, include_end: bool) -> slice:
        """Positions of the activities in [start, end] (or [start, end) without include_end)."""
        lo = bisect_left(self.times, start)
        hi = bisect_right(self.times, end) if include_end else bisect_left(self.times, end)
        return slice(lo, max(lo, hi))


@dataclass(slots=True)
class ActivitySnapshot:
    """Every activity, grouped by contributor (in contributor order), as of one DB state."""

    timelines: dict[str, Timeline]
    definitions: dict[str, Kind]  # definition slug → its key in `Timeline.kinds`
    total: int  # number of activities

    def key(self, definition: str) -> Kind:
        """The `kinds` value of activities of `definition` (the slug itself when unknown)."""
        return self.definitions.get(definition, definition)

    def until(self, instant: str) -> dict[str, Timeline]:
        """Each contributor's timeline cut at the canonical `instant` (CORE-12: nothing after now)."""
        return {who: t.until(instant) for who, t in self.timelines.items()}


def load_snapshot(
    db: Database, *, tz: tzinfo, daily_caps: Mapping[str, int] | None = None
) -> ActivitySnapshot:
    """Read every activity once (see the module docstring); caps need `tz`, which dates use."""
    definitions: dict[str, Kind] = {
        str(slug): int(rowid)
        for rowid, slug in db.execute("SELECT rowid, slug FROM activity_definition")
    }
    span = ordinal_span(
        *db.execute("SELECT min(occurred_at), max(occurred_at) FROM activity").fetchone()
    )
    sql = (
        "SELECT a.contributor, a.occurred_at, COALESCE(d.rowid, a.activity_definition), "
        f"CAST({effective_points_sql('a', 'd')} AS INTEGER), "
        f"{local_ordinal_sql('a.occurred_at', tz, span)} FROM {_ACTIVITY} "
        f"LEFT JOIN activity_definition d ON d.slug = a.activity_definition WHERE {_CANONICAL}"
        + _ORDER
    )
    timelines: dict[str, Timeline] = {}
    # Streamed: only one contributor's rows exist as row tuples at a time.
    for who, group in groupby(db.execute(sql), itemgetter(0)):
        _, times, kinds, points, days = zip(*group, strict=True)
        timelines[who] = Timeline(who, times, kinds, points, days)
    _fix_days_outside_span(timelines, tz, exact_span(span))
    if daily_caps:
        keys = {definitions[s]: n for s, n in daily_caps.items() if s in definitions}
        keys.update({s: n for s, n in daily_caps.items() if s not in definitions})
        for timeline in timelines.values():
            _apply_caps(timeline, keys)
    total = sum(len(t) for t in timelines.values())
    return ActivitySnapshot(timelines, definitions, total)


def _fix_days_outside_span(
    timelines: dict[str, Timeline], tz: tzinfo, span: tuple[str, str]
) -> None:
    """SQLite's dates are exact within `span`; convert instants outside it one by one."""
    first, last = span
    for timeline in timelines.values():
        times = timeline.times
        if times[0] >= first and times[-1] < last:
            continue
        timeline.days = tuple(
            d if first <= t < last else local_date(t, tz).toordinal()
            for t, d in zip(times, timeline.days, strict=True)
        )


def _apply_caps(timeline: Timeline, caps: Mapping[Kind, int]) -> None:
    """NEW-25: per capped definition and local day only the first N activities keep points."""
    seen: dict[tuple[Kind, int], int] = {}
    points = list(timeline.points)
    changed = False
    for i, (kind, day) in enumerate(zip(timeline.kinds, timeline.days, strict=True)):
        limit = caps.get(kind)
        if limit is None:
            continue
        n = seen.get((kind, day), 0) + 1
        seen[(kind, day)] = n
        if n > limit and points[i] != 0:
            points[i] = 0
            changed = True
    if changed:
        timeline.points = tuple(points)


def points_by_slug(db: Database, snapshot: ActivitySnapshot) -> dict[str, int]:
    """Activity slug → effective (capped) points, for the full rows custom rules receive.

    Slugs are read in snapshot order, so they line up with the timelines concatenated; the
    caller reads them in the same transaction as the snapshot.
    """
    sql = f"SELECT a.slug FROM {_ACTIVITY} WHERE {_CANONICAL}" + _ORDER
    slugs = [s for (s,) in db.execute(sql)]
    points = [p for t in snapshot.timelines.values() for p in t.points]
    if len(slugs) != len(points):
        raise RuntimeError("activities changed while badges were evaluated")
    return dict(zip(slugs, points, strict=True))
