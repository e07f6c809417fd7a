"""ECO-07 populations of the ranking tools: exclude_roles and include_bots (CORE-74)."""

from __future__ import annotations

from datetime import UTC, datetime

from leaderboard.db import Database
from leaderboard.mcp.params import validate
from leaderboard.mcp.source import Organisation
from leaderboard.mcp.tools import BY_NAME, Call, get_contributor_ranking, get_leaderboard

NOW = datetime(2025, 6, 30, 12, tzinfo=UTC)


def _db() -> Database:
    db = Database.memory()
    db.execute(
        "INSERT INTO activity_definition(slug, name, description, points) VALUES ('pr', 'PR', 'd', 3)"
    )
    people = [
        ("alice-the-maintainer", "maintainer", None, 5),
        ("bob", "contributor", None, 3),
        ("dependabot[bot]", "contributor", 1, 9),  # a bot by its profile, whatever its role
        ("renovate", "bot", None, 7),  # a bot by its role
        ("quiet-carol", "contributor", None, 0),
    ]
    for username, role, bot, count in people:
        db.execute(
            "INSERT INTO contributor(username, role, bot) VALUES (?, ?, ?)", (username, role, bot)
        )
        for i in range(count):
            db.execute(
                "INSERT INTO activity(slug, contributor, activity_definition, occurred_at) "
                "VALUES (?, ?, 'pr', ?)",
                (f"{username}-{i}", username, f"2025-06-{10 + i:02d}T10:00:00.000Z"),
            )
    return db


def _call(db: Database) -> Call:
    return Call(db, Organisation("Org", "UTC", hidden_roles=("bot",)), NOW)


def _board(db: Database, **args: object) -> list[str]:
    checked = validate(BY_NAME["get_leaderboard"].params, args)
    return [e["username"] for e in get_leaderboard(_call(db), checked)["leaderboard"]]


def test_bots_only_when_asked_and_roles_excluded_before_ranking() -> None:
    db = _db()
    assert _board(db) == ["alice-the-maintainer", "bob"]
    assert _board(db, include_bots=True) == ["dependabot[bot]", "alice-the-maintainer", "bob"]
    assert _board(db, include_bots=True, exclude_roles=[]) == [
        "dependabot[bot]", "renovate", "alice-the-maintainer", "bob",
    ]  # fmt: skip
    assert _board(db, exclude_roles=["maintainer"], limit=1) == ["bob"]  # excluded before limit


def test_ranking_counts_members_without_activity() -> None:
    db = _db()
    params = BY_NAME["get_contributor_ranking"].params
    bob = get_contributor_ranking(_call(db), validate(params, {"username": "BOB"}))
    assert (bob["rank"], bob["totalPoints"], bob["totalContributors"]) == (2, 9, 3)
    assert bob["percentile"] == round((3 - 2) / 3 * 100, 2)
    carol = get_contributor_ranking(_call(db), validate(params, {"username": "quiet-carol"}))
    assert (carol["rank"], carol["totalPoints"]) == (3, 0)
    bot = get_contributor_ranking(_call(db), validate(params, {"username": "dependabot[bot]"}))
    assert bot["rank"] is None and "bot" in bot["message"]
    ranked_bot = get_contributor_ranking(
        _call(db), validate(params, {"username": "dependabot[bot]", "include_bots": True})
    )
    assert ranked_bot["rank"] == 1 and ranked_bot["totalContributors"] == 4
