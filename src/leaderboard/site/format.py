"""Fixed English formatting of numbers, plurals, dates and aggregate values (WEB-10, WEB-56).

Nothing here reads the machine locale or clock: the site must be byte-identical on every
machine (CORE-81), so grouping, month names and rounding are spelled out by hand. Rounding is
half up on the decimal text of the value (`2.675` → `2.68`), which is what readers expect,
not banker's rounding or the binary value's accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from leaderboard import jsonfmt
from leaderboard.timeutil import canonical, date_text, from_canonical, is_canonical

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_IRREGULAR_PLURALS = {"person": "people", "child": "children", "is": "are", "was": "were"}


# ---------------------------------------------------------------- numbers


def _decimal(value: float | int | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    # repr() gives the shortest round-trip text, so 2.675 rounds like the reader sees it.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def round_half_up(value: float | int | Decimal, decimals: int = 0) -> Decimal:
    """`value` rounded half up (away from zero for .5) to `decimals` places."""
    quantum = Decimal(1).scaleb(-decimals)
    return _decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def _group(int_digits: str) -> str:
    out: list[str] = []
    while len(int_digits) > 3:
        out.insert(0, int_digits[-3:])
        int_digits = int_digits[:-3]
    out.insert(0, int_digits)
    return ",".join(out)


def format_number(value: float | int | Decimal, decimals: int = 0, *, grouped: bool = True) -> str:
    """Fixed `decimals` places, half up, en-US grouping: `format_number(1234.5, 2)` → `1,234.50`."""
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # never print "-0"
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):f}"
    int_part, _, frac = text.partition(".")
    if grouped:
        int_part = _group(int_part)
    return sign + int_part + ("." + frac if decimals > 0 else "")


def format_int(value: float | int | Decimal) -> str:
    """A count or points total: rounded half up and grouped (`1234` → `1,234`)."""
    if type(value) is int:  # the common case: no rounding, Python's grouping is en-US already
        return f"{value:,}"
    return format_number(value, 0)


def format_compact_decimal(value: float | int | Decimal, max_decimals: int = 2) -> str:
    """Grouped with *up to* `max_decimals` places, trailing zeros dropped (`12.50` → `12.5`)."""
    text = format_number(value, max_decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_percent(fraction: float | int, decimals: int = 0) -> str:
    """A fraction as a percentage: `format_percent(0.1234, 1)` → `12.3%`."""
    return format_number(_decimal(fraction) * 100, decimals) + "%"


def share_percent(part: float | int, total: float | int, decimals: int = 0) -> str:
    """`part` as a percentage of `total` (`0%` when the total is 0)."""
    if not total:
        return format_number(0, decimals) + "%"
    return format_number(_decimal(part) * 100 / _decimal(total), decimals) + "%"


def format_bytes(size: float | int | Decimal, decimals: int = 2) -> str:
    """1024-based `B`, `KB`, `MB`, `GB`, `TB` (WEB-56): `1536` → `1.50 KB`."""
    units = ("B", "KB", "MB", "GB", "TB")
    value = _decimal(size)
    unit = 0
    while abs(value) >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    return f"{format_number(value, decimals)} {units[unit]}"


def format_duration(milliseconds: float | int | Decimal) -> str:
    """The two largest non-zero units of d/h/m/s, integer parts (`90061000` → `1d 1h`)."""
    total = int(_decimal(milliseconds).to_integral_value(rounding=ROUND_FLOOR)) // 1000
    total = max(total, 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {seconds}s"
    return f"{seconds}s"


def format_currency(value: float | int | Decimal, code: str = "USD", decimals: int = 2) -> str:
    """`$1,234.50` for USD, otherwise `<CODE> 1,234.50`."""
    text = format_number(value, decimals)
    if code.upper() == "USD":
        return "-$" + text[1:] if text.startswith("-") else "$" + text
    return f"{code.upper()} {text}"


def pluralize(word: str, count: float | int, plural: str | None = None) -> str:
    """The form of `word` that agrees with `count` (only exactly 1 is singular)."""
    if count == 1:
        return word
    if plural is not None:
        return plural
    lower = word.lower()
    if lower in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[lower]
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def plural(count: float | int, word: str, plural_form: str | None = None) -> str:
    """Count and agreeing noun: `plural(1, "activity")` → `1 activity`, `plural(1234, "point")` →
    `1,234 points`."""
    number = format_int(count) if float(count).is_integer() else format_compact_decimal(count)
    return f"{number} {pluralize(word, count, plural_form)}"


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` code points; a cut text ends with `…` (counted in the limit)."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis


# ---------------------------------------------------------------- dates and times


Instant = datetime | str  # aware datetime or canonical timestamp text


def _as_datetime(instant: Instant) -> datetime:
    if isinstance(instant, str):
        if not is_canonical(instant):
            raise ValueError(f"expected a canonical timestamp, got '{instant}'")
        return from_canonical(instant)
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant


def _as_date(value: date | Instant, tz: tzinfo | None) -> date:
    if isinstance(value, (datetime, str)):
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
        if tz is None:
            raise ValueError("a time zone is needed to take the date of an instant")
        return _as_datetime(value).astimezone(tz).date()
    return value


def format_date(value: date | Instant, tz: tzinfo | None = None) -> str:
    """`Apr 12, 2026` (the date in tz for instants)."""
    d = _as_date(value, tz)
    return f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}"


def format_month(value: date | Instant, tz: tzinfo | None = None) -> str:
    """`April 2026`."""
    d = _as_date(value, tz)
    return f"{MONTHS[d.month - 1]} {d.year}"


def format_axis_date(value: date | Instant, tz: tzinfo | None = None) -> str:
    """Short axis label `Apr 12`."""
    d = _as_date(value, tz)
    return f"{MONTHS[d.month - 1][:3]} {d.day}"


def format_weekday_date(value: date | Instant, tz: tzinfo | None = None) -> str:
    """`Sunday, Apr 12`."""
    d = _as_date(value, tz)
    return f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1][:3]} {d.day}"


def format_day_title(value: date | Instant, tz: tzinfo | None = None) -> str:
    """`Sun, 12 Apr 2026` (heatmap cell titles, WEB-40)."""
    d = _as_date(value, tz)
    return f"{WEEKDAYS[d.weekday()][:3]}, {d.day} {MONTHS[d.month - 1][:3]} {d.year}"


def format_time(instant: Instant, tz: tzinfo) -> str:
    """`2:05 PM UTC` — 12-hour clock and the zone abbreviation in effect at that instant."""
    local = _as_datetime(instant).astimezone(tz)
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return f"{hour}:{local.minute:02d} {half} {local.tzname() or 'UTC'}"


def format_datetime(instant: Instant, tz: tzinfo) -> str:
    """`Apr 12, 2026, 2:05 PM UTC`."""
    return f"{format_date(instant, tz)}, {format_time(instant, tz)}"


@lru_cache(maxsize=1 << 16)  # pure; every timeline item and table row formats one
def time_tag(
    value: date | Instant,
    text: str | None = None,
    *,
    tz: tzinfo | None = None,
    relative: bool = False,
) -> Markup:
    """`<time datetime="…">text</time>`; the attribute is the canonical timestamp or `YYYY-MM-DD`.

    `relative=True` adds `data-relative` (the script swaps in "3 days ago" on the viewer's
    clock) and keeps the absolute text in `title`. Default text: date-time for instants (needs
    tz), date for dates.
    """
    if isinstance(value, (datetime, str)) and not (isinstance(value, str) and len(value) == 10):
        instant = _as_datetime(value)  # parsed once, not once per part
        machine = canonical(instant)
        if text is None:
            if tz is None:
                raise ValueError("time_tag needs tz to format an instant")
            text = format_datetime(instant, tz)
    else:
        d = _as_date(value, tz)
        machine = date_text(d)
        if text is None:
            text = format_date(d)
    attrs = f' datetime="{machine}"'
    if relative:
        attrs += f' data-relative title="{escape(text)}"'
    return Markup(f"<time{attrs}>{escape(text)}</time>")


# ---------------------------------------------------------------- aggregate values (WEB-56)


def _num(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return _decimal(value)
    except InvalidOperation:
        return None


def _unit_suffix(value: Mapping[str, Any]) -> str:
    unit = value.get("unit")
    return f" {unit}" if isinstance(unit, str) and unit else ""


def format_aggregate_value(value: Mapping[str, Any] | Any) -> str:
    """The display text of an aggregate `value` object (CORE-63 types, WEB-56 rules)."""
    if not isinstance(value, Mapping):
        return jsonfmt.dumps_compact(value)
    kind = value.get("type")
    if kind == "string" and isinstance(value.get("value"), str):
        return str(value["value"])
    if kind == "statistics/number":
        metric = value.get("highlightMetric") or "mean"
        number = _num(value.get(metric))
        if number is None:
            return "N/A"
        return format_compact_decimal(number, 2) + _unit_suffix(value)
    if kind == "number":
        number = _num(value.get("value"))
        if number is None:
            return jsonfmt.dumps_compact(dict(value))
        raw_decimals = value.get("decimals")
        decimals = raw_decimals if isinstance(raw_decimals, int) and raw_decimals >= 0 else 2
        fmt = value.get("format")
        if fmt == "percentage":
            return format_number(number * 100, decimals) + "%"
        if fmt == "duration":
            return format_duration(number)
        if fmt == "bytes":
            return format_bytes(number, 2)
        if fmt == "currency":
            unit = value.get("unit")
            return format_currency(
                number, unit if isinstance(unit, str) and unit else "USD", decimals
            )
        if fmt == "decimal":
            return format_number(number, decimals) + _unit_suffix(value)
        return format_int(number) + _unit_suffix(value)
    return jsonfmt.dumps_compact(dict(value))
