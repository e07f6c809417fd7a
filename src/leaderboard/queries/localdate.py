"""Calendar dates in tz computed inside SQLite (CORE-12, CORE-75).

SQLite knows no time zones, and calling back into Python per row is slow. A zone's UTC offset is
piecewise constant, so we find its offset changes once (per zone and process) and emit a balanced
binary tree of `CASE` comparisons on the canonical text: about log2(#transitions) string
comparisons per row, no Python callback, and the same dates as `timeutil.local_date`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from leaderboard.timeutil import canonical

# Offsets are probed daily over this span; outside it the nearest known offset applies.
_FIRST = datetime(1970, 1, 1, tzinfo=UTC)
_LAST = datetime(2100, 1, 1, tzinfo=UTC)
_STEP = timedelta(days=1)


def _offset(tz: tzinfo, t: datetime) -> int:
    delta = t.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _bisect(tz: tzinfo, lo: datetime, hi: datetime) -> datetime:
    """The first second in (lo, hi] whose offset differs from lo's."""
    before = _offset(tz, lo)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(seconds=1)
        if _offset(tz, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=32)
def transitions(tz: tzinfo) -> tuple[tuple[str, int], ...]:
    """((canonical instant from which the offset applies, offset seconds), …); first is 1970."""
    return _probe(tz, _FIRST, _LAST)


def _probe(tz: tzinfo, first: datetime, last: datetime) -> tuple[tuple[str, int], ...]:
    """The offset changes between `first` and `last`, found by daily probes and bisection."""
    out: list[tuple[str, int]] = [(canonical(first), _offset(tz, first))]
    t = first
    current = out[0][1]
    while t < last:
        nxt = t + _STEP
        off = _offset(tz, nxt)
        if off != current:
            at = _bisect(tz, t, nxt)
            out.append((canonical(at), _offset(tz, at)))
            current = off
        t = nxt
    return tuple(out)


def _modifier(offset: int) -> str:
    return f"'{offset:+d} seconds'"


def _tree(column: str, items: tuple[tuple[str, int], ...]) -> str:
    if len(items) == 1:
        return _modifier(items[0][1])
    mid = len(items) // 2
    left = _tree(column, items[:mid])
    right = _tree(column, items[mid:])
    return f"CASE WHEN {column} < '{items[mid][0]}' THEN {left} ELSE {right} END"


@lru_cache(maxsize=64)
def _expr(column: str, tz: tzinfo) -> str:
    items = transitions(tz)
    if len(items) == 1:
        if items[0][1] == 0:
            return f"substr({column}, 1, 10)"
        return f"date({column}, {_modifier(items[0][1])})"
    return f"date({column}, {_tree(column, items)})"


def local_date_sql(column: str, tz: tzinfo) -> str:
    """SQL giving the `YYYY-MM-DD` date in tz of a canonical-timestamp column."""
    return _expr(column, tz)


# date(1, 1, 1) has ordinal 1 and Julian day 1721425.5 (at midnight).
_ORDINAL_SHIFT = 1721424.5
_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _span_transitions(tz: tzinfo, first: datetime, last: datetime) -> tuple[tuple[str, int], ...]:
    return _probe(tz, first, last)


def ordinal_span(lowest: str | None, highest: str | None) -> tuple[datetime, datetime]:
    """Whole UTC days around [lowest, highest] (canonical instants), within 1970…2100.

    Probing a zone over the span of the data instead of 130 years saves most of the work of
    finding its offset changes; without usable bounds the full span is used.
    """
    try:
        lo = datetime.fromisoformat(str(lowest).replace("Z", "+00:00"))
        hi = datetime.fromisoformat(str(highest).replace("Z", "+00:00"))
        if lo.tzinfo is None or hi.tzinfo is None:
            return _FIRST, _LAST
        lo, hi = lo.astimezone(UTC), hi.astimezone(UTC)
        first = max(_FIRST, lo.replace(hour=0, minute=0, second=0, microsecond=0) - _DAY)
        last = min(_LAST, hi.replace(hour=0, minute=0, second=0, microsecond=0) + 2 * _DAY)
    except (ValueError, OverflowError):
        return _FIRST, _LAST
    return (first, last) if first < last else (_FIRST, _LAST)


def local_ordinal_sql(
    column: str, tz: tzinfo, span: tuple[datetime, datetime] | None = None
) -> str:
    """SQL giving `date.toordinal()` of the date in tz of a canonical-timestamp column.

    An integer straight from SQLite saves formatting and re-parsing a date per row, which
    matters when every activity is read (aggregation, badge histories). Exact for instants in
    `span` (default 1970…2100, see `ordinal_span`); callers fix instants outside it themselves.
    """
    first, last = span or (_FIRST, _LAST)
    items = _span_transitions(tz, first, last)
    modifier = _modifier(items[0][1]) if len(items) == 1 else _tree(column, items)
    return f"CAST(julianday({column}, {modifier}) - {_ORDINAL_SHIFT} AS INTEGER)"


def exact_span(span: tuple[datetime, datetime] | None = None) -> tuple[str, str]:
    """The canonical instants [first, last) within which `local_ordinal_sql(…, span)` is exact."""
    first, last = span or (_FIRST, _LAST)
    return canonical(first), canonical(last)
