"""CORE-72: custom plugin rules get plain data and may date their awards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from badgeworld import BadgeWorld

from leaderboard.badges.rules.common import RuleError

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _seed(world: BadgeWorld) -> None:
    world.contributor("a").contributor("b").definition("pr", points=3).badge("x")
    world.activity("a", "pr", "2024-05-01T12:00:00.000Z", slug="old")
    world.activity("a", "pr", "2024-05-02T12:00:00.000Z", points=7, slug="new")
    world.activity("a", "pr", "2024-07-01T12:00:00.000Z", slug="future")


def test_core_72_evaluator_arguments_and_result(world: BadgeWorld) -> None:
    _seed(world)
    seen: list[tuple[Any, ...]] = []

    def evaluator(contributor: dict, aggregates: dict, activities: list[dict]) -> dict | None:
        seen.append((contributor["username"], sorted(aggregates), activities))
        if contributor["username"] != "a":
            return None
        return {
            "shouldAward": True,
            "variant": "gold",
            "meta": {"why": "two PRs"},
            "achieved_on": "2024-05-02",
        }

    rule = {"type": "custom", "badge_slug": "x", "evaluator": evaluator}
    stats = world.run([rule], now=NOW, tz=UTC, source="myplugin")
    assert stats.awards == 1
    user, aggs, acts = seen[0]
    assert user == "a" and "activity_count" in aggs
    assert [(r["slug"], r["points"]) for r in acts] == [("new", 7), ("old", 3)]  # newest first
    assert seen[1][0] == "b" and seen[1][2] == []
    assert world.dates("a", "x") == {"gold": "2024-05-02"}
    assert world.meta("a", "x", "gold") == (
        '{"why":"two PRs","rule_type":"custom","auto_awarded":true}'
    )


def test_core_72_missing_date_is_today_and_false_is_no_award(world: BadgeWorld) -> None:
    _seed(world)
    rules = [
        {
            "type": "custom",
            "badge_slug": "x",
            "evaluator": lambda c, a, acts: {
                "should_award": c["username"] == "a",
                "variant": "bronze",
            },
        },
    ]
    world.run(rules, now=NOW, tz=UTC, source="p")
    assert world.awards() == {("x", "a", "bronze"): "2024-06-01"}


def test_core_72_errors_propagate_so_the_hook_fails(world: BadgeWorld) -> None:
    _seed(world)

    def broken(*_: Any) -> dict:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        world.run(
            [{"type": "custom", "badge_slug": "x", "evaluator": broken}],
            now=NOW,
            tz=UTC,
            source="p",
        )
    bad_date = {
        "type": "custom",
        "badge_slug": "x",
        "evaluator": lambda *a: {
            "should_award": True,
            "variant": "gold",
            "achieved_on": "June 1st",
        },
    }
    with pytest.raises(RuleError, match="use YYYY-MM-DD"):
        world.run([bad_date], now=NOW, tz=UTC, source="p")
    assert world.awards() == {}  # the transaction rolled back


def test_core_72_future_dates_are_clamped_to_today(world: BadgeWorld) -> None:
    _seed(world)
    rule = {
        "type": "custom",
        "badge_slug": "x",
        "evaluator": lambda *a: {
            "should_award": True,
            "variant": "gold",
            "achieved_on": "2030-01-01",
        },
    }
    world.run([rule], now=NOW, tz=UTC, source="p")
    assert world.dates("a", "x") == {"gold": "2024-06-01"}
