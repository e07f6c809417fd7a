"""Threshold rules (CORE-68): award every tier whose value the aggregate has reached."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject
from leaderboard.badges.rules.common import (
    CompiledRule,
    RuleEnv,
    RuleError,
    not_after,
    number_value,
)
from leaderboard.badges.rules.common import thresholds as threshold_list
from leaderboard.badges.rules.series import crossing_date


def make_threshold(rule: dict[str, Any], env: RuleEnv) -> CompiledRule:
    """Compile a threshold rule; `achieved_on` is the first crossing in history, else today."""
    slug = rule.get("aggregate_slug")
    if not isinstance(slug, str) or not slug:
        raise RuleError("threshold rule needs 'aggregate_slug'")
    tiers = threshold_list(rule, "value")

    def evaluate(subject: Subject, done: Set[str]) -> list[Award]:
        value = number_value(subject.aggregates.get(slug))
        if value is None:
            return []
        return [
            Award(
                variant,
                not_after(crossing_date(slug, subject.history, level, env), env.today),
                {"threshold": level, "actualValue": value},
            )
            for variant, level in tiers
            if value >= level and variant not in done
        ]

    return CompiledRule(evaluate, frozenset(v for v, _ in tiers))
