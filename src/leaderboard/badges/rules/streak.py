"""Streak rules (CORE-69): consecutive calendar days, ISO weeks or months with activity in tz.

Periods are mapped to consecutive integers (day ordinal; ISO week = Monday ordinal // 7; month
= year × 12 + month), so "next period" is simply +1, across year ends and ISO week 53.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject
from leaderboard.badges.rules.common import RuleEnv, RuleError, RuleFn, not_after
from leaderboard.badges.rules.common import thresholds as threshold_list

STREAK_TYPES = ("daily", "weekly", "monthly")


def period_index(day: date, streak_type: str) -> int:
    """Consecutive integers for consecutive periods of `streak_type` containing `day`."""
    if streak_type == "daily":
        return day.toordinal()
    if streak_type == "weekly":
        monday = day - timedelta(days=day.weekday())
        return (monday.toordinal() - 1) // 7  # date(1, 1, 1) is a Monday with ordinal 1
    return day.year * 12 + day.month - 1


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


def runs(periods: list[tuple[int, date]]) -> list[list[date]]:
    """Split distinct sorted (index, first-activity date) periods into maximal runs."""
    out: list[list[date]] = []
    previous: int | None = None
    for index, first in periods:
        if previous is not None and index == previous + 1:
            out[-1].append(first)
        else:
            out.append([first])
        previous = index
    return out


def make_streak(rule: dict[str, Any], env: RuleEnv) -> RuleFn:
    """Compile a streak rule; `achieved_on` = first date any run reached its N-th period."""
    streak_type = rule.get("streak_type")
    if streak_type not in STREAK_TYPES:
        raise RuleError(
            f"streak_type must be one of {', '.join(STREAK_TYPES)} (got {streak_type!r})"
        )
    matched = matching_definitions(rule.get("activity_definitions"), env.activity_definitions)
    wanted = frozenset(matched)
    tiers = [(v, int(n)) for v, n in threshold_list(rule, "days") if n >= 1]
    kind = str(streak_type)

    def evaluate(subject: Subject) -> list[Award]:
        if not wanted:
            return []
        periods: list[tuple[int, date]] = []
        last_day: date | None = None
        for item in subject.history.items:
            # Items are in time order, so a date repeats only consecutively: skip repeats cheaply.
            if item.definition in wanted and item.date != last_day:
                last_day = item.date
                index = period_index(item.date, kind)
                if not periods or periods[-1][0] != index:
                    periods.append((index, item.date))
        all_runs = runs(periods)
        awards = []
        for variant, needed in tiers:
            run = next((r for r in all_runs if len(r) >= needed), None)
            if run is None:
                continue
            meta = {
                "streakDays": len(run),
                "requiredDays": needed,
                "streakType": streak_type,
                "activityDefinitions": matched,
            }
            awards.append(Award(variant, not_after(run[needed - 1], env.today), meta))
        return awards

    return evaluate
