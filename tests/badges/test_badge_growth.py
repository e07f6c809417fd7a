"""CORE-70: growth over the period ending now vs the period just before (windows of CORE-12)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from badgeworld import BadgeWorld

NY = ZoneInfo("America/New_York")
# 31 Mar 2024 12:00 EDT. Month window: 29 Feb 12:00 EST (31 Feb clamped) = 2024-02-29T17:00Z
# .. now; it lasts 30 days 23 hours (DST began on 10 March), so the previous window is
# [2024-01-29T18:00Z, 2024-02-29T17:00Z).
NOW = datetime(2024, 3, 31, 16, 0, tzinfo=UTC)


def _rule(aggregate: str = "activity_count", period: str = "month", **extra: object) -> dict:
    return {
        "type": "growth",
        "badge_slug": "g",
        "aggregate_slug": aggregate,
        "period": period,
        "thresholds": [
            {"variant": "bronze", "percentage_increase": 10},
            {"variant": "silver", "percentage_increase": 33.33},
            {"variant": "gold", "percentage_increase": 50},
        ],
        **extra,
    }


def _seed(world: BadgeWorld) -> None:
    world.contributor("a").definition("pr", points=2).definition("issue", points=1).badge("g")
    for at in (
        "2024-01-29T17:59:59.999Z",  # before the previous window
        "2024-01-29T18:00:00.000Z",  # previous (start included)
        "2024-02-15T12:00:00.000Z",  # previous
        "2024-02-29T16:59:59.999Z",  # previous (its end is excluded: next instant is current)
        "2024-02-29T17:00:00.000Z",  # current (start included)
        "2024-03-10T12:00:00.000Z",  # current
        "2024-03-20T12:00:00.000Z",  # current
        "2024-03-31T16:00:00.000Z",  # current (= now, included)
        "2024-03-31T16:00:00.001Z",  # after now: ignored
    ):
        world.activity("a", "pr", at)


def test_core_70_month_over_month_count(world: BadgeWorld) -> None:
    _seed(world)
    world.run([_rule()], now=NOW, tz=NY)
    assert world.dates("a", "g") == {"bronze": "2024-03-31", "silver": "2024-03-31"}
    assert world.meta("a", "g", "silver") == (
        '{"period":"month","currentValue":4,"previousValue":3,"percentageIncrease":33.33,'
        '"threshold":33.33,"rule_type":"growth","auto_awarded":true}'
    )


def test_core_70_min_previous(world: BadgeWorld) -> None:
    _seed(world)
    assert world.run([_rule(min_previous=4)], now=NOW, tz=NY).awards == 0
    assert world.run([_rule(min_previous=3)], now=NOW, tz=NY).awards == 2


def test_core_70_zero_previous_never_awards(world: BadgeWorld) -> None:
    world.contributor("a").definition("pr").badge("g")
    world.activity("a", "pr", "2024-03-30T12:00:00.000Z")
    assert world.run([_rule(min_previous=0)], now=NOW, tz=NY).awards == 0


def test_core_70_points_per_definition_and_active_days(world: BadgeWorld) -> None:
    _seed(world)
    world.activity("a", "issue", "2024-02-01T12:00:00.000Z")  # previous: +1 point, 1 issue
    world.activity("a", "issue", "2024-03-01T12:00:00.000Z")  # current
    world.activity("a", "issue", "2024-03-02T12:00:00.000Z")  # current
    rules = [
        _rule("total_activity_points"),  # previous 3×2+1=7, current 4×2+2=10 → 42.857…%
        {**_rule("activity_count:issue"), "badge_slug": "g2"},  # 1 → 2: 100 %
        {**_rule("active_days"), "badge_slug": "g3"},  # days: 4 prev (29 Jan … 29 Feb), 6 cur
    ]
    world.badge("g2").badge("g3")
    world.run(rules, now=NOW, tz=NY)
    assert set(world.dates("a", "g")) == {"bronze", "silver"}
    assert '"percentageIncrease":42.86,' in world.meta("a", "g", "silver")
    assert set(world.dates("a", "g2")) == {"bronze", "silver", "gold"}
    assert '"currentValue":6,"previousValue":4,' in world.meta("a", "g3", "gold")


def test_core_70_week_window(world: BadgeWorld) -> None:
    world.contributor("a").definition("pr").badge("g")
    world.activity("a", "pr", "2024-03-20T12:00:00.000Z")  # previous week
    world.activity("a", "pr", "2024-03-25T12:00:00.000Z")
    world.activity("a", "pr", "2024-03-30T12:00:00.000Z")
    world.run([_rule(period="week")], now=NOW, tz=NY)
    assert world.dates("a", "g") == {
        "bronze": "2024-03-31",
        "silver": "2024-03-31",
        "gold": "2024-03-31",
    }
