"""CORE-71: composite AND/OR; achieved_on from the conditions' crossing dates or today."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from badgeworld import BadgeWorld

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _rule(mode: str, *conditions: tuple[str, str, float]) -> dict:
    return {
        "type": "composite",
        "badge_slug": "c",
        "operator": mode,
        "variant": "gold",
        "conditions": [{"aggregate_slug": s, "operator": o, "value": v} for s, o, v in conditions],
    }


def _seed(world: BadgeWorld) -> None:
    world.contributor("a").definition("pr", points=10).badge("c", ("gold",))
    world.activity("a", "pr", "2024-01-10T20:00:00.000Z")  # 11 Jan IST: count 1, points 10
    world.activity("a", "pr", "2024-01-20T10:00:00.000Z")  # 20 Jan IST: count 2, points 20
    world.activity("a", "pr", "2024-02-01T19:00:00.000Z")  # 2 Feb 00:30 IST: count 3, points 30


COUNT3 = ("activity_count", ">=", 3)
POINTS_ABOVE_10 = ("total_activity_points", ">", 10)


def test_core_71_and_takes_latest_crossing(world: BadgeWorld) -> None:
    _seed(world)
    world.run([_rule("AND", COUNT3, POINTS_ABOVE_10)], now=NOW, tz=KOLKATA)
    assert world.dates("a", "c") == {"gold": "2024-02-02"}
    assert world.meta("a", "c", "gold") == (
        '{"conditions":[{"aggregateSlug":"activity_count","operator":">=","value":3},'
        '{"aggregateSlug":"total_activity_points","operator":">","value":10}],'
        '"rule_type":"composite","auto_awarded":true}'
    )


def test_core_71_or_takes_earliest_true_crossing(world: BadgeWorld) -> None:
    _seed(world)
    world.run([_rule("OR", COUNT3, POINTS_ABOVE_10, ("plugin", ">=", 1))], now=NOW, tz=KOLKATA)
    assert world.dates("a", "c") == {"gold": "2024-01-20"}


def test_core_71_strict_greater_uses_first_point_above(world: BadgeWorld) -> None:
    _seed(world)
    world.run([_rule("AND", ("activity_count", ">", 2))], now=NOW, tz=KOLKATA)
    assert world.dates("a", "c") == {"gold": "2024-02-02"}


def test_core_71_other_operators_or_underivable_mean_today(world: BadgeWorld) -> None:
    _seed(world)
    world.aggregate("a", "plugin", {"type": "number", "value": 5})
    world.run([_rule("AND", COUNT3, ("activity_count", "<=", 3))], now=NOW, tz=KOLKATA)
    assert world.dates("a", "c") == {"gold": "2024-06-01"}
    world.db.execute("DELETE FROM contributor_badge")
    world.run([_rule("AND", COUNT3, ("plugin", ">=", 5))], now=NOW, tz=KOLKATA)
    assert world.dates("a", "c") == {"gold": "2024-06-01"}


def test_core_71_and_needs_all_and_missing_is_false(world: BadgeWorld) -> None:
    _seed(world)
    stats = world.run(
        [_rule("AND", COUNT3, ("plugin", ">=", 0)), _rule("OR", ("plugin", "!=", 0)), _rule("OR")],
        now=NOW,
        tz=KOLKATA,
    )
    assert stats.awards == 0


def test_core_71_equality_is_exact(world: BadgeWorld) -> None:
    _seed(world)
    world.aggregate("a", "avg", {"type": "number", "value": 0.1 + 0.2})
    assert world.run([_rule("AND", ("avg", "==", 0.3))], now=NOW, tz=KOLKATA).awards == 0
    assert world.run([_rule("AND", ("avg", "!=", 0.3))], now=NOW, tz=KOLKATA).awards == 1
