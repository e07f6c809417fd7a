"""CORE-76 leaderboards and the ranking-based shared queries of CORE-77."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from querydb import add_activity, add_contributor, add_definition

from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import leaderboards
from leaderboard.queries.ranking import rank_change

UTC = ZoneInfo("UTC")
NOW = "2024-06-30T12:00:00.000Z"  # week: [06-23T12:00, now]; previous: [06-16T12:00, 06-23T12:00)
RULES = Population(hidden_roles=frozenset({"core"}))


def _names(entries: list[leaderboards.LeaderboardEntry]) -> list[str]:
    return [e.username for e in entries]


@pytest.fixture
def world(db: Database) -> Database:
    add_definition(db, "pr", points=10)
    add_definition(db, "comment", points=1)
    for name, role, bot in [
        ("alice", "member", None), ("Bob", "member", None), ("carl", "member", None),
        ("dora", "member", None), ("eve", "member", None), ("Éva", "member", None),
        ("éva", "member", None), ("boss", "core", None), ("ci", "bot", None),
        ("zero", "member", None),
    ]:  # fmt: skip
        add_contributor(db, name, role, bot=bot)
    n = 0

    def act(who: str, definition: str, ts: str, points: int | None = None) -> None:
        nonlocal n
        n += 1
        add_activity(db, f"act-{n:03d}", who, definition, ts, points)

    # Current week.
    act("alice", "pr", "2024-06-29T10:00:00.000Z")  # 10
    act("Bob", "pr", "2024-06-28T10:00:00.000Z")  # 10
    act("carl", "pr", "2024-06-24T10:00:00.000Z")  # 10 (tie with alice, Bob)
    act("dora", "pr", "2024-06-25T10:00:00.000Z")
    act("dora", "pr", "2024-06-25T11:00:00.000Z")
    act("dora", "comment", "2024-06-26T11:00:00.000Z")  # 21
    act("eve", "comment", "2024-06-27T09:00:00.000Z", points=5)  # 5
    act("Éva", "comment", "2024-06-27T09:00:00.000Z")  # 1
    act("éva", "comment", "2024-06-27T09:00:00.000Z")  # 1
    act("boss", "pr", "2024-06-29T09:00:00.000Z", points=100)
    act("ci", "pr", "2024-06-29T09:00:00.000Z", points=50)
    act("zero", "comment", "2024-06-29T09:00:00.000Z", points=0)  # 0 points, still listed
    act("alice", "pr", "2024-06-30T12:00:00.001Z")  # after now: ignored
    # Previous week: carl 1st, alice 2nd, dora 3rd. Bob only before that (back).
    act("carl", "pr", "2024-06-20T10:00:00.000Z", points=30)
    act("alice", "pr", "2024-06-21T10:00:00.000Z", points=20)
    act("dora", "comment", "2024-06-22T10:00:00.000Z")
    act("dora", "comment", "2024-06-23T12:00:00.000Z")  # exactly at start: current window only
    act("Bob", "pr", "2024-05-01T10:00:00.000Z")
    return db


def test_core_76_order_and_ties(world: Database) -> None:
    board = leaderboards.period(world, "week", RULES, now=NOW, tz=UTC)
    assert _names(board.entries) == [
        "dora", "alice", "Bob", "carl", "eve", "Éva", "éva", "zero",
    ]  # fmt: skip
    assert [e.rank for e in board.entries] == list(range(1, 9))
    dora = board.entries[0]
    assert (dora.points, dora.activity_count) == (22, 4)
    assert dora.breakdown == {
        "comment": {"count": 2, "points": 2},
        "pr": {"count": 2, "points": 20},
    }
    assert board.entry("ALICE") is board.entries[1]
    assert board.entries[1].points == 10  # the activity after now is ignored
    assert board.entries[-1].points == 0


def test_core_76_previous_fields_and_rank_changes(world: Database) -> None:
    board = leaderboards.period(world, "week", RULES, now=NOW, tz=UTC)
    got = {e.username: (e.previous_rank, e.previous_points, e.rank_change, e.rank_delta)
           for e in board.entries}  # fmt: skip
    assert got["dora"] == (3, 1, "up", 2)
    assert got["alice"] == (2, 20, "same", 0)
    assert got["carl"] == (1, 30, "down", -3)
    assert got["Bob"] == (None, None, "back", None)
    assert got["eve"] == (None, None, "new", None)
    assert board.new_contributors == ["eve", "Éva", "éva", "zero"]
    assert board.previous_start == "2024-06-16T12:00:00.000Z"
    assert board.previous_end == "2024-06-23T12:00:00.000Z"


def test_core_74_hidden_roles_and_bots_only_in_their_populations(world: Database) -> None:
    ranked = leaderboards.period(world, "week", RULES, now=NOW, tz=UTC, daily=False)
    assert "boss" not in _names(ranked.entries) and "ci" not in _names(ranked.entries)
    bots = leaderboards.period(world, "week", RULES.bots, now=NOW, tz=UTC, daily=False)
    assert _names(bots.entries) == ["ci"] and bots.entries[0].is_bot
    listed = leaderboards.entries(world, None, NOW, RULES.listed, now=NOW, tz=UTC, daily=False)
    assert _names(listed)[:2] == ["boss", "ci"]


def test_core_75_day_series_zero_filled(world: Database) -> None:
    board = leaderboards.period(world, "week", RULES, now=NOW, tz=UTC)
    assert board.dates == [f"2024-06-{d}" for d in range(23, 31)]
    dora = board.entries[0].daily
    assert dora is not None and dora.dates is board.dates
    assert dora.points == [1, 0, 20, 1, 0, 0, 0, 0]
    assert dora.counts == [1, 0, 2, 1, 0, 0, 0, 0]
    assert board.entries[-1].daily.counts == [0, 0, 0, 0, 0, 0, 1, 0]  # type: ignore[union-attr]


def test_all_time_has_no_previous_fields(world: Database) -> None:
    board = leaderboards.period(world, "all-time", RULES, now=NOW, tz=UTC)
    assert board.start is None and board.previous_start is None
    assert _names(board.entries)[:3] == ["carl", "alice", "dora"]
    assert all(e.rank_change is None and e.previous_rank is None for e in board.entries)
    assert board.dates[0] == "2024-05-01" and board.dates[-1] == "2024-06-30"
    assert len(board.new_contributors) == len(board.entries)


def test_unknown_period_and_missing_now(world: Database) -> None:
    with pytest.raises(ValueError, match="unknown period 'fortnight'"):
        leaderboards.period(world, "fortnight", RULES, now=NOW)
    with pytest.raises(ValueError, match="now is required"):
        leaderboards.period(world, "week", RULES, now=None)


def test_entry_to_dict_is_json_ready(world: Database) -> None:
    board = leaderboards.period(world, "week", RULES, now=NOW, tz=UTC)
    data = board.entries[0].to_dict()
    assert list(data)[:4] == ["rank", "username", "name", "avatar_url"]
    assert data["daily"]["points"][2] == 20


def test_rank_change_rule() -> None:
    assert rank_change(1, 3, True) == ("up", 2)
    assert rank_change(3, 1, True) == ("down", -2)
    assert rank_change(2, 2, True) == ("same", 0)
    assert rank_change(2, None, True) == ("back", None)
    assert rank_change(2, None, False) == ("new", None)


def test_core_77_active_contributors_and_top_for_definition(world: Database) -> None:
    active = leaderboards.active_contributors(
        world, "2024-06-23T12:00:00.000Z", NOW, RULES, now=NOW, tz=UTC, limit=2
    )
    assert [(a["username"], a["points"]) for a in active] == [("dora", 22), ("alice", 10)]
    top = leaderboards.top_for_definition(
        world, "comment", "2024-06-23T12:00:00.000Z", NOW, RULES, now=NOW, tz=UTC
    )
    assert [(t["username"], t["count"], t["points"]) for t in top] == [
        ("dora", 2, 2), ("eve", 1, 5), ("Éva", 1, 1), ("éva", 1, 1), ("zero", 1, 0),
    ]  # fmt: skip


def test_core_77_contributor_summary(world: Database) -> None:
    summary = leaderboards.contributor_summary(world, "ALICE", RULES, now=NOW, tz=UTC)
    assert summary is not None
    assert summary["username"] == "alice"
    assert (summary["points"], summary["activity_count"], summary["active_days"]) == (30, 2, 2)
    assert summary["first_activity_at"] == "2024-06-21T10:00:00.000Z"
    assert summary["last_activity_at"] == "2024-06-29T10:00:00.000Z"
    assert summary["ranks"]["week"] == {"rank": 2, "of": 8, "points": 10, "activity_count": 1}
    assert summary["ranks"]["all-time"]["rank"] == 2
    assert summary["badge_count"] == 0
    boss = leaderboards.contributor_summary(world, "boss", RULES, now=NOW, tz=UTC)
    assert boss is not None and boss["ranks"]["week"] is None
    assert boss["not_ranked_reason"] == "hidden role"
    assert leaderboards.contributor_summary(world, "nobody", RULES, now=NOW, tz=UTC) is None


NY = ZoneInfo("America/New_York")


def test_core_12_window_in_new_york_across_dst_and_midnight(db: Database) -> None:
    """now = 23:30 EDT on Mar 11 2024; the week starts 23:30 EST on Mar 4 (DST began Mar 10)."""
    add_definition(db, "pr", points=1)
    add_contributor(db, "alice")
    for i, ts in enumerate(
        [
            "2024-03-05T04:00:00.000Z",  # Mar 4 23:00 EST: before the window
            "2024-03-05T04:45:00.000Z",  # Mar 4 23:45 EST: inside, date Mar 4
            "2024-03-11T03:30:00.000Z",  # Mar 10 23:30 EDT
            "2024-03-11T04:30:00.000Z",  # Mar 11 00:30 EDT
            "2024-03-12T03:30:00.000Z",  # exactly now: inside
            "2024-03-12T04:30:00.000Z",  # Mar 12 00:30 EDT: after now
        ]
    ):
        add_activity(db, f"a{i}", "alice", "pr", ts)
    board = leaderboards.period(db, "week", Population(), now="2024-03-12T03:30:00.000Z", tz=NY)
    assert board.start == "2024-03-05T04:30:00.000Z"
    assert board.dates == [f"2024-03-{d:02d}" for d in range(4, 12)]
    daily = board.entries[0].daily
    assert daily is not None
    assert daily.counts == [1, 0, 0, 0, 0, 0, 1, 2]
    assert board.entries[0].activity_count == 4
    # Local-midnight grouping of the shared counts query agrees.
    from leaderboard.queries import activities

    assert activities.counts_by_date(db, "alice", tz=NY, now="2024-03-12T03:30:00.000Z") == {
        "2024-03-04": 2, "2024-03-10": 1, "2024-03-11": 2,
    }  # fmt: skip
