"""CORE-67, CORE-73: the evaluation pass — slugs, skips, warnings, idempotence, determinism."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from badgeworld import BadgeWorld
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.aggregates import run_standard_aggregation
from leaderboard.badges.evaluate import evaluate
from leaderboard.db import Database

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
COUNT = {
    "type": "threshold",
    "badge_slug": "m",
    "aggregate_slug": "activity_count",
    "thresholds": [{"variant": "bronze", "value": 1}, {"variant": "silver", "value": 2}],
}


def _two(world: BadgeWorld) -> None:
    world.contributor("bob").contributor("Alice").definition("pr").badge("m")
    for who in ("bob", "Alice"):
        world.activity(who, "pr", "2024-05-01T12:00:00.000Z")
        world.activity(who, "pr", "2024-05-02T12:00:00.000Z")


def test_core_73_evaluating_twice_adds_nothing(world: BadgeWorld) -> None:
    _two(world)
    assert world.run([COUNT], now=NOW, tz=UTC).awards == 4
    before = world.db.query("SELECT * FROM contributor_badge ORDER BY slug")
    again = world.run([COUNT], now=datetime(2025, 1, 1, tzinfo=UTC), tz=UTC)
    assert (again.awards, again.skipped_existing) == (0, 4)
    assert world.db.query("SELECT * FROM contributor_badge ORDER BY slug") == before


def test_core_67_slug_meta_and_canonical_spelling(world: BadgeWorld) -> None:
    _two(world)
    world.run([COUNT], now=NOW, tz=UTC)
    row = world.db.query_one("SELECT * FROM contributor_badge WHERE slug='m__Alice__silver'")
    assert row == {
        "slug": "m__Alice__silver",
        "badge": "m",
        "contributor": "Alice",
        "variant": "silver",
        "achieved_on": "2024-05-02",
        "meta": '{"threshold":2,"actualValue":2,"rule_type":"threshold","auto_awarded":true}',
        "extra": None,
    }


def test_core_67_slug_collision_appends_counter(world: BadgeWorld) -> None:
    _two(world)
    world.badge("other")
    world.db.execute(
        "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on) "
        "VALUES('m__bob__bronze', 'other', 'bob', 'bronze', '2020-01-01'), "
        "('m__bob__bronze__2', 'other', 'bob', 'silver', '2020-01-01')"
    )
    world.run([COUNT], now=NOW, tz=UTC)
    assert (
        world.db.scalar(
            "SELECT slug FROM contributor_badge WHERE badge='m' AND contributor='bob' "
            "AND variant='bronze'"
        )
        == "m__bob__bronze__3"
    )


def test_core_67_existing_award_is_never_redated(world: BadgeWorld) -> None:
    _two(world)
    world.db.execute(
        "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on, meta) "
        "VALUES('from-file', 'm', 'bob', 'bronze', '2019-09-09', '{\"note\":\"file\"}')"
    )
    world.run([COUNT], now=NOW, tz=UTC)
    assert world.db.query_one(
        "SELECT achieved_on, meta FROM contributor_badge WHERE slug='from-file'"
    ) == {"achieved_on": "2019-09-09", "meta": '{"note":"file"}'}
    assert world.dates("bob", "m") == {"bronze": "2019-09-09", "silver": "2024-05-02"}


def test_core_67_warnings_once_per_pass(
    world: BadgeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    _two(world)
    rules = [
        {**COUNT, "badge_slug": "ghost"},
        {**COUNT, "thresholds": [{"variant": "diamond", "value": 1}]},
        {**COUNT, "badge_slug": "ghost"},
    ]
    run_standard_aggregation(world.db, now=NOW, tz=UTC)
    with caplog.at_level(logging.INFO, logger="t"):
        stats = evaluate(world.db, rules, now=NOW, tz=UTC, logger=logging.getLogger("t"))
    assert stats.warnings == [
        "Badge definition not found: ghost",
        "Variant diamond not found for badge m",
    ]
    messages = [(r.levelname, r.getMessage(), getattr(r, "meta", None)) for r in caplog.records]
    assert messages == [
        ("WARNING", "Badge definition not found: ghost", None),
        ("WARNING", "Variant diamond not found for badge m", None),
        ("INFO", "Badge evaluation complete", {"awards": 0}),
    ]


def test_core_67_plugin_style_logger_gets_meta_argument(world: BadgeWorld) -> None:
    _two(world)
    calls: list[tuple[str, object]] = []

    class PluginLogger:
        def info(self, msg: str, meta: object = None) -> None:
            calls.append((msg, meta))

        def warning(self, msg: str, meta: object = None) -> None:
            calls.append((msg, meta))

    run_standard_aggregation(world.db, now=NOW, tz=UTC)
    evaluate(world.db, [COUNT], now=NOW, tz=UTC, logger=PluginLogger())
    assert calls == [("Badge evaluation complete", {"awards": 4})]


def test_core_67_first_rule_wins_and_disabled_rules_skip(world: BadgeWorld) -> None:
    _two(world)
    composite = {
        "type": "composite",
        "badge_slug": "m",
        "operator": "AND",
        "variant": "bronze",
        "conditions": [{"aggregate_slug": "activity_count", "operator": "<=", "value": 5}],
    }
    world.run([{**COUNT, "enabled": False}, composite, COUNT], now=NOW, tz=UTC)
    assert world.meta("bob", "m", "bronze").startswith('{"conditions"')
    assert '"rule_type":"threshold"' in world.meta("bob", "m", "silver")


def test_core_67_contributors_without_activity_and_empty_rules(world: BadgeWorld) -> None:
    world.contributor("idle").definition("pr").badge("m")
    assert world.run([COUNT], now=NOW, tz=UTC).awards == 0
    assert world.run([], now=NOW, tz=UTC).awards == 0


def test_core_73_ties_both_awarded_same_date(world: BadgeWorld) -> None:
    _two(world)
    world.run([COUNT], now=NOW, tz=UTC)
    assert (
        world.dates("bob", "m")
        == world.dates("Alice", "m")
        == {
            "bronze": "2024-05-01",
            "silver": "2024-05-02",
        }
    )


def test_core_67_unknown_rule_type_is_warned_and_custom_refused_in_config(
    world: BadgeWorld,
) -> None:
    _two(world)
    rules = [
        {"type": "magic", "badge_slug": "m"},
        {"type": "custom", "badge_slug": "m", "evaluator": lambda *a: None},
    ]
    stats = world.run(rules, now=NOW, tz=UTC)
    assert stats.awards == 0
    assert len(stats.warnings) == 2 and "unknown rule type 'magic'" in stats.warnings[0]


# -- property: the same data in any insertion order gives the same awards ------------------

_DEFS = ("pr", "review", "issue")
_activity = st.tuples(
    st.sampled_from(("ann", "Ben", "cy")),
    st.sampled_from(_DEFS),
    st.integers(min_value=0, max_value=60 * 24 * 3),  # minutes over ~60 days, in 20-min steps
    st.one_of(st.none(), st.integers(min_value=0, max_value=7)),
)
RULES = [
    COUNT,
    {
        "type": "threshold",
        "badge_slug": "m",
        "aggregate_slug": "total_activity_points",
        "thresholds": [{"variant": "gold", "value": 12}],
    },
    {
        "type": "streak",
        "badge_slug": "s",
        "streak_type": "daily",
        "activity_definitions": ["^r"],
        "thresholds": [{"variant": "bronze", "days": 2}, {"variant": "silver", "days": 4}],
    },
    {
        "type": "streak",
        "badge_slug": "s",
        "streak_type": "weekly",
        "thresholds": [{"variant": "gold", "days": 3}],
    },
    {
        "type": "growth",
        "badge_slug": "g",
        "aggregate_slug": "activity_count",
        "period": "month",
        "thresholds": [{"variant": "bronze", "percentage_increase": 20}],
    },
    {
        "type": "composite",
        "badge_slug": "c",
        "operator": "OR",
        "variant": "gold",
        "conditions": [
            {"aggregate_slug": "active_days", "operator": ">=", "value": 3},
            {"aggregate_slug": "activity_count:issue", "operator": ">", "value": 2},
        ],
    },
]


def _awards_for(activities: list[tuple[str, str, int, int | None]], order: list[int]) -> list:
    from zoneinfo import ZoneInfo

    db = Database.memory()
    w = BadgeWorld(db)
    for who in ("cy", "ann", "Ben"):
        w.contributor(who)
    for d in reversed(_DEFS):
        w.definition(d, points=2)
    for b in ("m", "s", "g", "c"):
        w.badge(b)
    for i in order:
        who, d, minutes, pts = activities[i]
        stamp = datetime(2024, 1, 20, tzinfo=UTC).timestamp() + minutes * 20 * 60
        at = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        w.activity(who, d, at, points=pts, slug=f"s{i:04d}")
    w.run(RULES, now=datetime(2024, 3, 20, 6, 0, tzinfo=UTC), tz=ZoneInfo("Asia/Kolkata"))
    rows = db.query("SELECT * FROM contributor_badge ORDER BY slug")
    db.close()
    return rows


@settings(max_examples=40, deadline=None)
@given(
    activities=st.lists(_activity, min_size=0, max_size=40),
    data=st.data(),
)
def test_core_81_same_data_any_order_same_awards(activities: list, data: st.DataObject) -> None:
    order = data.draw(st.permutations(list(range(len(activities)))))
    assert _awards_for(activities, order) == _awards_for(activities, list(range(len(activities))))
