"""CORE-30 namespaces: reads, writes normalised like import, ValidationError for bad values."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from querydb import add_activity, add_contributor, add_definition

import leaderboard.queries as queries
from leaderboard.db import Database
from leaderboard.errors import ValidationError
from leaderboard.models import (
    Activity,
    ActivityDefinition,
    AggregateDefinition,
    BadgeDefinition,
    Contributor,
    ContributorAggregate,
    ContributorBadge,
    GlobalAggregate,
)
from leaderboard.population import Population
from leaderboard.queries import (
    activities,
    activity_definitions,
    aggregate_definitions,
    badge_definitions,
    contributor_aggregates,
    contributor_badges,
    contributors,
    global_aggregates,
)
from leaderboard.queries.types import ContributorTotals

NUMBER = {"type": "number", "value": 3, "format": "integer"}
VARIANTS = {
    "gold": {"description": "G", "svg_url": "g.svg", "order": 3},
    "bronze": {"description": "B", "svg_url": "b.svg", "order": 1},
}


def test_module_object_is_usable_as_ctx_queries(db: Database) -> None:
    contributors.upsert(db, {"username": "alice", "role": "member"})
    assert queries.contributors.get(db, "alice")["role"] == "member"  # type: ignore[index]
    for name in ("activity_definitions", "global_aggregates", "aggregate_definitions",
                 "contributor_aggregates", "badge_definitions", "contributor_badges",
                 "leaderboards", "activities"):  # fmt: skip
        assert hasattr(queries, name)


def test_contributors_crud_and_case_insensitive_matching(db: Database) -> None:
    assert contributors.insert_or_ignore(
        db, Contributor(username="Alice", role="member", name="", social_profiles={"github": "x"})
    )
    assert not contributors.insert_or_ignore(db, {"username": "alice", "role": "core"})
    row = contributors.get(db, "ALICE")
    assert row is not None
    assert (row["username"], row["role"], row["name"]) == ("Alice", "member", None)
    assert row["social_profiles"] == {"github": "x"}
    # upsert keeps the stored spelling and replaces every column; unknown keys go to extra.
    assert (
        contributors.upsert(
            db, {"username": "alice", "role": "core", "bot": True, "pronouns": "she/her"}
        )
        == "Alice"
    )
    row = contributors.get(db, "alice")
    assert row is not None
    assert (row["role"], row["bot"], row["social_profiles"]) == ("core", True, None)
    assert row["extra"] == {"pronouns": "she/her"}
    contributors.upsert(
        db, {"username": "bob", "role": "member", "joining_date": "2024-01-31T23:30:00-05:00"}
    )
    assert contributors.get(db, "bob")["joining_date"] == "2024-02-01"  # type: ignore[index]
    assert contributors.usernames(db) == ["Alice", "bob"]
    assert contributors.count(db) == 2
    assert [c["username"] for c in contributors.get_by_role(db, "core")] == ["Alice"]
    assert [c["username"] for c in contributors.get_all(db)] == ["Alice", "bob"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"username": "a/b", "role": "m"}, "must not contain '/'"),
        ({"username": "a", "role": 0}, "role must be a string"),
        ({"username": "a"}, "missing required key 'role'"),
        ({"username": "a", "role": "m", "visibility": "secret"}, "visibility must be one of"),
        ({"username": "a", "role": "m", "bot": "yes"}, "bot must be a boolean"),
        ({"username": "a", "role": "m", "joining_date": "soon"}, "joining_date must be"),
        ({"username": "a", "role": "m", "social_profiles": {"x": 1}}, "social_profiles must be"),
        ({"username": "a", "role": "m", "identities": {"github": 3}}, "identities must be"),
        ({"username": "a", "role": "m", "pseudonym": "x y"}, "whitespace"),
    ],
)
def test_contributor_writes_reject_what_import_rejects(
    db: Database, record: dict, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        contributors.upsert(db, record)


def test_contributor_delete_removes_references(db: Database) -> None:
    add_contributor(db, "alice")
    add_definition(db, "pr", 1)
    add_activity(db, "a1", "alice", "pr", "2024-01-01T00:00:00.000Z")
    assert contributors.delete(db, "ALICE")
    assert not contributors.delete(db, "alice")
    assert activities.count(db) == 0


def test_activity_definitions(db: Database) -> None:
    assert activity_definitions.insert_or_ignore(
        db, ActivityDefinition(slug="pr", name="PR", description="d", points=10)
    )
    assert not activity_definitions.insert_or_ignore(
        db, {"slug": "pr", "name": "X", "description": ""}
    )
    activity_definitions.upsert(
        db, {"slug": "pr", "name": "Pull", "description": "d", "points": 5.0}
    )
    assert activity_definitions.get(db, "pr")["points"] == 5  # type: ignore[index]
    assert [d["slug"] for d in activity_definitions.get_all(db)] == ["pr"]
    assert activity_definitions.count(db) == 1
    with pytest.raises(ValidationError, match="points must be an integer"):
        activity_definitions.upsert(
            db, {"slug": "x", "name": "X", "description": "", "points": 1.5}
        )
    with pytest.raises(ValidationError, match="missing required key 'description'"):
        activity_definitions.upsert(db, {"slug": "x", "name": "X"})


def test_activities_writes_normalise(db: Database) -> None:
    tz = ZoneInfo("Europe/Berlin")
    add_contributor(db, "Alice")
    add_definition(db, "pr", 10)
    activities.upsert(
        db,
        Activity(slug="a1", contributor="alice", activity_definition="pr",
                 occurred_at="2024-03-01 10:00", meta={"n": 1}),
        tz=tz,
    )  # fmt: skip
    row = activities.get(db, "a1")
    assert row is not None
    assert (row["contributor"], row["occurred_at"], row["meta"]) == (
        "Alice", "2024-03-01T09:00:00.000Z", {"n": 1},
    )  # fmt: skip
    n = activities.upsert_many(
        db,
        [
            {"slug": "a2", "contributor": "ALICE", "activity_definition": "pr",
             "occured_at": "2024-03-02T00:00:00Z", "points": 3, "source": "x"},
            {"slug": "a1", "contributor": "alice", "activity_definition": "pr",
             "occurred_at": "2024-03-01T09:00:00Z", "points": 0},
        ],
    )  # fmt: skip
    assert n == 2
    assert activities.get(db, "a2")["extra"] == {"source": "x"}  # type: ignore[index]
    assert activities.get(db, "a1")["points"] == 0  # type: ignore[index]
    assert activities.count(db) == 2
    assert [a["slug"] for a in activities.get_all(db)] == ["a2", "a1"]
    assert [a["slug"] for a in activities.get_all(db, offset=1)] == ["a1"]
    assert [a["slug"] for a in activities.get_all(db, limit=1)] == ["a2"]
    assert [a["slug"] for a in activities.raw_by_contributor(db, "alice")] == ["a1", "a2"]
    assert activities.delete(db, "a2") and not activities.delete(db, "a2")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"slug": "x", "contributor": "nobody", "activity_definition": "pr",
          "occurred_at": "2024-01-01"}, "unknown contributor 'nobody'"),
        ({"slug": "x", "contributor": "alice", "activity_definition": "nope",
          "occurred_at": "2024-01-01"}, "unknown activity definition 'nope'"),
        ({"slug": "x", "contributor": "alice", "activity_definition": "pr",
          "occurred_at": "yesterday"}, "occurred_at must be a timestamp"),
        ({"slug": "x", "contributor": "alice", "activity_definition": "pr",
          "occurred_at": "2024-01-01", "occured_at": "2024-01-02"}, "differ"),
        ({"slug": "", "contributor": "alice", "activity_definition": "pr",
          "occurred_at": "2024-01-01"}, "slug must not be empty"),
        ({"slug": "x", "contributor": "alice", "activity_definition": "pr",
          "occurred_at": "2024-01-01", "points": "5"}, "points must be an integer"),
        ({"slug": "x", "contributor": "alice", "activity_definition": "pr",
          "occurred_at": "2024-01-01", "meta": {1, 2}}, "not JSON-compatible"),
    ],
)  # fmt: skip
def test_activity_writes_reject_what_import_rejects(
    db: Database, record: dict, message: str
) -> None:
    add_contributor(db, "alice")
    add_definition(db, "pr", 10)
    with pytest.raises(ValidationError, match=message):
        activities.upsert(db, record)


def test_upsert_many_is_all_or_nothing(db: Database) -> None:
    add_contributor(db, "alice")
    add_definition(db, "pr", 10)
    good = {
        "slug": "g",
        "contributor": "alice",
        "activity_definition": "pr",
        "occurred_at": "2024-01-01",
    }
    with pytest.raises(ValidationError):
        activities.upsert_many(db, [good, {**good, "slug": "b", "contributor": "zed"}])
    assert activities.count(db) == 0


def test_enriched_activities_and_counts(db: Database) -> None:
    add_contributor(db, "alice", name="Alice A")
    add_contributor(db, "bot1", "bot")
    add_definition(db, "pr", 10)
    add_definition(db, "comment", 1)
    add_activity(db, "a1", "alice", "pr", "2024-01-01T10:00:00.000Z")
    add_activity(db, "a2", "alice", "comment", "2024-01-02T10:00:00.000Z", 4)
    add_activity(db, "a3", "alice", "comment", "2024-01-02T11:00:00.000Z")
    add_activity(db, "a4", "bot1", "comment", "2024-01-02T11:00:00.000Z")
    add_activity(db, "a5", "alice", "pr", "2024-02-01T00:00:00.000Z")
    rows = activities.by_contributor(db, "Alice", limit=2, now="2024-01-31T00:00:00.000Z")
    assert [r["slug"] for r in rows] == ["a3", "a2"]
    assert rows[1]["definition_name"] == "Comment" and rows[1]["contributor_name"] == "Alice A"
    ranked = Population()
    window = ("2024-01-01T00:00:00.000Z", "2024-01-31T00:00:00.000Z")
    assert [r["slug"] for r in activities.in_range(db, *window)] == ["a1", "a2", "a3", "a4"]
    assert [r["slug"] for r in activities.in_range(db, *window, population=ranked)] == [
        "a1",
        "a2",
        "a3",
    ]
    assert [r["slug"] for r in activities.recent(db, *window, ranked, limit=2)] == ["a3", "a2"]
    grouped = activities.recent_by_definition(db, *window, ranked)
    assert {k: [r["slug"] for r in v] for k, v in grouped.items()} == {
        "comment": ["a3", "a2"], "pr": ["a1"],
    }  # fmt: skip
    assert [r["slug"] for r in activities.by_definitions(db, ["pr"])] == ["a1", "a5"]
    assert activities.by_definitions(db, []) == []
    assert activities.total_points(db, "alice") == 25
    assert activities.total_points(db, "alice", now="2024-01-31T00:00:00.000Z") == 15
    assert activities.total_points(db, "nobody") == 0
    assert activities.counts_by_date(db, "alice") == {
        "2024-01-01": 1,
        "2024-01-02": 2,
        "2024-02-01": 1,
    }
    assert activities.counts_by_date(db, population=ranked, end="2024-01-31T00:00:00.000Z") == {
        "2024-01-01": 1, "2024-01-02": 2,
    }  # fmt: skip
    assert activities.counts_by_definition(db, "alice") == {
        "comment": {"count": 2, "points": 5}, "pr": {"count": 2, "points": 20},
    }  # fmt: skip
    series = activities.day_series(
        db, "2023-12-31T12:00:00.000Z", "2024-01-03T12:00:00.000Z", ranked
    )
    assert series.dates == ["2023-12-31", "2024-01-01", "2024-01-02", "2024-01-03"]
    assert (series.counts, series.points) == ([0, 1, 2, 0], [0, 10, 5, 0])
    # every contributor's totals in one pass (the site's JSON API and OG images use these)
    end = "2024-01-31T00:00:00.000Z"
    totals = activities.totals_by_contributor(db, end=end)
    assert totals["alice"] == ContributorTotals(
        15, 3, 2, "2024-01-01T10:00:00.000Z", "2024-01-02T11:00:00.000Z"
    )
    assert totals["bot1"].points == 1 and set(totals) == {"alice", "bot1"}
    assert (
        activities.totals_by_contributor(db, end=end, active_days=False)["alice"].active_days == 0
    )
    assert activities.totals_by_contributor_and_definition(db, end=end)["alice"] == {
        "comment": {"count": 2, "points": 5}, "pr": {"count": 1, "points": 10},
    }  # fmt: skip


def test_global_aggregates(db: Database) -> None:
    global_aggregates.upsert(db, GlobalAggregate(slug="b", name="B", value=NUMBER, hidden=True))
    global_aggregates.upsert(
        db, {"slug": "a", "name": "A", "value": {"type": "string", "value": "x"}}
    )
    assert [g["slug"] for g in global_aggregates.get_all(db)] == ["a", "b"]
    assert global_aggregates.get(db, "b")["hidden"] is True  # type: ignore[index]
    assert [g["slug"] for g in global_aggregates.visible(db)] == ["a"]
    assert [g["slug"] for g in global_aggregates.by_slugs(db, ["b", "zz", "a"])] == ["b", "a"]
    assert global_aggregates.delete(db, "b") and global_aggregates.get(db, "b") is None
    for value, message in [
        ({"type": "number"}, "value.value must be a number"),
        ({"type": "number", "value": 1, "format": "weird"}, "value.format"),
        ({"type": "string", "value": 1}, "value.value must be a string"),
        ({"type": "statistics/number", "min": "x"}, "value.min must be a number"),
        ([1], "value must be an object"),
    ]:
        with pytest.raises(ValidationError, match=message):
            global_aggregates.upsert(db, {"slug": "x", "name": "X", "value": value})
    global_aggregates.upsert(db, {"slug": "u", "name": "U", "value": {"type": "future", "v": 1}})


def test_aggregate_definitions_and_contributor_aggregates(db: Database) -> None:
    add_contributor(db, "Alice")
    add_contributor(db, "bob")
    add_contributor(db, "hidden1", visibility="hidden")
    assert aggregate_definitions.insert_or_ignore(
        db, AggregateDefinition(slug="score", name="Score")
    )
    aggregate_definitions.upsert(db, {"slug": "secret", "name": "S", "hidden": 1})
    assert [d["slug"] for d in aggregate_definitions.visible(db)] == ["score"]
    assert aggregate_definitions.get(db, "secret")["hidden"] is True  # type: ignore[index]
    assert len(aggregate_definitions.get_all(db)) == 2
    contributor_aggregates.upsert(
        db, ContributorAggregate(aggregate="score", contributor="alice", value=NUMBER)
    )
    contributor_aggregates.upsert(
        db, {"aggregate": "score", "contributor": "bob", "value": {**NUMBER, "value": 7}}
    )
    contributor_aggregates.upsert(
        db, {"aggregate": "score", "contributor": "hidden1", "value": {**NUMBER, "value": 9}}
    )
    contributor_aggregates.upsert(
        db,
        {"aggregate": "secret", "contributor": "alice", "value": {"type": "string", "value": "s"}},
    )
    assert contributor_aggregates.get(db, "ALICE", "score")["contributor"] == "Alice"  # type: ignore[index]
    assert [a["aggregate"] for a in contributor_aggregates.by_contributor(db, "alice")] == [
        "score",
        "secret",
    ]
    assert len(contributor_aggregates.get_all(db)) == 4
    above = contributor_aggregates.above_threshold(db, "score", 3)
    assert [a["contributor"] for a in above] == ["hidden1", "bob", "Alice"]
    above = contributor_aggregates.above_threshold(db, "score", 3, Population())
    assert [a["contributor"] for a in above] == ["bob", "Alice"]
    enriched = contributor_aggregates.enriched(db, "alice", ["secret", "nope", "score"])
    assert [(e["slug"], e["name"], e["hidden"]) for e in enriched] == [
        ("secret", "S", True), ("score", "Score", False),
    ]  # fmt: skip
    assert contributor_aggregates.delete(db, "alice", "secret")
    with pytest.raises(ValidationError, match="unknown aggregate definition"):
        contributor_aggregates.upsert(
            db, {"aggregate": "nope", "contributor": "bob", "value": NUMBER}
        )
    with pytest.raises(ValidationError, match="unknown contributor"):
        contributor_aggregates.upsert(
            db, {"aggregate": "score", "contributor": "zed", "value": NUMBER}
        )


def test_badges(db: Database) -> None:
    for name, role in [
        ("alice", "member"),
        ("Bob", "member"),
        ("boss", "core"),
        ("carl", "member"),
    ]:
        add_contributor(db, name, role)
    assert badge_definitions.insert_or_ignore(
        db, BadgeDefinition(slug="star", name="Star", description="d", variants=VARIANTS)
    )
    badge_definitions.upsert(
        db,
        {
            "slug": "owl",
            "name": "Owl",
            "description": "d",
            "variants": {"one": {"description": "o", "svg_url": ""}},
        },
    )
    assert list(badge_definitions.get(db, "star")["variants"]) == ["gold", "bronze"]  # type: ignore[index]
    assert [b["slug"] for b in badge_definitions.get_all(db)] == ["owl", "star"]
    with pytest.raises(ValidationError, match="variants must be"):
        badge_definitions.upsert(db, {"slug": "x", "name": "X", "description": "d", "variants": {}})
    with pytest.raises(ValidationError, match="svg_url must be a string"):
        badge_definitions.upsert(
            db,
            {"slug": "x", "name": "X", "description": "d", "variants": {"a": {"description": "d"}}},
        )

    def award(slug: str, badge: str, who: str, variant: str, on: str) -> bool:
        return contributor_badges.award(
            db,
            ContributorBadge(
                slug=slug, badge=badge, contributor=who, variant=variant, achieved_on=on
            ),
        )

    assert award("s1", "star", "alice", "bronze", "2024-01-01")
    assert award("s2", "star", "alice", "gold", "2024-02-01")
    assert award("s3", "star", "bob", "bronze", "2024-02-01T23:00:00Z")
    assert award("s4", "star", "boss", "gold", "2024-03-01")
    assert award("s5", "owl", "carl", "one", "2024-02-01")
    assert not award("s1", "star", "alice", "bronze", "2024-05-05")  # same slug: ignored
    assert not award("s9", "star", "alice", "bronze", "2024-05-05")  # same triple: ignored
    assert contributor_badges.exists(db, "ALICE", "star", "gold")
    assert not contributor_badges.exists(db, "carl", "star", "gold")
    assert [b["slug"] for b in contributor_badges.by_contributor(db, "alice")] == ["s2", "s1"]
    assert [b["slug"] for b in contributor_badges.get_all(db)] == ["s4", "s2", "s3", "s5", "s1"]
    ranked = Population(hidden_roles=frozenset({"core"}))
    recent = contributor_badges.recent(db, 2, ranked)
    assert [r["slug"] for r in recent] == ["s2", "s3"]
    assert recent[0]["svg_url"] == "g.svg" and recent[0]["badge_name"] == "Star"
    assert recent[1]["contributor"] == "Bob" and recent[1]["achieved_on"] == "2024-02-01"
    earners = contributor_badges.top_earners(db, None, ranked)
    assert [(e["username"], e["count"]) for e in earners] == [("alice", 2), ("Bob", 1), ("carl", 1)]
    assert contributor_badges.award_counts(db, ranked) == {
        "owl": {"one": 1},
        "star": {"bronze": 2, "gold": 1},
    }
    assert contributor_badges.award_counts(db)["star"]["gold"] == 2
    assert contributor_badges.earners_by_badge(db, ranked) == {"owl": 1, "star": 2}
    assert contributor_badges.totals(db, ranked) == {"awards": 4, "earners": 3}
    assert contributor_badges.totals(db) == {"awards": 5, "earners": 4}
    with pytest.raises(ValidationError, match="unknown badge definition 'nope'"):
        award("s7", "nope", "alice", "x", "2024-01-01")
    with pytest.raises(ValidationError, match="achieved_on must be"):
        award("s7", "star", "alice", "x", "last week")
