"""CORE-68: threshold crossing dates from history, in tz; fallbacks to today."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from badgeworld import BadgeWorld

KOLKATA = ZoneInfo("Asia/Kolkata")
NY = ZoneInfo("America/New_York")
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _rule(aggregate: str, *tiers: tuple[str, float]) -> dict:
    return {
        "type": "threshold",
        "badge_slug": "m",
        "aggregate_slug": aggregate,
        "thresholds": [{"variant": v, "value": x} for v, x in tiers],
    }


def test_core_68_activity_count_dates_in_kolkata(world: BadgeWorld) -> None:
    world.contributor("alice").definition("pr").badge("m")
    world.activity("alice", "pr", "2024-02-28T10:00:00.000Z")  # 28 Feb IST
    world.activity("alice", "pr", "2024-02-28T18:29:59.999Z")  # 28 Feb 23:59:59.999 IST
    world.activity("alice", "pr", "2024-02-28T18:30:00.000Z")  # 29 Feb 00:00 IST (leap day)
    world.activity("alice", "pr", "2024-02-29T18:30:00.000Z")  # 1 Mar 00:00 IST
    world.run(
        [_rule("activity_count", ("gold", 4), ("bronze", 2), ("silver", 3))], now=NOW, tz=KOLKATA
    )
    assert world.dates("alice", "m") == {
        "bronze": "2024-02-28",
        "silver": "2024-02-29",
        "gold": "2024-03-01",
    }
    assert world.meta("alice", "m", "silver") == (
        '{"threshold":3,"actualValue":4,"rule_type":"threshold","auto_awarded":true}'
    )


def test_core_68_same_data_in_utc_gives_utc_dates(world: BadgeWorld) -> None:
    world.contributor("alice").definition("pr").badge("m")
    world.activity("alice", "pr", "2024-02-28T18:30:00.000Z")
    world.activity("alice", "pr", "2024-02-29T18:30:00.000Z")
    world.run([_rule("activity_count", ("bronze", 1), ("silver", 2))], now=NOW, tz=UTC)
    assert world.dates("alice", "m") == {"bronze": "2024-02-28", "silver": "2024-02-29"}


def test_core_68_points_series_uses_effective_points(world: BadgeWorld) -> None:
    world.contributor("bob").definition("review", points=5).badge("m")
    world.activity("bob", "review", "2024-01-01T03:00:00.000Z")  # 5 → 31 Dec 2023 in NY
    world.activity("bob", "review", "2024-01-02T03:00:00.000Z", points=0)  # explicit 0
    world.activity("bob", "review", "2024-01-03T03:00:00.000Z")  # 10 on 2 Jan NY
    world.run(
        [_rule("total_activity_points", ("bronze", 5), ("silver", 10), ("gold", 11))],
        now=NOW,
        tz=NY,
    )
    assert world.dates("bob", "m") == {"bronze": "2023-12-31", "silver": "2024-01-02"}


def test_core_68_active_days_and_per_definition(world: BadgeWorld) -> None:
    world.contributor("c").definition("pr").definition("issue").badge("m").badge("p")
    world.activity("c", "issue", "2024-03-01T01:00:00.000Z")
    world.activity("c", "pr", "2024-03-01T02:00:00.000Z")
    world.activity("c", "pr", "2024-03-04T02:00:00.000Z")
    world.activity("c", "issue", "2024-03-09T02:00:00.000Z")
    rules = [
        _rule("active_days", ("bronze", 2), ("silver", 3)),
        {**_rule("activity_count:pr", ("bronze", 2)), "badge_slug": "p"},
    ]
    world.run(rules, now=NOW, tz=UTC)
    assert world.dates("c", "m") == {"bronze": "2024-03-04", "silver": "2024-03-09"}
    assert world.dates("c", "p") == {"bronze": "2024-03-04"}


def test_core_68_not_derivable_or_never_reached_is_today(world: BadgeWorld) -> None:
    world.contributor("d").definition("pr").badge("m").badge("p")
    world.activity("d", "pr", "2024-03-01T00:00:00.000Z")
    world.aggregate("d", "plugin_score", {"type": "number", "value": 50})
    world.run([{**_rule("plugin_score", ("bronze", 10)), "badge_slug": "p"}], now=NOW, tz=KOLKATA)
    # A file-provided activity_count larger than the history: the series never gets there.
    world.db.execute(
        "UPDATE contributor_aggregate SET value=? WHERE aggregate='activity_count'",
        (json.dumps({"type": "number", "value": 9}),),
    )
    world.run(
        [_rule("activity_count", ("bronze", 1), ("silver", 5))],
        now=NOW,
        tz=KOLKATA,
        aggregate=False,
    )
    assert world.dates("d", "p") == {"bronze": "2024-06-01"}
    assert world.dates("d", "m") == {"bronze": "2024-03-01", "silver": "2024-06-01"}


def test_core_68_non_number_or_missing_aggregate_gives_nothing(world: BadgeWorld) -> None:
    world.contributor("e").contributor("f").definition("pr").badge("m")
    world.aggregate("e", "label", {"type": "string", "value": "12"})
    stats = world.run(
        [_rule("label", ("bronze", 1)), _rule("missing", ("bronze", 1))], now=NOW, tz=UTC
    )
    assert stats.awards == 0


def test_core_68_today_is_the_tz_date_of_now(world: BadgeWorld) -> None:
    world.contributor("g").definition("pr").badge("m")
    world.aggregate("g", "plugin_score", {"type": "number", "value": 1})
    late = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)  # still 31 May in New York
    world.run([_rule("plugin_score", ("bronze", 1))], now=late, tz=NY)
    assert world.dates("g", "m") == {"bronze": "2024-05-31"}
