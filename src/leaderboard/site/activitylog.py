"""`ActivityLog`: every published activity as a few columns of machine integers (CORE-80).

At 1.3 million activities one Python object per activity (with its slug, title, link and text
strings) took about 0.9 GB, and every forked render process counted those pages again. The
site only needs, for rankings, charts and totals, who did what kind of thing on which local day
for how many points, and when: six `array` columns, 36 bytes an activity. The strings a page
shows (timeline items, recent activity) are read back from the public DB by row key for the few
activities on that page (`details`), by a connection of the process asking, so forked workers
never share a SQLite connection.

Positions are in (occurred_at, slug) order; `span` finds a time window by bisection, `of` gives a
contributor's positions (oldest first) from a counting sort, so nothing scans per contributor.
"""

from __future__ import annotations

import json
import os
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from leaderboard.db.database import Database
from leaderboard.publicdb import keyed_activities
from leaderboard.queries.localdate import transitions
from leaderboard.timeutil import from_canonical

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TRANSITIONS_END = "2100-01-01T00:00:00.000Z"  # queries.localdate probes zones up to here
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_DAY_MS = 86_400_000
# instant_ms in SQL: whole seconds from SQLite's date functions plus the text's milliseconds
_MS_SQL = (
    "CAST(strftime('%s', a.occurred_at) AS INTEGER) * 1000 "
    "+ CAST(substr(a.occurred_at, 21, 3) AS INTEGER)"
)


@dataclass(slots=True)
class Act:
    """One activity with its strings, as a page shows it (built on demand by `details`)."""

    slug: str
    contributor: str
    definition: str
    title: str | None
    occurred_at: str
    link: str | None
    text: str | None
    points: int
    day: date


def instant_ms(text: str) -> int:
    """Milliseconds since 1970 of a canonical timestamp (`YYYY-MM-DDTHH:MM:SS.sssZ`).

    Integer order equals the canonical text order, so windows bisect the `at` column."""
    delta = from_canonical(text) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


class LocalDays:
    """Calendar day in tz of an instant in ms, from the zone's offset changes (the same table
    the query layer's SQL uses), without a datetime object or a cache entry per activity."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        items = transitions(tz)
        self.starts = [instant_ms(at) for at, _ in items]
        self.offsets = [offset * 1000 for _, offset in items]
        self.end = instant_ms(_TRANSITIONS_END)

    def ordinal(self, ms: int) -> int:
        """`date.toordinal()` of the local date of the instant `ms`."""
        if self.starts[0] <= ms < self.end:
            offset = self.offsets[bisect_right(self.starts, ms) - 1]
            return (ms + offset) // _DAY_MS + _EPOCH_ORDINAL
        instant = _EPOCH + timedelta(milliseconds=ms)  # outside the probed years: ask the zone
        return instant.astimezone(self.tz).date().toordinal()


class ActivityLog:
    """Columns of the activities at or before `now` of the listed contributors."""

    def __init__(self, names: list[str], kinds: list[str], db: Database | None = None) -> None:
        self.names = names  # person index → username (the snapshot's people order)
        self.index = {u: i for i, u in enumerate(names)}
        self.kinds = kinds  # definition index → slug
        self.who = array("i")  # person index
        self.kind = array("i")  # definition index
        self.points = array("q")  # effective points
        self.day = array("i")  # local calendar day in tz, `date.toordinal()`
        self.at = array("q")  # instant_ms(occurred_at)
        self.rowid = array("q")  # key in the DB it was loaded from (`publicdb.keyed_activities`)
        self._order = array("i")  # positions grouped by person, oldest first within one
        self._starts = array("i", [0] * (len(names) + 1))
        self._db = db
        self._pid = os.getpid()
        self._own: tuple[int, Database] | None = None

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def load(
        cls, db: Database, names: list[str], kinds: list[str], points_sql: str, now_text: str,
        tz: tzinfo,
    ) -> ActivityLog:  # fmt: skip
        """One ordered query over the activity table; rows of unlisted contributors are dropped."""
        log = cls(names, list(kinds), db)
        kind_index = {k: i for i, k in enumerate(log.kinds)}
        person = log.index
        local = LocalDays(tz)
        who, kind, points, day, at, rowid = (
            log.who, log.kind, log.points, log.day, log.at, log.rowid
        )  # fmt: skip
        cur = db.execute(
            f"SELECT a.key, a.contributor, a.activity_definition, {_MS_SQL}, {points_sql} "
            f"FROM {keyed_activities(db)} a "
            "LEFT JOIN activity_definition d ON d.slug = a.activity_definition "
            "WHERE a.occurred_at <= ? ORDER BY a.occurred_at, a.slug",
            (now_text,),
        )
        for rid, contributor, definition, ms, pts in cur:
            w = person.get(contributor)
            if w is None:
                continue
            k = kind_index.get(definition)
            if k is None:  # a definition the table does not list (working-schema DBs)
                k = kind_index[definition] = len(log.kinds)
                log.kinds.append(definition)
            who.append(w)
            kind.append(k)
            points.append(int(pts or 0))
            day.append(local.ordinal(ms))
            at.append(ms)
            rowid.append(rid)
        log._group()
        return log

    def _group(self) -> None:
        """Counting sort of positions by person (stable, so oldest first within a person)."""
        counts = [0] * len(self.names)
        for w in self.who:
            counts[w] += 1
        starts = self._starts
        total = 0
        for i, c in enumerate(counts):
            starts[i] = total
            total += c
        starts[len(counts)] = total
        nxt = list(starts[: len(counts)])
        order = array("i", bytes(4 * total))
        for pos, w in enumerate(self.who):
            order[nxt[w]] = pos
            nxt[w] += 1
        self._order = order

    # -- queries -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.who)

    def span(self, start: str | None, end: str, *, end_inclusive: bool = True) -> range:
        """Positions with start ≤ occurred_at ≤ end (or < end), oldest first."""
        lo = 0 if start is None else bisect_left(self.at, instant_ms(start))
        hi = (bisect_right if end_inclusive else bisect_left)(self.at, instant_ms(end))
        return range(lo, max(lo, hi))

    def of(self, username: str) -> Sequence[int]:
        """The positions of one contributor's activities, oldest first (empty when none)."""
        w = self.index.get(username)
        if w is None:
            return ()
        return self._order[self._starts[w] : self._starts[w + 1]]

    def first(self, username: str) -> int | None:
        """Position of the contributor's first activity."""
        w = self.index.get(username)
        if w is None or self._starts[w] == self._starts[w + 1]:
            return None
        return self._order[self._starts[w]]

    def last(self, username: str) -> int | None:
        """Position of the contributor's latest activity."""
        w = self.index.get(username)
        if w is None or self._starts[w] == self._starts[w + 1]:
            return None
        return self._order[self._starts[w + 1] - 1]

    def totals(self) -> dict[str, tuple[int, int]]:
        """All-time (points, activity count) per contributor with any activity."""
        sums = [0] * len(self.names)
        counts = [0] * len(self.names)
        for w, p in zip(self.who, self.points, strict=True):
            sums[w] += p
            counts[w] += 1
        return {u: (sums[i], counts[i]) for i, u in enumerate(self.names) if counts[i]}

    # -- strings, on demand ----------------------------------------------------------------------

    def _conn(self) -> Database:
        """The DB handle of this process: forked workers open their own read-only connection
        (a SQLite connection must not be used on both sides of a fork)."""
        assert self._db is not None, "activity details need the DB the log was loaded from"
        pid = os.getpid()
        if pid == self._pid or self._db.path in ("", ":memory:"):
            return self._db
        if self._own is None or self._own[0] != pid:
            self._own = (pid, Database.open(self._db.path, readonly=True))
        return self._own[1]

    def details(self, positions: Iterable[int]) -> list[Act]:
        """Full activities at `positions`, in the order given (one query by rowid)."""
        wanted = list(positions)
        if not wanted:
            return []
        rowid = self.rowid
        keys = [rowid[i] for i in wanted]
        db = self._conn()
        rows: dict[int, tuple[Any, ...]] = {
            r[0]: r
            for r in db.execute(
                "SELECT a.key, a.slug, a.title, a.occurred_at, a.link, a.text "
                f"FROM json_each(?) j JOIN {keyed_activities(db)} a ON a.key = j.value",
                (json.dumps(keys),),
            )
        }
        out = []
        names, kinds, who, kind, points, day = (
            self.names, self.kinds, self.who, self.kind, self.points, self.day
        )  # fmt: skip
        for i, key in zip(wanted, keys, strict=True):
            _, slug, title, occurred_at, link, text = rows[key]
            person, definition, day_ = names[who[i]], kinds[kind[i]], date.fromordinal(day[i])
            out.append(
                Act(slug, person, definition, title, occurred_at, link, text, points[i], day_)
            )
        return out
