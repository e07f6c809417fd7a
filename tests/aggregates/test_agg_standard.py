"""Standard aggregation (CORE-59…CORE-62): exact JSON, tz dates, stability, staleness."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aggworld import AggWorld

from leaderboard.aggregates import run_standard_aggregation

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
NOW_TEXT = "2024-03-10T12:00:00.000Z"


def _seed(w: AggWorld) -> None:
    w.contributor("alice").contributor("bob").contributor("carol")
    w.definition("pr_merged", "PR Merged", 5).definition("comment", "Comment", None)
    w.definition("unused", "Unused", 1)
    # 2024-02-29T19:00Z is 2024-03-01 00:30 in Kolkata: a different day than in UTC.
    w.activity("alice", "pr_merged", "2024-02-29T19:00:00.000Z")  # 5 (definition points)
    w.activity("alice", "comment", "2024-02-29T18:00:00.000Z")  # 0 (null everywhere) 23:30 IST
    w.activity("alice", "comment", "2024-03-01T05:00:00.000Z", points=2)
    w.activity("alice", "pr_merged", "2024-03-02T10:00:00.000Z", points=0)  # explicit 0 wins
    w.activity("bob", "comment", "2024-01-01T00:00:00.000Z", points=1)


def test_core_61_contributor_rows_exact_json(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    calc = '{"calculated_at":"' + NOW_TEXT + '"}'
    expected = {
        "total_activity_points": '{"type":"number","value":7,"format":"integer"}',
        "activity_count": '{"type":"number","value":4,"format":"integer"}',
        "first_activity_date": '{"type":"string","value":"2024-02-29"}',
        "last_activity_date": '{"type":"string","value":"2024-03-02"}',
        "active_days": '{"type":"number","value":3,"format":"integer","unit":"days"}',
        "avg_points_per_activity": '{"type":"number","value":1.75,"format":"decimal","decimals":2}',
    }
    for slug, value in expected.items():
        assert world.contributor_row("alice", slug) == {"value": value, "meta": calc}, slug
    assert world.contributor_row("alice", "activity_count:pr_merged") == {
        "value": '{"type":"number","value":2,"format":"integer"}',
        "meta": '{"activity_definition":"pr_merged","calculated_at":"' + NOW_TEXT + '"}',
    }
    # Zero counts produce no row; contributors without activities have no standard rows.
    assert world.contributor_row("bob", "activity_count:pr_merged") is None
    assert (
        world.db.scalar("SELECT COUNT(*) FROM contributor_aggregate WHERE contributor='carol'") == 0
    )


def test_core_61_dates_use_tz_not_utc(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=ZoneInfo("UTC"))
    # In UTC, 18:00Z and 19:00Z on 29 Feb are the same day; 05:00Z on 1 March another.
    assert world.contributor_row("alice", "active_days")["value"].count('"value":3') == 1
    assert '"2024-02-29"' in world.contributor_row("alice", "first_activity_date")["value"]
    ny = ZoneInfo("America/New_York")
    run_standard_aggregation(world.db, now=NOW, tz=ny)
    # New York: 29 Feb 13:00/14:00, 1 Mar 00:00, 2 Mar 05:00 → 3 distinct days still,
    # but bob's 2024-01-01T00:00Z is 31 Dec 2023 there.
    assert '"2023-12-31"' in world.contributor_row("bob", "first_activity_date")["value"]


def test_core_59_global_rows_exact_json(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    assert world.global_row("total_contributors") == {
        "value": '{"type":"number","value":3,"format":"integer"}',
        "meta": '{"calculated_at":"' + NOW_TEXT + '"}',
    }
    assert world.global_row("total_activities")["value"] == (
        '{"type":"number","value":5,"format":"integer"}'
    )
    # Window [2024-02-09T17:30 IST-ish, now]: alice only (bob's activity is in January).
    assert world.global_row("active_contributors_last_30d") == {
        "value": '{"type":"number","value":1,"format":"integer"}',
        "meta": '{"calculated_at":"' + NOW_TEXT + '","period_start":"2024-02-09",'
        '"period_end":"2024-03-10"}',
    }
    assert world.global_row("activity_count:unused") == {
        "value": '{"type":"number","value":0,"format":"integer"}',
        "meta": '{"activity_definition":"unused","calculated_at":"' + NOW_TEXT + '"}',
    }
    row = world.db.query_one("SELECT * FROM global_aggregate WHERE slug='activity_count:comment'")
    assert row is not None
    assert (row["name"], row["description"], row["hidden"]) == (
        "Comment Count",
        "Total number of Comment activities",
        0,
    )


def test_core_59_active_window_includes_both_ends(world: AggWorld) -> None:
    world.contributor("a").contributor("b").contributor("c").definition("x", "X")
    world.activity("a", "x", NOW_TEXT)  # exactly now
    world.activity("b", "x", "2024-02-09T12:00:00.000Z")  # exactly now − 30 days
    world.activity("c", "x", "2024-02-09T11:59:59.999Z")  # just before
    run_standard_aggregation(world.db, now=NOW, tz=ZoneInfo("UTC"))
    assert '"value":2' in world.global_row("active_contributors_last_30d")["value"]


def test_core_60_definitions(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    rows = world.db.query(
        "SELECT slug, name, description, hidden FROM contributor_aggregate_definition ORDER BY slug"
    )
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["avg_points_per_activity"] == {
        "slug": "avg_points_per_activity",
        "name": "Average Points Per Activity",
        "description": "Average points earned per activity",
        "hidden": 0,
    }
    assert by_slug["activity_count:comment"]["description"] == (
        "Number of Comment activities by the contributor"
    )
    assert len(rows) == 6 + 3


def test_core_62_unchanged_data_keeps_calculated_at(world: AggWorld) -> None:
    _seed(world)
    first = run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    assert first.any_change
    before = world.db.query("SELECT * FROM contributor_aggregate ORDER BY aggregate, contributor")
    later = datetime(2024, 3, 10, 15, 0, tzinfo=UTC)  # same local date → same window dates
    again = run_standard_aggregation(world.db, now=later, tz=KOLKATA)
    assert (again.changed, again.deleted) == (0, 0)
    assert (
        world.db.query("SELECT * FROM contributor_aggregate ORDER BY aggregate, contributor")
        == before
    )
    assert world.db.get_meta("data_updated_at") == NOW_TEXT


def test_core_62_changed_value_gets_new_calculated_at(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    world.activity("bob", "comment", "2024-03-10T01:00:00.000Z", points=4)
    later = datetime(2024, 3, 10, 13, 0, tzinfo=UTC)
    stats = run_standard_aggregation(world.db, now=later, tz=KOLKATA)
    assert stats.contributor_changed > 0
    assert world.contributor_row("bob", "total_activity_points")["meta"] == (
        '{"calculated_at":"2024-03-10T13:00:00.000Z"}'
    )
    assert world.contributor_row("alice", "total_activity_points")["meta"] == (
        '{"calculated_at":"' + NOW_TEXT + '"}'
    )
    assert world.db.get_meta("data_updated_at") == "2024-03-10T13:00:00.000Z"


def test_core_62_imported_rows_in_other_formatting_count_as_unchanged(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    world.db.execute(
        "UPDATE contributor_aggregate SET value = ?, meta = ? "
        "WHERE contributor='alice' AND aggregate='activity_count'",
        (
            '{ "type": "number", "value": 4.0, "format": "integer" }',
            '{"calculated_at": "2020-01-01T00:00:00.000Z"}',
        ),
    )
    stats = run_standard_aggregation(world.db, now=NOW.replace(hour=14), tz=KOLKATA)
    assert stats.contributor_changed == 0  # same value and meta, only formatted differently
    meta = json.loads(world.contributor_row("alice", "activity_count")["meta"])
    assert meta == {"calculated_at": "2020-01-01T00:00:00.000Z"}


def test_core_62_meta_key_order_difference_is_rewritten(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    world.db.execute(
        "UPDATE global_aggregate SET meta = ? WHERE slug = 'activity_count:comment'",
        ('{"calculated_at":"2020-01-01T00:00:00.000Z","activity_definition":"comment"}',),
    )
    later = NOW.replace(hour=14)
    run_standard_aggregation(world.db, now=later, tz=KOLKATA)
    assert world.global_row("activity_count:comment")["meta"] == (
        '{"activity_definition":"comment","calculated_at":"2024-03-10T14:00:00.000Z"}'
    )


def test_core_62_stale_rows_deleted_plugin_rows_kept(world: AggWorld) -> None:
    _seed(world)
    world.db.execute(
        "INSERT INTO contributor_aggregate_definition(slug, name) VALUES('plugin_score', 'Score')"
    )
    world.db.execute(
        "INSERT INTO contributor_aggregate(aggregate, contributor, value) "
        "VALUES('plugin_score', 'bob', '{\"type\":\"number\",\"value\":9}')"
    )
    world.db.execute(
        "INSERT INTO global_aggregate(slug, name, value) VALUES('plugin_kpi', 'KPI', '{}')"
    )
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    # bob loses his only activity; alice's comments are re-labelled as PRs; `unused` is removed.
    world.db.execute("DELETE FROM activity WHERE contributor='bob'")
    world.db.execute(
        "UPDATE activity SET activity_definition='pr_merged' WHERE contributor='alice'"
    )
    world.db.execute("DELETE FROM activity_definition WHERE slug='unused'")
    stats = run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    assert stats.deleted > 0
    bob = world.db.query("SELECT aggregate FROM contributor_aggregate WHERE contributor='bob'")
    assert bob == [{"aggregate": "plugin_score"}]
    assert world.contributor_row("alice", "activity_count:comment") is None
    assert world.global_row("activity_count:unused") is None
    assert world.global_row("plugin_kpi") is not None
    assert (
        world.db.scalar(
            "SELECT COUNT(*) FROM contributor_aggregate_definition WHERE slug='activity_count:unused'"
        )
        == 0
    )
    # Comment still exists as a definition, so its global count (now 0) stays.
    assert '"value":0' in world.global_row("activity_count:comment")["value"]


def test_core_62_extra_column_survives_rewrites(world: AggWorld) -> None:
    _seed(world)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    world.db.execute(
        "UPDATE contributor_aggregate SET extra='{\"note\":1}' "
        "WHERE contributor='alice' AND aggregate='activity_count'"
    )
    world.activity("alice", "comment", "2024-03-09T00:00:00.000Z")
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    row = world.db.query_one(
        "SELECT value, extra FROM contributor_aggregate "
        "WHERE contributor='alice' AND aggregate='activity_count'"
    )
    assert row == {"value": '{"type":"number","value":5,"format":"integer"}', "extra": '{"note":1}'}


def test_core_61_avg_rounds_like_upstream(world: AggWorld) -> None:
    world.contributor("a").definition("x", "X")
    for p in (1, 1, 0):  # 2/3 = 0.666… → 0.67
        world.activity("a", "x", "2024-03-01T00:00:00.000Z", points=p)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    assert '"value":0.67,' in world.contributor_row("a", "avg_points_per_activity")["value"]


def test_core_62_empty_database(world: AggWorld) -> None:
    stats = run_standard_aggregation(world.db, now=NOW, tz=KOLKATA)
    assert world.global_row("total_activities")["value"] == (
        '{"type":"number","value":0,"format":"integer"}'
    )
    assert stats.global_changed == 3
    assert run_standard_aggregation(world.db, now=NOW, tz=KOLKATA).any_change is False


def test_new_25_daily_caps_zero_points_past_the_cap_per_local_day(world: AggWorld) -> None:
    world.contributor("a").definition("comment", "Comment", 2)
    # Kolkata days: three comments on 1 March (local), one on 2 March.
    for at in (
        "2024-02-29T18:40:00.000Z",
        "2024-03-01T01:00:00.000Z",
        "2024-03-01T10:00:00.000Z",
        "2024-03-01T18:40:00.000Z",
    ):
        world.activity("a", "comment", at)
    run_standard_aggregation(world.db, now=NOW, tz=KOLKATA, daily_caps={"comment": 2})
    assert '"value":6,' in world.contributor_row("a", "total_activity_points")["value"]
    assert '"value":4,' in world.contributor_row("a", "activity_count")["value"]
