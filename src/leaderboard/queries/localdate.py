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
    out: list[tuple[str, int]] = [(canonical(_FIRST), _offset(tz, _FIRST))]
    t = _FIRST
    current = out[0][1]
    while t < _LAST:
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


@lru_cache(maxsize=64)
def _ordinal_expr(column: str, tz: tzinfo) -> str:
    items = transitions(tz)
    modifier = _modifier(items[0][1]) if len(items) == 1 else _tree(column, items)
    return f"CAST(julianday({column}, {modifier}) - {_ORDINAL_SHIFT} AS INTEGER)"


def local_ordinal_sql(column: str, tz: tzinfo) -> str:
    """SQL giving `date.toordinal()` of the date in tz of a canonical-timestamp column.

    An integer straight from SQLite saves formatting and re-parsing a date per row, which
    matters when every activity is read (aggregation, badge histories). Exact from 1970 to
    2100 like `local_date_sql`; callers fix instants outside that span themselves.
    """
    return _ordinal_expr(column, tz)


def exact_span() -> tuple[str, str]:
    """The canonical instants between which the SQL date expressions match `local_date`."""
    return canonical(_FIRST), canonical(_LAST)
