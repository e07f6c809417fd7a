"""CORE-69: calendar streaks in tz; first crossing decides the date."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from badgeworld import BadgeWorld

KOLKATA = ZoneInfo("Asia/Kolkata")
NY = ZoneInfo("America/New_York")
NOW = datetime(2024, 12, 31, 12, 0, tzinfo=UTC)


def _rule(kind: str, *tiers: tuple[str, int], patterns: list[str] | None = None) -> dict:
    rule = {
        "type": "streak",
        "badge_slug": "s",
        "streak_type": kind,
        "thresholds": [{"variant": v, "days": n} for v, n in tiers],
    }
    if patterns is not None:
        rule["activity_definitions"] = patterns
    return rule


def _setup(world: BadgeWorld, *stamps: str, definition: str = "pr") -> None:
    world.contributor("a").badge("s")
    if world.db.scalar("SELECT 1 FROM activity_definition WHERE slug=?", (definition,)) is None:
        world.definition(definition)
    for at in stamps:
        world.activity("a", definition, at)


def test_core_69_daily_across_dst_spring_forward_new_york(world: BadgeWorld) -> None:
    _setup(
        world,
        "2024-03-10T04:30:00.000Z",  # 9 Mar 23:30 EST
        "2024-03-10T07:30:00.000Z",  # 10 Mar 03:30 EDT (after the gap)
        "2024-03-11T04:15:00.000Z",  # 11 Mar 00:15 EDT
    )
    world.run([_rule("daily", ("bronze", 3))], now=NOW, tz=NY)
    assert world.dates("a", "s") == {"bronze": "2024-03-11"}
    assert world.meta("a", "s", "bronze") == (
        '{"streakDays":3,"requiredDays":3,"streakType":"daily","activityDefinitions":["pr"],'
        '"rule_type":"streak","auto_awarded":true}'
    )


def test_core_69_same_instants_in_utc_are_only_two_days(world: BadgeWorld) -> None:
    _setup(
        world, "2024-03-10T04:30:00.000Z", "2024-03-10T07:30:00.000Z", "2024-03-11T04:15:00.000Z"
    )
    assert world.run([_rule("daily", ("bronze", 3))], now=NOW, tz=UTC).awards == 0


def test_core_69_first_crossing_not_longest_run(world: BadgeWorld) -> None:
    days = [f"2024-01-0{d}T12:00:00.000Z" for d in (1, 2, 3)]
    days += [f"2024-01-{d}T12:00:00.000Z" for d in range(10, 17)]
    _setup(world, *days)
    world.run([_rule("daily", ("bronze", 3), ("silver", 5), ("gold", 8))], now=NOW, tz=UTC)
    assert world.dates("a", "s") == {"bronze": "2024-01-03", "silver": "2024-01-14"}
    assert '"streakDays":3,' in world.meta("a", "s", "bronze")
    assert '"streakDays":7,' in world.meta("a", "s", "silver")


def test_core_69_leap_day_is_a_day(world: BadgeWorld) -> None:
    _setup(
        world,
        "2024-02-27T12:00:00.000Z",
        "2024-02-28T12:00:00.000Z",
        "2024-02-29T12:00:00.000Z",
        "2024-03-01T12:00:00.000Z",
        "2023-02-27T12:00:00.000Z",
        "2023-02-28T12:00:00.000Z",
        "2023-03-01T12:00:00.000Z",
    )
    world.run([_rule("daily", ("bronze", 3), ("silver", 4))], now=NOW, tz=UTC)
    # 2023: 27 Feb, 28 Feb, 1 Mar are consecutive (no leap day) → bronze on 2023-03-01.
    assert world.dates("a", "s") == {"bronze": "2023-03-01", "silver": "2024-03-01"}


def test_core_69_weekly_iso_week_53_to_week_1_in_kolkata(world: BadgeWorld) -> None:
    _setup(
        world,
        "2020-12-22T12:00:00.000Z",  # ISO 2020-W52
        "2020-12-29T12:00:00.000Z",  # ISO 2020-W53
        "2021-01-03T19:00:00.000Z",  # Kolkata: Mon 4 Jan 00:30 → 2021-W01 (UTC: still W53)
    )
    world.run([_rule("weekly", ("bronze", 3))], now=NOW, tz=KOLKATA)
    assert world.dates("a", "s") == {"bronze": "2021-01-04"}
    assert '"streakType":"weekly"' in world.meta("a", "s", "bronze")


def test_core_69_weekly_in_utc_does_not_reach_three(world: BadgeWorld) -> None:
    _setup(
        world, "2020-12-22T12:00:00.000Z", "2020-12-29T12:00:00.000Z", "2021-01-03T19:00:00.000Z"
    )
    assert world.run([_rule("weekly", ("bronze", 3))], now=NOW, tz=UTC).awards == 0


def test_core_69_weekly_gap_of_one_week_breaks(world: BadgeWorld) -> None:
    _setup(
        world,
        "2024-01-01T12:00:00.000Z",
        "2024-01-08T12:00:00.000Z",
        "2024-01-22T12:00:00.000Z",
        "2024-01-29T12:00:00.000Z",
    )
    world.run([_rule("weekly", ("bronze", 2), ("silver", 3))], now=NOW, tz=UTC)
    assert world.dates("a", "s") == {"bronze": "2024-01-08"}


def test_core_69_monthly_december_to_january_in_new_york(world: BadgeWorld) -> None:
    _setup(
        world,
        "2023-11-15T12:00:00.000Z",
        "2024-01-01T04:00:00.000Z",  # 31 Dec 23:00 EST (January in UTC)
        "2024-01-20T12:00:00.000Z",
    )
    world.run([_rule("monthly", ("bronze", 3))], now=NOW, tz=NY)
    assert world.dates("a", "s") == {"bronze": "2024-01-20"}
    world2_tz_utc = world.run([_rule("monthly", ("silver", 3))], now=NOW, tz=UTC)
    assert world2_tz_utc.awards == 0


def test_core_69_regex_search_selects_definitions(world: BadgeWorld) -> None:
    world.contributor("a").badge("s")
    world.definition("pr_opened").definition("pr_merged").definition("issue_pr")
    world.definition("comment")
    world.activity("a", "pr_opened", "2024-05-01T12:00:00.000Z")
    world.activity("a", "comment", "2024-05-02T12:00:00.000Z")  # not matched: breaks the run
    world.activity("a", "pr_merged", "2024-05-03T12:00:00.000Z")
    world.activity("a", "pr_merged", "2024-05-04T12:00:00.000Z")
    world.run([_rule("daily", ("bronze", 2), ("silver", 3), patterns=["^pr_"])], now=NOW, tz=UTC)
    assert world.dates("a", "s") == {"bronze": "2024-05-04"}
    assert '"activityDefinitions":["pr_merged","pr_opened"]' in world.meta("a", "s", "bronze")


def test_core_69_unanchored_search_and_no_match(world: BadgeWorld) -> None:
    _setup(world, "2024-05-01T12:00:00.000Z", "2024-05-02T12:00:00.000Z", definition="issue_pr")
    world.run([_rule("daily", ("bronze", 2), patterns=["pr"])], now=NOW, tz=UTC)
    assert world.dates("a", "s") == {"bronze": "2024-05-02"}
    stats = world.run([_rule("daily", ("silver", 1), patterns=["^nothing$"])], now=NOW, tz=UTC)
    assert stats.awards == 0


def test_core_69_activities_after_now_are_ignored(world: BadgeWorld) -> None:
    _setup(
        world,
        "2024-12-30T12:00:00.000Z",
        "2024-12-31T11:00:00.000Z",
        "2024-12-31T13:00:00.000Z",
        "2025-01-01T12:00:00.000Z",
    )
    world.run([_rule("daily", ("bronze", 2), ("silver", 3))], now=NOW, tz=UTC)
    assert world.dates("a", "s") == {"bronze": "2024-12-31"}


def test_core_69_empty_history(world: BadgeWorld) -> None:
    world.contributor("a").definition("pr").badge("s")
    assert world.run([_rule("daily", ("bronze", 1))], now=NOW, tz=UTC).awards == 0
