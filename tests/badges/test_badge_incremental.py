"""CORE-67, CORE-73, CORE-80: awarded tiers are never re-evaluated; the snapshot is shared safely."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from badgeworld import BadgeWorld

from leaderboard.aggregates.shared import activity_snapshot
from leaderboard.badges.rules.common import steps_to_reach

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
COUNT = {
    "type": "threshold",
    "badge_slug": "m",
    "aggregate_slug": "activity_count",
    "thresholds": [{"variant": "bronze", "value": 1}, {"variant": "silver", "value": 3}],
}
STREAK = {
    "type": "streak",
    "badge_slug": "s",
    "streak_type": "daily",
    "thresholds": [{"variant": "bronze", "days": 2}, {"variant": "silver", "days": 3}],
}


def _world(world: BadgeWorld, days: int) -> None:
    world.contributor("bob").definition("pr").badge("m").badge("s")
    for day in range(1, days + 1):
        world.activity("bob", "pr", f"2024-05-0{day}T12:00:00.000Z")


def test_core_73_only_missing_tiers_are_added_and_counted(world: BadgeWorld) -> None:
    _world(world, 2)
    first = world.run([COUNT, STREAK], now=NOW, tz=UTC)
    assert (first.awards, first.skipped_existing) == (2, 0)  # m/bronze, s/bronze
    world.activity("bob", "pr", "2024-05-03T12:00:00.000Z")
    second = world.run([COUNT, STREAK], now=NOW, tz=UTC)
    assert (second.awards, second.skipped_existing) == (2, 2)  # silvers added, bronzes skipped
    assert world.dates("bob", "m") == {"bronze": "2024-05-01", "silver": "2024-05-03"}
    assert world.dates("bob", "s") == {"bronze": "2024-05-02", "silver": "2024-05-03"}
    third = world.run([COUNT, STREAK], now=NOW, tz=UTC)
    assert (third.awards, third.skipped_existing) == (0, 4)


def test_core_67_awarded_tiers_keep_their_rows_even_when_history_changed(
    world: BadgeWorld,
) -> None:
    _world(world, 3)
    world.run([COUNT], now=NOW, tz=UTC)
    before = world.db.query("SELECT * FROM contributor_badge ORDER BY slug")
    world.db.execute("DELETE FROM activity WHERE occurred_at < '2024-05-03'")
    stats = world.run([COUNT], now=NOW, tz=UTC)
    assert stats.awards == 0
    assert world.db.query("SELECT * FROM contributor_badge ORDER BY slug") == before


def test_core_67_award_imported_under_another_slug_is_kept(world: BadgeWorld) -> None:
    _world(world, 1)
    world.db.execute(
        "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on) "
        "VALUES('m__BOB__bronze', 'm', 'bob', 'bronze', '2020-01-01')"
    )
    stats = world.run([COUNT], now=NOW, tz=UTC)
    assert (stats.awards, stats.skipped_existing) == (0, 1)
    assert world.dates("bob", "m") == {"bronze": "2020-01-01"}


def test_core_80_evaluation_sees_activities_added_after_aggregation(world: BadgeWorld) -> None:
    _world(world, 2)
    world.run([], now=NOW, tz=UTC)  # aggregation reads (and keeps) the snapshot
    kept = activity_snapshot(world.db, tz=UTC)
    world.activity("bob", "pr", "2024-05-03T12:00:00.000Z")
    world.aggregate("bob", "activity_count", {"type": "number", "value": 3})
    world.run([COUNT, STREAK], now=NOW, tz=UTC, aggregate=False)
    assert activity_snapshot(world.db, tz=UTC) is not kept
    assert world.dates("bob", "m")["silver"] == "2024-05-03"
    assert world.dates("bob", "s")["silver"] == "2024-05-03"


@pytest.mark.parametrize(
    ("level", "strict", "steps"),
    [
        (3, False, 3),
        (3, True, 4),
        (2.5, False, 3),
        (2.5, True, 3),
        (0, False, 1),
        (0, True, 1),
        (-4, True, 1),
        (1, True, 2),
        (math.inf, False, None),
        (math.nan, False, None),
        (-math.inf, False, 1),
    ],
)
def test_core_68_steps_to_reach(level: float, strict: bool, steps: int | None) -> None:
    assert steps_to_reach(level, strict=strict) == steps
