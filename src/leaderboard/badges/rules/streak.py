"""Streak rules (CORE-69): consecutive calendar days, ISO weeks or months with activity in tz.

Periods are mapped to consecutive integers (day ordinal; ISO week = (ordinal − 1) // 7; month
= year × 12 + month), so "next period" is simply +1, across year ends and ISO week 53.
"""

from __future__ import annotations

import re
from collections.abc import Set
from datetime import date
from functools import cache
from itertools import compress
from typing import Any

from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject
from leaderboard.badges.rules.common import CompiledRule, RuleEnv, RuleError, not_after
from leaderboard.badges.rules.common import thresholds as threshold_list

STREAK_TYPES = ("daily", "weekly", "monthly")


def matching_definitions(patterns: Any, definitions: tuple[str, ...]) -> list[str]:
    """Definition slugs in which any pattern is found by `re.search`; all when no patterns."""
    if not patterns:
        return list(definitions)
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise RuleError("streak 'activity_definitions' must be a list of regular expressions")
    try:
        compiled = [re.compile(p) for p in patterns]
    except re.error as exc:
        raise RuleError(f"invalid regular expression in activity_definitions: {exc}") from None
    return [d for d in definitions if any(c.search(d) for c in compiled)]


@cache
def month_index(ordinal: int) -> int:
    """Consecutive integers for consecutive months (December is followed by January)."""
    d = date.fromordinal(ordinal)
    return d.year * 12 + d.month - 1


def week_index(ordinal: int) -> int:
    """Consecutive integers for consecutive ISO weeks: date(1, 1, 1), ordinal 1, is a Monday."""
    return (ordinal - 1) // 7


def _periods(days: list[int], kind: str) -> tuple[list[int], list[int]]:
    """(period indexes ascending, first day of each) for distinct ascending day ordinals."""
    if kind == "daily":
        return days, days
    indexes = list(map(week_index if kind == "weekly" else month_index, days))
    # Walking backwards, each period's entry ends up holding its earliest day.
    first_day = dict(zip(reversed(indexes), reversed(days), strict=True))
    ordered = sorted(first_day)
    return ordered, [first_day[i] for i in ordered]


def maximal_runs(indexes: list[int]) -> list[tuple[int, int]]:
    """(start position, length) of each maximal run of +1 steps in ascending `indexes`."""
    breaks = [i for i in range(1, len(indexes)) if indexes[i] != indexes[i - 1] + 1]
    starts = [0, *breaks]
    ends = [*breaks, len(indexes)]
    return [(start, end - start) for start, end in zip(starts, ends, strict=True)]


def make_streak(rule: dict[str, Any], env: RuleEnv) -> CompiledRule:
    """Compile a streak rule; `achieved_on` = first date any run reached its N-th period."""
    streak_type = rule.get("streak_type")
    if streak_type not in STREAK_TYPES:
        raise RuleError(
            f"streak_type must be one of {', '.join(STREAK_TYPES)} (got {streak_type!r})"
        )
    matched = matching_definitions(rule.get("activity_definitions"), env.activity_definitions)
    wanted = frozenset(env.key(slug) for slug in matched)
    tiers = [(v, int(n)) for v, n in threshold_list(rule, "days") if n >= 1]
    kind = str(streak_type)

    def evaluate(subject: Subject, done: Set[str]) -> list[Award]:
        todo = [(v, n) for v, n in tiers if v not in done]
        if not wanted or not todo:
            return []
        history = subject.history
        if wanted.issuperset(history.kind_set):
            days = history.unique_days
        else:
            days = sorted(set(compress(history.days, map(wanted.__contains__, history.kinds))))
        if len(days) < todo[0][1]:
            return []  # fewer active days than periods needed: no run can be long enough
        indexes, firsts = _periods(days, kind)
        runs = maximal_runs(indexes)
        awards = []
        for variant, needed in todo:
            found = next((run for run in runs if run[1] >= needed), None)
            if found is None:
                continue
            start, length = found
            meta = {
                "streakDays": length,
                "requiredDays": needed,
                "streakType": streak_type,
                "activityDefinitions": matched,
            }
            day = date.fromordinal(firsts[start + needed - 1])
            awards.append(Award(variant, not_after(day, env.today), meta))
        return awards

    return CompiledRule(evaluate, frozenset(v for v, _ in tiers))
