"""Rule types (CORE-68…CORE-72), one module each; `compile_rule` picks the module by `type`."""

from __future__ import annotations

from typing import Any

from leaderboard.badges.rules.common import CompiledRule, RuleEnv, RuleError, RuleFn
from leaderboard.badges.rules.composite import make_composite
from leaderboard.badges.rules.custom import make_custom
from leaderboard.badges.rules.growth import make_growth
from leaderboard.badges.rules.streak import make_streak
from leaderboard.badges.rules.threshold import make_threshold

_FACTORIES = {
    "threshold": make_threshold,
    "streak": make_streak,
    "growth": make_growth,
    "composite": make_composite,
    "custom": make_custom,
}


def compile_rule(rule: dict[str, Any], env: RuleEnv, *, allow_custom: bool) -> CompiledRule:
    """The pure per-contributor function of one rule; RuleError when it cannot be evaluated."""
    kind = rule.get("type")
    allowed = tuple(k for k in _FACTORIES if allow_custom or k != "custom")
    if kind not in allowed:
        raise RuleError(f"unknown rule type {kind!r} (allowed: {', '.join(allowed)})")
    return _FACTORIES[str(kind)](rule, env)


__all__ = ["CompiledRule", "RuleEnv", "RuleError", "RuleFn", "compile_rule"]
