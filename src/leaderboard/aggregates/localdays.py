"""Calendar dates in tz for many canonical timestamps, fast (CORE-12, CORE-80).

Converting 130,000 instants one by one through `astimezone` is the slow part of aggregation, so
`LocalDays` precomputes the canonical text of each local midnight in the covered range and finds
an instant's date with a binary search on text (canonical text orders like instants). DST changes,
zones with half-hour offsets and midnights that do not exist are handled by `start_of_day`, which
takes the first instant of each local date.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta, tzinfo

from leaderboard.timeutil import canonical, local_date, start_of_day

_MAX_SPAN_DAYS = 200_000  # ~550 years; beyond that fall back to per-instant conversion


class LocalDays:
    """Maps canonical timestamps to their calendar date in `tz`.

    Built for the range of the given timestamps; any other instant is still answered correctly
    (by direct conversion), only more slowly.
    """

    def __init__(self, tz: tzinfo, timestamps: Iterable[str] = ()) -> None:
        self.tz = tz
        self._starts: list[str] = []
        self._dates: list[date] = []
        texts = [t for t in timestamps if t]
        if not texts:
            return
        first = local_date(min(texts), tz)
        last = local_date(max(texts), tz)
        span = (last - first).days + 2
        if span > _MAX_SPAN_DAYS:
            return
        days = [first + timedelta(days=i) for i in range(span)]
        self._starts = [canonical(start_of_day(d, tz)) for d in days]
        self._dates = days

    def date_of(self, text: str) -> date:
        """The calendar date in tz of the canonical timestamp `text`."""
        i = bisect_right(self._starts, text) - 1
        if 0 <= i < len(self._dates) - 1:
            return self._dates[i]
        return local_date(text, self.tz)
