"""Composite rules (CORE-71): AND/OR over aggregate conditions, dated from history when possible."""

from __future__ import annotations

import operator
from collections.abc import Callable, Set
from datetime import date
from typing import Any

from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject
from leaderboard.badges.rules.common import (
    CompiledRule,
    RuleEnv,
    RuleError,
    is_number,
    not_after,
    number_value,
)
from leaderboard.badges.rules.series import crossing_date, is_derivable

COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


def _conditions(rule: dict[str, Any]) -> list[tuple[str, str, Any]]:
    raw = rule.get("conditions")
    out = []
    for c in raw if isinstance(raw, list) else []:
        if not isinstance(c, dict):
            raise RuleError("composite conditions must be mappings")
        slug, op, value = c.get("aggregate_slug"), c.get("operator"), c.get("value")
        if not isinstance(slug, str) or op not in COMPARATORS or not is_number(value):
            raise RuleError(
                "composite condition needs aggregate_slug, operator (> < >= <= == !=) and a "
                f"numeric value (got {c!r})"
            )
        out.append((slug, str(op), value))
    return out


def make_composite(rule: dict[str, Any], env: RuleEnv) -> CompiledRule:
    """Compile a composite rule awarding its single `variant`."""
    mode = rule.get("operator")
    if mode not in ("AND", "OR"):
        raise RuleError(f"composite operator must be AND or OR (got {mode!r})")
    variant = rule.get("variant")
    if not isinstance(variant, str):
        raise RuleError("composite rule needs a 'variant'")
    conditions = _conditions(rule)
    meta = {
        "conditions": [{"aggregateSlug": s, "operator": op, "value": v} for s, op, v in conditions]
    }

    def evaluate(subject: Subject, done: Set[str]) -> list[Award]:
        if not conditions or variant in done:
            return []  # AND without conditions is a config error; OR without never awards
        true: list[tuple[str, str, Any]] = []
        for slug, op, level in conditions:
            value = number_value(subject.aggregates.get(slug))
            if value is not None and COMPARATORS[op](value, level):
                true.append((slug, op, level))
        if (mode == "AND" and len(true) != len(conditions)) or not true:
            return []
        return [Award(variant, _achieved_on(true, subject, mode == "AND", env), dict(meta))]

    return CompiledRule(evaluate, frozenset((variant,)))


def _achieved_on(
    true: list[tuple[str, str, Any]], subject: Subject, latest: bool, env: RuleEnv
) -> date:
    """Latest (AND) or earliest (OR) crossing date of the true conditions, else today."""
    dates: list[date] = []
    for slug, op, level in true:
        if op not in (">=", ">") or not is_derivable(slug):
            return env.today
        day = crossing_date(slug, subject.history, level, env, strict=op == ">")
        if day is None:
            return env.today
        dates.append(day)
    return not_after(max(dates) if latest else min(dates), env.today)
