"""Growth rules (CORE-70): the rule's period ending now against the period just before it."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from leaderboard.aggregates.rounding import round2
from leaderboard.aggregates.snapshot import Timeline
from leaderboard.badges.award import Award
from leaderboard.badges.history import Subject
from leaderboard.badges.rules.common import CompiledRule, RuleEnv, RuleError, is_number
from leaderboard.badges.rules.common import thresholds as threshold_list
from leaderboard.timeutil import canonical, period_window

GROWTH_PERIODS = ("week", "month", "year")
_PER_DEFINITION = "activity_count:"


def supported(aggregate_slug: str) -> bool:
    return aggregate_slug in ("activity_count", "total_activity_points", "active_days") or (
        aggregate_slug.startswith(_PER_DEFINITION) and len(aggregate_slug) > len(_PER_DEFINITION)
    )


def window_value(
    aggregate_slug: str,
    history: Timeline,
    start: str,
    end: str,
    env: RuleEnv,
    *,
    include_end: bool,
) -> int:
    """The aggregate over activities in [start, end] (or [start, end) when not include_end)."""
    window = history.window(start, end, include_end=include_end)
    if aggregate_slug == "total_activity_points":
        return sum(history.points[window])
    if aggregate_slug == "active_days":
        return len(set(history.days[window]))
    if aggregate_slug.startswith(_PER_DEFINITION):
        key = env.key(aggregate_slug[len(_PER_DEFINITION) :])
        return history.kinds[window].count(key)
    return window.stop - window.start


def make_growth(rule: dict[str, Any], env: RuleEnv) -> CompiledRule:
    """Compile a growth rule; every tier with growth ≥ its percentage is awarded today."""
    slug = rule.get("aggregate_slug")
    if not isinstance(slug, str) or not supported(slug):
        raise RuleError(
            f"growth rules support activity_count, activity_count:<definition>, "
            f"total_activity_points and active_days (got {slug!r})"
        )
    period = rule.get("period")
    if period not in GROWTH_PERIODS:
        raise RuleError(f"growth period must be one of week, month, year (got {period!r})")
    min_previous = rule.get("min_previous", 1)
    if not is_number(min_previous):
        min_previous = 1
    window = period_window(str(period), env.now, env.tz)
    assert window.start is not None and window.previous_start is not None
    start, end = canonical(window.start), canonical(window.end)
    previous_start = canonical(window.previous_start)
    tiers = threshold_list(rule, "percentage_increase")

    def evaluate(subject: Subject, done: Set[str]) -> list[Award]:
        history = subject.history
        previous = window_value(slug, history, previous_start, start, env, include_end=False)
        if previous < min_previous or previous <= 0:
            return []
        current = window_value(slug, history, start, end, env, include_end=True)
        growth = (current - previous) * 100 / previous
        return [
            Award(
                variant,
                env.today,
                {
                    "period": period,
                    "currentValue": current,
                    "previousValue": previous,
                    "percentageIncrease": round2(growth),
                    "threshold": level,
                },
            )
            for variant, level in tiers
            if growth >= level and variant not in done
        ]

    return CompiledRule(evaluate, frozenset(v for v, _ in tiers))
