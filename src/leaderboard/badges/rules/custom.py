"""Custom rules (CORE-72): a plugin's own evaluator, called with plain data."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject
from leaderboard.badges.rules.common import CompiledRule, RuleEnv, RuleError, not_after
from leaderboard.timeutil import parse_date


def make_custom(rule: dict[str, Any], env: RuleEnv) -> CompiledRule:
    """Compile a custom rule. The evaluator gets (contributor, aggregates, activities newest
    first with effective points) and returns None or {should_award, variant, meta?, achieved_on?}.
    Exceptions and malformed results propagate, so the plugin's evaluate hook fails (CORE-11).
    """
    evaluator = rule.get("evaluator")
    if not callable(evaluator):
        raise RuleError("custom rule needs a callable 'evaluator'")
    badge = rule.get("badge_slug")

    def evaluate(subject: Subject, done: Set[str]) -> list[Award]:
        # The evaluator decides its variant itself, so it runs even when some are awarded.
        result = evaluator(
            dict(subject.contributor), dict(subject.aggregates), list(subject.activities or [])
        )
        if result is None:
            return []
        if not isinstance(result, dict):
            raise RuleError(f"custom rule for badge {badge} must return a dict or None")
        award = result.get("should_award", result.get("shouldAward"))
        if not award:
            return []
        variant = result.get("variant")
        if not isinstance(variant, str) or not variant:
            raise RuleError(f"custom rule for badge {badge} returned no 'variant'")
        meta = result.get("meta") or {}
        if not isinstance(meta, dict):
            raise RuleError(f"custom rule for badge {badge} returned a non-mapping 'meta'")
        day = env.today
        text = result.get("achieved_on")
        if text is not None:
            try:
                day = not_after(parse_date(str(text)), env.today)
            except ValueError:
                raise RuleError(
                    f"custom rule for badge {badge} returned achieved_on {text!r}; use YYYY-MM-DD"
                ) from None
        return [Award(variant, day, dict(meta))]

    return CompiledRule(evaluate, None)
