"""The same queries on a public-DB-shaped database give the same answers (NEW-05, CORE-30)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from querydb import add_public_activity

from leaderboard.db import Database
from leaderboard.errors import LeaderboardError
from leaderboard.population import Population
from leaderboard.queries import (
    activities,
    contributor_badges,
    contributors,
    dbinfo,
    global_aggregates,
    is_public,
    leaderboards,
)

NOW = "2024-06-30T12:00:00.000Z"
BERLIN = ZoneInfo("Europe/Berlin")
PEOPLE = [("alice", "member", 0), ("Bob", "member", 0), ("boss", "core", 0), ("ci", "bot", 1)]
DEFINITIONS = [("pr", 10), ("comment", None)]
ACTS = [
    # slug, who, definition, occurred_at, stored points
    ("a1", "alice", "pr", "2024-06-29T22:30:00.000Z", None),
    ("a2", "alice", "comment", "2024-06-25T10:00:00.000Z", 2),
    ("a3", "Bob", "pr", "2024-06-24T10:00:00.000Z", 0),
    ("a4", "Bob", "comment", "2024-06-20T10:00:00.000Z", 3),
    ("a5", "boss", "pr", "2024-06-28T10:00:00.000Z", 50),
    ("a6", "ci", "pr", "2024-06-28T10:00:00.000Z", None),
    ("a7", "Bob", "pr", "2024-07-01T10:00:00.000Z", None),  # after now
]


def _fill(db: Database, public: bool) -> None:
    if public:
        db.executemany("INSERT INTO contributor (username, role, is_bot) VALUES (?, ?, ?)", PEOPLE)
        db.executemany(
            "INSERT INTO _leaderboard_public VALUES (?, ?)",
            [("hidden_roles", '["core"]'), ("bot_roles", '["bot"]'),
             ("timezone", "Europe/Berlin")],
        )  # fmt: skip
    else:
        db.executemany(
            "INSERT INTO contributor (username, role) VALUES (?, ?)", [p[:2] for p in PEOPLE]
        )
        dbinfo.store_scoring(db, timezone="Europe/Berlin")
    db.executemany(
        "INSERT INTO activity_definition (slug, name, description, points) VALUES (?, ?, '', ?)",
        [(s, s.title(), p) for s, p in DEFINITIONS],
    )
    defaults = dict(DEFINITIONS)
    for slug, who, definition, ts, points in ACTS:
        if public:
            effective = points if points is not None else (defaults[definition] or 0)
            add_public_activity(
                db, slug=slug, contributor=who, activity_definition=definition, occurred_at=ts,
                points=points, effective_points=effective,
            )  # fmt: skip
        else:
            db.execute(
                "INSERT INTO activity (slug, contributor, activity_definition, occurred_at, "
                "points) VALUES (?, ?, ?, ?, ?)",
                (slug, who, definition, ts, points),
            )
    db.execute(
        "INSERT INTO badge_definition VALUES ('star', 'Star', 'd', "
        '\'{"one":{"description":"x","svg_url":"s.svg"}}\'' + (")" if public else ", NULL)")
    )
    db.executemany(
        "INSERT INTO contributor_badge (slug, badge, contributor, variant, achieved_on) "
        "VALUES (?, 'star', ?, 'one', ?)",
        [("b1", "alice", "2024-06-01"), ("b2", "boss", "2024-06-02")],
    )


@pytest.fixture
def both(db: Database, public_db: Database) -> tuple[Database, Database]:
    _fill(db, public=False)
    _fill(public_db, public=True)
    return db, public_db


def _board(db: Database, name: str) -> list[dict]:
    rules = (
        Population.from_db(db) if is_public(db) else Population(hidden_roles=frozenset({"core"}))
    )
    board = leaderboards.period(db, name, rules, now=NOW)
    return [e.to_dict() for e in board.entries]


@pytest.mark.parametrize("period", ["week", "month", "all-time"])
def test_new_05_leaderboards_agree(both: tuple[Database, Database], period: str) -> None:
    working, public = both
    assert not is_public(working) and is_public(public)
    assert _board(working, period) == _board(public, period)
    assert _board(public, period)[0]["username"] == "alice"


def test_new_05_timezone_comes_from_the_db(both: tuple[Database, Database]) -> None:
    working, public = both
    assert dbinfo.timezone(public) == BERLIN == dbinfo.timezone(working)
    # a1 is 2024-06-30 00:30 in Berlin.
    for db in both:
        assert activities.counts_by_date(db, "alice") == {"2024-06-25": 1, "2024-06-30": 1}


def test_new_05_other_queries_agree(both: tuple[Database, Database]) -> None:
    working, public = both
    rules_w = Population(hidden_roles=frozenset({"core"}))
    rules_p = Population.from_db(public)
    assert rules_p == rules_w
    assert contributors.usernames(working, rules_w) == contributors.usernames(public, rules_p)
    assert contributors.usernames(public, rules_p.bots) == ["ci"]
    assert contributors.get(public, "ALICE")["is_bot"] is False  # type: ignore[index]

    def recent(db: Database, rules: Population) -> list[tuple[str, int]]:
        rows = activities.recent(db, "2024-06-01T00:00:00.000Z", NOW, rules, now=NOW)
        return [(r["slug"], r["points"]) for r in rows]

    assert recent(working, rules_w) == recent(public, rules_p) == [
        ("a1", 10), ("a2", 2), ("a3", 0), ("a4", 3),
    ]  # fmt: skip
    assert activities.total_points(working, "bob", now=NOW) == activities.total_points(
        public, "bob", now=NOW
    ) == 3  # fmt: skip
    assert contributor_badges.totals(working, rules_w) == contributor_badges.totals(public, rules_p)
    assert [r["slug"] for r in contributor_badges.recent(public, 5, rules_p)] == ["b1"]
    for db, rules in ((working, rules_w), (public, rules_p)):
        summary = leaderboards.contributor_summary(db, "bob", rules, now=NOW)
        assert summary is not None
        assert summary["ranks"]["week"] == {"rank": 2, "of": 2, "points": 0, "activity_count": 1}


def test_public_db_refuses_writes(public_db: Database) -> None:
    with pytest.raises(LeaderboardError, match="public database"):
        contributors.upsert(public_db, {"username": "x", "role": "m"})
    with pytest.raises(LeaderboardError, match="read-only"):
        global_aggregates.upsert(
            public_db, {"slug": "x", "name": "X", "value": {"type": "string", "value": ""}}
        )


def test_public_db_uses_the_effective_points_column(public_db: Database) -> None:
    """Caps were applied when the public DB was built; the stored column is the truth there."""
    _fill(public_db, public=True)
    public_db.execute("UPDATE _activity SET effective_points = 0 WHERE slug = 'a1'")
    assert activities.total_points(public_db, "alice", now=NOW) == 2
    board = leaderboards.period(public_db, "week", Population.from_db(public_db), now=NOW)
    assert [(e.username, e.points) for e in board.entries] == [("alice", 2), ("Bob", 0)]
