"""The time model (CORE-12): canonical UTC text, parsing input timestamps, calendar arithmetic in tz.

Everything stored is a canonical timestamp, so comparing text in SQL equals comparing instants.
Calendar notions (dates, ISO weeks, months) are always taken in the configured zone, never in the
machine's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$",
    # ASCII only: `\d` would otherwise read Arabic-Indic and other Unicode digits as a year.
    re.ASCII,
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_CANONICAL_SHAPE = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z",
    re.ASCII,
)
PERIODS = ("week", "month", "year", "all-time")


@dataclass(frozen=True, slots=True)
class ParsedTime:
    instant: datetime  # aware, UTC
    truncated: bool  # fraction beyond milliseconds was dropped
    date_only: bool


def get_zone(name: str) -> ZoneInfo:
    """An IANA zone; raises ValueError naming the zone when unknown."""
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}'") from None


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    if not name or name.startswith("/") or ".." in name:
        raise ValueError(name)
    return ZoneInfo(name)


def canonical(dt: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.sssZ` in UTC; naive datetimes are refused."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    u = dt.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond // 1000:03d}Z"


def from_canonical(text: str) -> datetime:
    """Fast inverse of `canonical` (no validation beyond what `datetime` does)."""
    return datetime(
        int(text[0:4]),
        int(text[5:7]),
        int(text[8:10]),
        int(text[11:13]),
        int(text[14:16]),
        int(text[17:19]),
        int(text[20:23]) * 1000,
        tzinfo=UTC,
    )


def is_canonical(text: str) -> bool:
    return (
        len(text) == 24
        and text[4] == "-"
        and text[10] == "T"
        and text[19] == "."
        and text[23] == "Z"
    )


def _localize(naive: datetime, tz: tzinfo) -> datetime:
    # fold=0: ambiguous local times take the earlier instant; non-existent ones shift forward.
    return naive.replace(tzinfo=tz).astimezone(UTC)


def parse_timestamp(text: str, tz: tzinfo) -> ParsedTime:
    """Parse an input timestamp (CORE-12); raises ValueError for anything else."""
    if not isinstance(text, str):
        raise ValueError("timestamp must be a string")
    m = _TS.match(text.strip())
    if not m:
        raise ValueError(f"invalid timestamp '{text}'")
    y, mo, d, hh, mm, ss, frac, off = m.groups()
    truncated = False
    micro = 0
    if frac:
        truncated = len(frac) > 3 and frac[3:].strip("0") != ""
        micro = int((frac + "000")[:3]) * 1000
    try:
        naive = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
    except ValueError:
        raise ValueError(f"invalid timestamp '{text}'") from None
    if off is None:
        inst = _localize(naive, tz)
    elif off in ("Z", "z"):
        inst = naive.replace(tzinfo=UTC)
    else:
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        # RFC 3339: hours 00-23, minutes 00-59; `+05:99` is not a shifted `+06:39`.
        if hours > 23 or minutes > 59:
            raise ValueError(f"invalid timestamp '{text}' (offset out of range)")
        delta = timedelta(hours=hours, minutes=minutes)
        inst = (naive - sign * delta).replace(tzinfo=UTC)
    return ParsedTime(inst, truncated, hh is None)


def canonicalize(text: str, tz: tzinfo) -> str:
    """Parse and return the canonical text; the fast path keeps canonical input as is.

    The fast path checks digits (ASCII only) and ranges, not just the shape: plugin input such
    as `٢٠٢٤-…` or `2024-13-45T…` must not be stored as if it were canonical.
    """
    if _CANONICAL_SHAPE.fullmatch(text):
        if text[8:10] > "28":  # the shape checks every range but the length of the month
            try:
                from_canonical(text)
            except ValueError:
                raise ValueError(f"invalid timestamp '{text}'") from None
        return text
    return canonical(parse_timestamp(text, tz).instant)


def parse_now(text: str, tz: tzinfo) -> datetime:
    """`--now` (CORE-12): a bare date means 23:59:59.999 of that day in tz."""
    text = text.strip()
    m = _DATE.match(text)
    if m:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return _localize(datetime(d.year, d.month, d.day, 23, 59, 59, 999000), tz)
    return parse_timestamp(text, tz).instant


def parse_date(text: str) -> date:
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"invalid date '{text}' (expected YYYY-MM-DD)")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def local_date(instant: datetime | str, tz: tzinfo) -> date:
    """Calendar date of an instant in tz."""
    if isinstance(instant, str):
        instant = from_canonical(instant)
    return instant.astimezone(tz).date()


def date_text(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def start_of_day(d: date, tz: tzinfo) -> datetime:
    """The first instant of calendar date `d` in tz."""
    return _localize(datetime(d.year, d.month, d.day), tz)


def minus_days(t: datetime, days: int, tz: tzinfo) -> datetime:
    """`days` days before t on the wall clock of tz (same local time)."""
    local = t.astimezone(tz).replace(tzinfo=None)
    return _localize(local - timedelta(days=days), tz)


def minus_months(t: datetime, months: int, tz: tzinfo) -> datetime:
    """`months` calendar months before t in tz; the day is clamped to the target month."""
    local = t.astimezone(tz).replace(tzinfo=None)
    total = local.year * 12 + (local.month - 1) - months
    y, m = divmod(total, 12)
    m += 1
    last = _month_length(y, m)
    return _localize(local.replace(year=y, month=m, day=min(local.day, last)), tz)


def _month_length(y: int, m: int) -> int:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


@dataclass(frozen=True, slots=True)
class Window:
    """A period window: [start, end] and the previous window [previous_start, previous_end)."""

    name: str
    start: datetime | None
    end: datetime
    previous_start: datetime | None
    previous_end: datetime | None

    @property
    def start_text(self) -> str | None:
        return canonical(self.start) if self.start else None

    @property
    def end_text(self) -> str:
        return canonical(self.end)


def period_window(name: str, now: datetime, tz: tzinfo) -> Window:
    """The windows of CORE-12 for `week`, `month`, `year`, `all-time` (and `<n>d` day windows)."""
    if name == "all-time":
        return Window(name, None, now, None, None)
    if name == "week":
        start = minus_days(now, 7, tz)
    elif name == "month":
        start = minus_months(now, 1, tz)
    elif name == "year":
        start = minus_months(now, 12, tz)
    elif name.endswith("d") and name[:-1].isdigit():
        start = minus_days(now, int(name[:-1]), tz)
    else:
        raise ValueError(f"unknown period '{name}'")
    return Window(name, start, now, start - (now - start), start)


def iso_week(d: date) -> tuple[int, int]:
    iso = d.isocalendar()
    return (iso[0], iso[1])
