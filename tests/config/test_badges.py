"""CORE-19 (and CORE-22/CORE-72 reuse): badge definition and rule checks."""

from __future__ import annotations

from typing import Any

import pytest
from cfgtest import Loader, with_leaderboard

from leaderboard.config import (
    check_activity_definition,
    check_aggregate_definition,
    check_badge_definition,
    check_badge_rule,
)

DEFS: dict[str, dict[str, Any]] = {
    "b": {
        "slug": "b",
        "name": "B",
        "description": "d",
        "variants": {"bronze": {"description": "x", "svg_url": "/b.svg"}},
    }
}
P = "leaderboard.badges.rules[1]"


def rule(**kw: Any) -> dict[str, Any]:
    return {"badge_slug": "b", **kw}


def ok(r: Any) -> None:
    assert check_badge_rule(r, P, definitions=DEFS) == []


def test_core_19_valid_rules_of_every_type() -> None:
    ok(rule(type="threshold", aggregate_slug="x", thresholds=[{"variant": "bronze", "value": 1}]))
    ok(
        rule(
            type="streak",
            streak_type="weekly",
            activity_definitions=["^pr_", "issue"],
            thresholds=[{"variant": "bronze", "days": 2}],
            enabled=False,
        )
    )
    for slug in (
        "activity_count",
        "activity_count:pr_merged",
        "total_activity_points",
        "active_days",
    ):
        ok(
            rule(
                type="growth",
                aggregate_slug=slug,
                period="month",
                min_previous=0,
                thresholds=[{"variant": "bronze", "percentage_increase": 12.5}],
            )
        )
    ok(
        rule(
            type="composite",
            operator="AND",
            variant="bronze",
            conditions=[{"aggregate_slug": "a", "operator": op, "value": 1} for op in (">", "!=")],
            meta={"anything": [1]},
        )
    )


def test_core_19_spec_example_message() -> None:
    r = rule(type="streak", streak_type="hourly", thresholds=[{"variant": "bronze", "days": 1}])
    assert check_badge_rule(r, P, definitions=DEFS) == [
        (f"{P}.streak_type", "error", "must be one of daily, weekly, monthly (got 'hourly')")
    ]


def test_core_19_unknown_type_names_allowed_types() -> None:
    assert check_badge_rule(rule(type="ratio"), P, definitions=None) == [
        (f"{P}.type", "error", "must be one of threshold, streak, growth, composite (got 'ratio')")
    ]
    assert check_badge_rule({"badge_slug": "b"}, P, definitions=None) == [
        (f"{P}.type", "error", "is required (one of threshold, streak, growth, composite)")
    ]


def test_core_19_common_keys() -> None:
    assert check_badge_rule("x", P, definitions=None) == [
        (P, "error", "must be a mapping (got 'x')")
    ]
    r = {
        "type": "threshold",
        "enabled": "no",
        "aggregate_slug": "x",
        "thresholds": [{"variant": "v", "value": 1}],
    }
    assert check_badge_rule(r, P, definitions=None) == [
        (f"{P}.badge_slug", "error", "is required"),
        (f"{P}.enabled", "error", "must be true or false (got 'no')"),
    ]


def test_core_19_threshold_rule_checks() -> None:
    assert check_badge_rule(rule(type="threshold", thresholds=[]), P, definitions=None) == [
        (f"{P}.aggregate_slug", "error", "is required"),
        (f"{P}.thresholds", "error", "must list at least one threshold"),
    ]
    r = rule(type="threshold", aggregate_slug="x", thresholds=[{"variant": "v", "value": "10"}, 3])
    assert check_badge_rule(r, P, definitions=None) == [
        (f"{P}.thresholds[0].value", "error", "must be a number (got '10')"),
        (f"{P}.thresholds[1]", "error", "must be a mapping (got 3)"),
    ]
    r = rule(type="threshold", aggregate_slug="x")
    assert check_badge_rule(r, P, definitions=None) == [
        (f"{P}.thresholds", "error", "is required (a list of {variant, value})")
    ]


def test_core_19_streak_rule_checks() -> None:
    r = rule(
        type="streak",
        streak_type="daily",
        activity_definitions=["pr_(", 5],
        thresholds=[{"variant": "v", "days": 1.5}, {"variant": "w"}],
    )
    assert check_badge_rule(r, P, definitions=None) == [
        (f"{P}.activity_definitions[1]", "error", "must be a string (got 5)"),
        (f"{P}.thresholds[0].days", "error", "must be an integer (got 1.5)"),
        (f"{P}.thresholds[1].days", "error", "is required (an integer ≥ 1)"),
    ]
    r = rule(
        type="streak",
        streak_type="daily",
        activity_definitions=["pr_("],
        thresholds=[{"variant": "v", "days": 3}],
    )
    ((path, severity, message),) = check_badge_rule(r, P, definitions=None)
    assert (path, severity) == (f"{P}.activity_definitions[0]", "error")
    assert message.startswith("is not a valid regular expression (missing ), unterminated")


def test_core_19_growth_rule_checks() -> None:
    r = rule(
        type="growth",
        aggregate_slug="total_points",
        period="day",
        min_previous="1",
        thresholds=[{"variant": "v", "percentage_increase": 0}],
    )
    assert check_badge_rule(r, P, definitions=None) == [
        (
            f"{P}.aggregate_slug",
            "error",
            "must be one of activity_count, activity_count:<definition>, total_activity_points, "
            "active_days (got 'total_points')",
        ),
        (f"{P}.period", "error", "must be one of week, month, year (got 'day')"),
        (f"{P}.min_previous", "error", "must be a number (got '1')"),
        (f"{P}.thresholds[0].percentage_increase", "error", "must be > 0 (got 0)"),
    ]


def test_core_19_composite_rule_checks() -> None:
    and_empty = rule(type="composite", operator="AND", variant="v", conditions=[])
    assert check_badge_rule(and_empty, P, definitions=None) == [
        (f"{P}.conditions", "error", "an AND rule needs at least one condition")
    ]
    or_missing = rule(type="composite", operator="OR", variant="v")
    assert check_badge_rule(or_missing, P, definitions=None) == [
        (f"{P}.conditions", "warning", "an OR rule with no conditions never awards")
    ]
    bad = rule(
        type="composite",
        operator="and",
        conditions=[{"aggregate_slug": "a", "operator": "=>", "value": None, "extra": 1}],
    )
    assert check_badge_rule(bad, P, definitions=None) == [
        (f"{P}.operator", "error", "must be one of AND, OR (got 'and')"),
        (f"{P}.variant", "error", "is required"),
        (f"{P}.conditions[0]", "warning", "unknown key 'extra'"),
        (f"{P}.conditions[0].operator", "error", "must be one of >, <, >=, <=, ==, != (got '=>')"),
        (f"{P}.conditions[0].value", "error", "is required (a number)"),
    ]


def test_core_19_cross_checks() -> None:
    unknown = rule(
        type="threshold",
        badge_slug="nope",
        aggregate_slug="x",
        thresholds=[{"variant": "gold", "value": 1}],
    )
    assert check_badge_rule(unknown, P, definitions=DEFS) == [
        (
            f"{P}.badge_slug",
            "warning",
            "badge 'nope' is not defined in leaderboard.badges.definitions (fine if "
            "badges/definitions.json or a plugin defines it)",
        )
    ]
    wrong_variant = rule(
        type="threshold",
        aggregate_slug="x",
        thresholds=[{"variant": "bronze", "value": 1}, {"variant": "gold", "value": 2}],
    )
    assert check_badge_rule(wrong_variant, P, definitions=DEFS) == [
        (
            f"{P}.thresholds[1].variant",
            "error",
            "variant 'gold' is not defined for badge 'b' (defined: bronze)",
        )
    ]
    composite = rule(
        type="composite",
        operator="OR",
        variant="gold",
        conditions=[{"aggregate_slug": "a", "operator": ">", "value": 1}],
    )
    assert check_badge_rule(composite, P, definitions=DEFS)[0][:2] == (f"{P}.variant", "error")
    assert check_badge_rule(wrong_variant, P, definitions=None) == []


def test_core_72_custom_rules_only_for_plugins() -> None:
    custom = {"type": "custom", "badge_slug": "b", "evaluator": lambda c, a, x: None}
    assert (
        check_badge_rule(custom, "plugin p: badge_rules[0]", definitions=None, allow_custom=True)
        == []
    )
    assert check_badge_rule(custom, "plugin p: badge_rules[0]", definitions=None)[0][0] == (
        "plugin p: badge_rules[0].type"
    )
    no_eval = {"type": "custom", "badge_slug": "b", "evaluator": "f"}
    assert check_badge_rule(
        no_eval, "plugin p: badge_rules[2]", definitions=None, allow_custom=True
    ) == [("plugin p: badge_rules[2].evaluator", "error", "must be a callable")]


def test_core_19_definition_checks() -> None:
    assert check_badge_definition(DEFS["b"], "d[0]") == []
    bad = {"slug": "", "name": 1, "variants": {}, "icon": "x"}
    assert check_badge_definition(bad, "d[0]") == [
        ("d[0]", "warning", "unknown key 'icon'"),
        ("d[0].slug", "error", "must not be empty"),
        ("d[0].name", "error", "must be a string (got 1)"),
        ("d[0].description", "error", "is required"),
        ("d[0].variants", "error", "must define at least one variant"),
    ]
    variants = {
        "slug": "s",
        "name": "n",
        "description": "d",
        "variants": {"v": {"description": "x", "order": "1", "color": "red"}},
    }
    assert check_badge_definition(variants, "d[0]") == [
        ("d[0].variants.v", "warning", "unknown key 'color'"),
        ("d[0].variants.v.svg_url", "error", "is required"),
        ("d[0].variants.v.order", "error", "must be a number (got '1')"),
    ]
    assert check_badge_definition(variants, "d[0]", warn_unknown_keys=False)[0][1] == "error"


@pytest.mark.parametrize(
    ("defn", "expected"),
    [
        ({"slug": "pr", "name": "PR", "description": "d", "points": 5, "icon": None, "x": 1}, []),
        (
            {"slug": "pr", "name": "PR", "description": "d", "points": 1.5},
            [("a[0].points", "error", "must be an integer (got 1.5)")],
        ),
        ([], [("a[0]", "error", "must be a mapping (got a list)")]),
    ],
)
def test_core_22_activity_definition(defn: Any, expected: list[tuple[str, str, str]]) -> None:
    assert check_activity_definition(defn, "a[0]") == expected


def test_core_22_aggregate_definition() -> None:
    assert check_aggregate_definition({"slug": "s", "name": "n", "hidden": 1}, "g[0]") == []
    assert check_aggregate_definition({"name": "n", "hidden": "yes"}, "g[0]") == [
        ("g[0].slug", "error", "is required"),
        ("g[0].hidden", "error", "must be true, false, 0 or 1 (got 'yes')"),
    ]


def test_core_19_rules_in_config_keep_enabled_default(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  badges:\n"
        "    rules:\n"
        "      - {type: threshold, badge_slug: b, aggregate_slug: x,"
        " thresholds: [{variant: v, value: 1}]}\n"
        "      - {type: threshold, badge_slug: b, aggregate_slug: x, enabled: false,"
        " thresholds: [{variant: v, value: 1}]}\n"
        "    definitions: []\n"
    )
    config = load_yaml(text).config
    assert config is not None
    assert [r["enabled"] for r in config.leaderboard.badge_rules] == [True, False]
