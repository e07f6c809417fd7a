"""What every rule module shares: the pass environment, value access, threshold lists."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from leaderboard.aggregates.snapshot import Kind
from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject

# A rule's function for one contributor: the tiers in `done` are already awarded (awards never
# change, CORE-67), so the function need not work out whether or when they were reached.
RuleFn = Callable[[Subject, Set[str]], list[Award]]


class RuleError(ValueError):
    """A rule that cannot be evaluated as written (unknown type, missing keys)."""


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to run: its function and the variants it can award (None: not known)."""

    evaluate: RuleFn
    variants: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class RuleEnv:
    """Fixed for one evaluation pass: now, tz, today and the known activity definitions."""

    now: datetime
    tz: tzinfo
    today: date
    activity_definitions: tuple[str, ...]  # all definition slugs, byte order
    keys: Mapping[str, Kind] | None = None  # definition slug → its key in timelines

    def key(self, definition: str) -> Kind:
        """How activities of `definition` appear in `Timeline.kinds`."""
        return self.keys.get(definition, definition) if self.keys is not None else definition


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_value(aggregate: Any) -> int | float | None:
    """The `value` of a `{"type": "number"}` aggregate, else None (CORE-68, CORE-71)."""
    if isinstance(aggregate, dict) and aggregate.get("type") == "number":
        value = aggregate.get("value")
        if is_number(value):
            return value
    return None


def thresholds(rule: dict[str, Any], key: str) -> list[tuple[str, Any]]:
    """(variant, level) pairs sorted by level ascending (stable); malformed entries are skipped."""
    raw = rule.get("thresholds")
    pairs = [
        (t["variant"], t[key])
        for t in (raw if isinstance(raw, list) else [])
        if isinstance(t, dict) and isinstance(t.get("variant"), str) and is_number(t.get(key))
    ]
    return sorted(pairs, key=lambda p: p[1])


def not_after(day: date | None, today: date) -> date:
    """Award dates are never later than today; unknown dates are today (CORE-67)."""
    return today if day is None or day > today else day


def steps_to_reach(level: float, *, strict: bool = False) -> int | None:
    """The smallest count n ≥ 1 with n ≥ level (n > level when strict); None if no count does."""
    if math.isnan(level) or level == math.inf:
        return None
    if level < 1:
        return 1
    return math.floor(level) + 1 if strict else math.ceil(level)
