"""NEW-18: badge rules in words."""

from __future__ import annotations

from leaderboard.badges.describe import describe_rule

NAMES = {"activity_count": "Activity Count", "total_activity_points": "Total Activity Points"}


def test_new_18_threshold() -> None:
    rule = {
        "type": "threshold",
        "aggregate_slug": "activity_count",
        "thresholds": [{"variant": "bronze", "value": 10}, {"variant": "silver", "value": 50}],
    }
    assert describe_rule(rule, NAMES, variant="silver") == "Reach 50 Activity Count"
    assert describe_rule(rule, NAMES) == (
        "Reach 10 Activity Count (bronze); Reach 50 Activity Count (silver)"
    )
    assert describe_rule(rule, NAMES, variant="gold") == ""


def test_new_18_streak_with_and_without_activity_names() -> None:
    rule = {
        "type": "streak",
        "streak_type": "weekly",
        "activity_definitions": ["^pr_"],
        "thresholds": [{"variant": "bronze", "days": 4}],
    }
    assert describe_rule(rule, NAMES, variant="bronze") == (
        "Be active on 4 consecutive weeks (activity types matching ^pr_)"
    )
    names = {"pr_merged": "PR merged", "issue": "Issue", "pr_opened": "PR opened"}
    assert describe_rule(rule, NAMES, variant="bronze", activity_names=names) == (
        "Be active on 4 consecutive weeks (PR merged, PR opened)"
    )
    daily = {"type": "streak", "streak_type": "daily", "thresholds": [{"variant": "b", "days": 7}]}
    assert describe_rule(daily, NAMES, variant="b") == "Be active on 7 consecutive days"


def test_new_18_growth_composite_custom() -> None:
    growth = {
        "type": "growth",
        "aggregate_slug": "total_activity_points",
        "period": "month",
        "thresholds": [{"variant": "b", "percentage_increase": 12.5}],
    }
    assert describe_rule(growth, NAMES, variant="b") == (
        "Increase Total Activity Points by 12.5% over the previous month"
    )
    composite = {
        "type": "composite",
        "operator": "OR",
        "variant": "gold",
        "conditions": [
            {"aggregate_slug": "activity_count", "operator": ">=", "value": 10},
            {"aggregate_slug": "plugin_x", "operator": "<", "value": 2},
        ],
    }
    assert describe_rule(composite, NAMES, variant="gold") == (
        "Any of: Activity Count >= 10, plugin_x < 2"
    )
    assert describe_rule({**composite, "operator": "AND"}, NAMES).startswith("All of: ")
    custom = {"type": "custom", "badge_slug": "x", "evaluator": print}
    assert describe_rule(custom, NAMES, plugin="GitHub") == "Awarded by the GitHub plugin"
