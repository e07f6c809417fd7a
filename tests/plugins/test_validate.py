"""CORE-21/CORE-22: the object contract and its verbatim messages, in order."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from leaderboard.plugins.validate import (
    contract_problem,
    declaration_problems,
    hook_name_warnings,
    invalid_message,
    resolve_plugin_object,
)


def _scrape(ctx: Any) -> None:
    return None


def ok(**overrides: Any) -> SimpleNamespace:
    fields: dict[str, Any] = {"name": "p", "version": "1", "scrape": _scrape}
    fields.update(overrides)
    return SimpleNamespace(**{k: v for k, v in fields.items() if v is not ...})


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (None, "Plugin must be an object"),
        (ok(name=...), "Plugin must have a 'name' string property"),
        (ok(name=""), "Plugin must have a 'name' string property"),
        (ok(name=3), "Plugin must have a 'name' string property"),
        (ok(version=...), "Plugin must have a 'version' string property"),
        (ok(version=1.0), "Plugin must have a 'version' string property"),
        (ok(scrape=...), "Plugin must have a 'scrape' function"),
        (ok(scrape="run"), "Plugin must have a 'scrape' function"),
        (ok(setup=1), "Plugin 'setup' must be a function if provided"),
        (ok(aggregate="x"), "Plugin 'aggregate' must be a function if provided"),
        (ok(badge_definitions={}), "Plugin 'badge_definitions' must be a list if provided"),
        (ok(badge_rules=()), "Plugin 'badge_rules' must be a list if provided"),
        (ok(activity_definitions="x"), "Plugin 'activity_definitions' must be a list if provided"),
        (ok(aggregate_definitions=1), "Plugin 'aggregate_definitions' must be a list if provided"),
    ],
)
def test_core_22_messages(obj: Any, message: str) -> None:
    assert contract_problem(obj) == message


def test_core_22_order_name_before_scrape() -> None:
    assert contract_problem(SimpleNamespace()) == "Plugin must have a 'name' string property"
    assert (
        contract_problem(ok(setup=1, badge_rules={}))
        == "Plugin 'setup' must be a function if provided"
    )


def test_core_22_valid_plugin_and_none_hooks() -> None:
    assert contract_problem(ok(setup=None, aggregate=_scrape, badge_rules=[])) is None


def test_invalid_message_format() -> None:
    assert invalid_message("gh", "./x.py", "Plugin must be an object") == (
        "Invalid plugin gh (./x.py): Plugin must be an object"
    )


def test_core_21_module_plugin_attribute_and_class() -> None:
    module = ModuleType("m")

    class P:
        name = "cls"
        version = "1"

        def scrape(self, ctx: Any) -> None:
            return None

    module.plugin = P  # type: ignore[attr-defined]
    obj = resolve_plugin_object(module)
    assert isinstance(obj, P)
    bare = ModuleType("bare")
    assert resolve_plugin_object(bare) is bare


def test_core_22_list_contents_paths() -> None:
    obj = ok(
        badge_rules=[
            {
                "type": "threshold",
                "badge_slug": "b",
                "aggregate_slug": "x",
                "thresholds": [{"variant": "gold", "value": 1}],
            },
            {
                "type": "streak",
                "badge_slug": "b",
                "streak_type": "hourly",
                "thresholds": [{"variant": "gold", "days": 1}],
            },
        ],
        activity_definitions=[{"slug": "a", "name": "A", "description": 5}],
    )
    messages = [m for sev, m in declaration_problems("p", obj) if sev == "error"]
    assert any(m.startswith("plugin p: badge_rules[1].streak_type: ") for m in messages), messages
    assert any(m.startswith("plugin p: activity_definitions[0].description: ") for m in messages)


def test_core_72_custom_rule_accepted_for_plugins() -> None:
    rule = {"type": "custom", "badge_slug": "b", "evaluator": lambda c, a, acts: None}
    assert [f for f in declaration_problems("p", ok(badge_rules=[rule])) if f[0] == "error"] == []
    broken = {"type": "custom", "badge_slug": "b", "evaluator": "nope"}
    errors = [m for sev, m in declaration_problems("p", ok(badge_rules=[broken])) if sev == "error"]
    assert errors and "badge_rules[0].evaluator" in errors[0]


def test_hook_typo_is_reported() -> None:
    obj = ok(scrap=_scrape, agregate=_scrape, helper=_scrape)
    warnings = hook_name_warnings(obj)
    assert any("'agregate' is not a hook (did you mean 'aggregate'?)" in w for w in warnings)
    assert not any("'helper'" in w for w in warnings)
