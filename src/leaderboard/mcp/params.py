"""Tool parameters: declared once, turned into JSON Schema and validated (ECO-05, ECO-07).

Each tool declares its parameters as `Param`s; the same declarations produce the `inputSchema`
the client sees and the validation the server runs, so the two cannot drift. Validation errors
are `ArgumentError`s whose message names the argument (code `INVALID_ARGUMENTS`).

Where ECO-07 is silent: `null` counts as absent, unknown argument names are refused (a typo in an
assistant's call should not be silently ignored), and an integral float such as `10.0` is an
integer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Literal

from leaderboard.mcp.envelope import ArgumentError, ToolError
from leaderboard.timeutil import PERIODS, canonical, parse_timestamp, period_window, start_of_day

Kind = Literal["string", "integer", "boolean", "strings"]
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Param:
    """One tool parameter."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    default: Any = None
    maximum: int | None = None  # for limits: values above are clamped to it
    enum: tuple[str, ...] | None = None
    date: bool = False
    min_items: int | None = None
    max_items: int | None = None
    non_empty: bool = False

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any]
        if self.kind == "strings":
            out = {"type": "array", "items": {"type": "string"}}
            if self.min_items is not None:
                out["minItems"] = self.min_items
            if self.max_items is not None:
                out["maxItems"] = self.max_items
        else:
            out = {"type": self.kind}
        out["description"] = self.description
        if self.date:
            out["format"] = "date"
        if self.enum:
            out["enum"] = list(self.enum)
        if self.non_empty:
            out["minLength"] = 1
        if self.kind == "integer" and self.maximum is not None:
            out["minimum"] = 1 if self.name == "limit" else 0
            out["maximum"] = self.maximum
        if self.kind == "integer" and self.name == "offset":
            out["minimum"] = 0
        if self.default is not None:
            out["default"] = list(self.default) if isinstance(self.default, tuple) else self.default
        return out


def input_schema(params: Sequence[Param]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {p.name: p.schema() for p in params},
        "required": [p.name for p in params if p.required],
        "additionalProperties": False,
    }


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ArgumentError(f"{name} must be an integer (got a boolean)")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ArgumentError(f"{name} must be an integer (got {_shown(value)})")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _one(p: Param, value: Any) -> Any:
    if p.kind == "string":
        if not isinstance(value, str):
            raise ArgumentError(f"{p.name} must be a string (got {_shown(value)})")
        if p.non_empty and not value.strip():
            raise ArgumentError(f"{p.name} must not be empty")
        if p.enum and value not in p.enum:
            raise ArgumentError(
                f"{p.name} must be one of {', '.join(p.enum)} (got {_shown(value)})"
            )
        return value
    if p.kind == "boolean":
        if not isinstance(value, bool):
            raise ArgumentError(f"{p.name} must be a boolean (got {_shown(value)})")
        return value
    if p.kind == "integer":
        number = _integer(p.name, value)
        if p.name == "offset":
            return max(number, 0)
        if p.maximum is not None:
            return min(max(number, 1), p.maximum)
        return number
    # list of strings
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ArgumentError(f"{p.name} must be a list of strings")
    if p.min_items is not None and len(value) < p.min_items:
        raise ArgumentError(f"{p.name} must have at least {p.min_items} item(s)")
    if p.max_items is not None and len(value) > p.max_items:
        raise ArgumentError(f"{p.name} must have at most {p.max_items} items (got {len(value)})")
    return list(value)


def validate(params: Sequence[Param], arguments: Mapping[str, Any] | None) -> dict[str, Any]:
    """Checked and normalised arguments (defaults filled, limits clamped)."""
    given = dict(arguments or {})
    known = {p.name for p in params}
    unknown = sorted(k for k in given if k not in known)
    if unknown:
        expected = ", ".join(sorted(known)) or "none"
        raise ArgumentError(f"Unknown argument: {unknown[0]} (expected: {expected})")
    out: dict[str, Any] = {}
    for p in params:
        value = given.get(p.name)
        if value is None:
            if p.required:
                raise ArgumentError(f"{p.name} is required")
            out[p.name] = list(p.default) if isinstance(p.default, tuple) else p.default
            continue
        out[p.name] = _one(p, value)
    return out


# -- dates and periods -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """A resolved window: canonical `start` (or None = unbounded) and `end` (None = now)."""

    start: str | None
    end: str | None
    period: str | None = None


def _instant(text: str, tz: tzinfo, *, end: bool) -> str:
    try:
        parsed = parse_timestamp(text, tz)
        instant: datetime = parsed.instant
        if end and parsed.date_only:
            day: date = instant.astimezone(tz).date()
            instant = start_of_day(day + timedelta(days=1), tz) - timedelta(milliseconds=1)
        return canonical(instant)
    except (ValueError, OverflowError):
        raise ToolError(f"Invalid date format: {text}") from None


def bounds(
    start_date: str | None,
    end_date: str | None,
    period: str | None,
    *,
    tz: tzinfo,
    now: datetime,
    default_period: str | None = "all-time",
) -> Bounds:
    """The window of ECO-07: dates (date-only end = end of that day) or a CORE-12 period."""
    if period is not None and (start_date is not None or end_date is not None):
        raise ToolError("Use either period or start_date/end_date")
    if period is None and start_date is None and end_date is None:
        period = default_period
    if period is not None:
        if period not in PERIODS:
            raise ArgumentError(f"period must be one of {', '.join(PERIODS)} (got {period!r})")
        window = period_window(period, now, tz)
        return Bounds(window.start_text if window.start else None, canonical(now), period)
    start = _instant(start_date, tz, end=False) if start_date is not None else None
    end = _instant(end_date, tz, end=True) if end_date is not None else None
    if start is not None and end is not None and start > end:
        raise ToolError("start_date must not be after end_date")
    return Bounds(start, end)
