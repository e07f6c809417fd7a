"""README principle 11: the site's leaderboards equal the query layer's (CORE-76).

The site ranks from its in-memory snapshot (site/ranking.py) for speed; the JSON API and the MCP
server use `leaderboard.queries.leaderboards`. On a fixture with ties (ASCII-case tie-breaks),
a hidden role, bots, pseudonymous and hidden contributors, a non-UTC zone and previous-window
data, both must produce the same entries for every period and population.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sitefixture import NOW, make_config, make_data_dir

from leaderboard import population
from leaderboard.db.database import Database
from leaderboard.publicdb import build_public_db, plan_visibility
from leaderboard.queries import leaderboards
from leaderboard.site import ranking
from leaderboard.site.snapshot import Snapshot, load_snapshot
from leaderboard.timeutil import canonical

PERIODS = ["week", "month", "year", "all-time"]

# Two pairs of exact ties inside the week and again in the previous week, with usernames whose
# ASCII-case-insensitive order differs from byte order ("Zed" < "adam" in bytes).
TIES = [
    ("adam", [(1, 10), (2, 5), (9, 7)]),
    ("Zed", [(1, 15), (8, 7)]),
    ("beth", [(3, 4), (10, 3)]),
    ("Beto", [(3, 3), (4, 2), (10, 3)]),
]


def _add_ties(db_path: Path) -> None:
    db = Database.open(db_path)
    with db.transaction():
        for username, acts in TIES:
            db.execute(
                "INSERT INTO contributor(username, name, role, joining_date) VALUES (?,?,?,?)",
                (username, None, "contributor", "2021-01-01"),
            )
            for i, (days_ago, points) in enumerate(acts):
                occurred = NOW - timedelta(days=days_ago, hours=3)
                db.execute(
                    "INSERT INTO activity(slug, contributor, activity_definition, title, "
                    "occurred_at, points) VALUES (?,?,?,?,?,?)",
                    (
                        f"tie-{username}-{i}",
                        username,
                        "comment",
                        "tie",
                        canonical(occurred),
                        points,
                    ),
                )
        # an activity exactly at the start of the week window and one just after now
        db.execute(
            "INSERT INTO activity(slug, contributor, activity_definition, occurred_at, points) "
            "VALUES (?,?,?,?,?)",
            ("edge-start", "beth", "comment", canonical(NOW - timedelta(days=7)), 1),
        )
        db.execute(
            "INSERT INTO activity(slug, contributor, activity_definition, occurred_at, points) "
            "VALUES (?,?,?,?,?)",
            ("edge-future", "Zed", "comment", canonical(NOW + timedelta(minutes=1)), 50),
        )
    db.close()


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, Snapshot]:
    root = tmp_path_factory.mktemp("one-layer")
    _, db_path = make_data_dir(root)
    _add_ties(db_path)
    config = make_config()
    working = Database.open(db_path, readonly=True)
    target = root / "public.db"
    build_public_db(working, target, config=config, now=NOW, site_url="https://example.org")
    pseudonyms = set(plan_visibility(working, config).pseudonyms.values())
    working.close()
    public = Database.open(target, readonly=True)
    return public, load_snapshot(public, config, NOW, pseudonyms=pseudonyms)


def _site_rows(snap: Snapshot, period: str, pop: ranking.Population) -> list[tuple[object, ...]]:
    win = ranking.window(snap, period)
    return [
        (
            e.person.username,
            e.rank,
            e.points,
            e.activity_count,
            e.previous_points,
            e.previous_rank,
            e.rank_change,
            e.rank_delta,
            e.is_new,
            {k: {"count": c, "points": p} for k, (c, p) in e.breakdown.items()},
            e.daily_points,
            e.daily_counts,
        )
        for e in ranking.entries(snap, win, pop)
    ]


def _query_rows(db: Database, period: str, pop: population.Population) -> list[tuple[object, ...]]:
    board = leaderboards.period(db, period, pop, now=NOW, tz=make_config().tz)
    return [
        (
            e.username,
            e.rank,
            e.points,
            e.activity_count,
            e.previous_points,
            e.previous_rank,
            e.rank_change,
            e.rank_delta,
            e.is_new,
            e.breakdown,
            e.daily.points if e.daily else None,
            e.daily.counts if e.daily else None,
        )
        for e in board.entries
    ]


@pytest.mark.parametrize("period", PERIODS)
def test_principle_11_ranked_entries_equal_the_query_layer(
    dbs: tuple[Database, Snapshot], period: str
) -> None:
    public, snap = dbs
    site = _site_rows(snap, period, ranking.ranked)
    query = _query_rows(public, period, population.ranked(public))
    assert [r[0] for r in site] == [r[0] for r in query]
    assert site == query


@pytest.mark.parametrize("period", PERIODS)
def test_principle_11_bot_track_equals_the_query_layer(
    dbs: tuple[Database, Snapshot], period: str
) -> None:
    public, snap = dbs
    assert _site_rows(snap, period, ranking.bots) == _query_rows(
        public, period, population.bots(public)
    )


def test_fixture_really_covers_the_edge_cases(dbs: tuple[Database, Snapshot]) -> None:
    _, snap = dbs
    week = _site_rows(snap, "week", ranking.ranked)
    names = [r[0] for r in week]
    points = {r[0]: r[2] for r in week}
    assert points["adam"] == points["Zed"] and names.index("adam") < names.index("Zed")
    assert points["beth"] == points["Beto"] and names.index("beth") < names.index("Beto")
    changes = {r[6] for r in week}
    assert {"up", "down", "new"} <= changes or {"up", "down", "back"} <= changes
    everyone = set(snap.people)
    assert "erin" in everyone and "erin" not in names  # hidden role: listed, not ranked
    assert "renovate[bot]" not in names and "ghost" not in everyone
    assert any(p.pseudonymous for p in snap.people.values())
    assert str(snap.tz) == "Asia/Kolkata"


def _query_standings(db: Database) -> dict[str, dict[str, tuple[bool, int | None, int]]]:
    """The rank badges' standings (NEW-07) as the query layer gives them: the ranked board of
    each period, and the listed population's window totals for everyone else."""
    pop = population.Population.from_db(db)
    rows = {r["username"]: r for r in db.query("SELECT username, role, is_bot FROM contributor")}
    out: dict[str, dict[str, tuple[bool, int | None, int]]] = {u: {} for u in rows}
    tz = make_config().tz
    for period in PERIODS:
        board = {
            e.username: e
            for e in leaderboards.period(db, period, pop.ranked, now=NOW, tz=tz).entries
        }
        win = ranking.period_window(period, NOW, tz)
        totals = leaderboards.window_totals(db, win.start_text, canonical(NOW), pop.listed, tz=tz)
        for user, row in rows.items():
            entry = board.get(user)
            points = entry.points if entry else totals.get(user, (0, 0))[0]
            out[user][period] = (pop.ranked.contains(row), entry.rank if entry else None, points)
    return out


def _badge_standings(snap: Snapshot) -> dict[str, dict[str, tuple[bool, int | None, int]]]:
    from leaderboard.site.rankbadge import standings

    return {
        user: {p: (s.ranked, s.rank, s.points) for p, s in of_user.items()}
        for user, of_user in standings(snap).items()
    }


def test_new_07_rank_badge_standings_equal_the_query_layer(dbs: tuple[Database, Snapshot]) -> None:
    public, snap = dbs
    assert _badge_standings(snap) == _query_standings(public)


def test_new_07_a_zero_point_window_is_still_ranked(tmp_path: Path) -> None:
    """Unlike the site's boards (WEB-63), the query layer ranks a contributor whose activities
    in the window are worth 0 points; the badges keep its rule."""
    _, db_path = make_data_dir(tmp_path)
    _add_ties(db_path)
    db = Database.open(db_path)
    with db.transaction():
        db.execute(
            "INSERT INTO contributor(username, name, role, joining_date) VALUES (?,?,?,?)",
            ("nil", None, "contributor", "2021-01-01"),
        )
        db.execute(
            "INSERT INTO activity(slug, contributor, activity_definition, occurred_at, points) "
            "VALUES (?,?,?,?,?)",
            ("nil-0", "nil", "comment", canonical(NOW - timedelta(hours=1)), 0),
        )
    db.close()
    config = make_config()
    working = Database.open(db_path, readonly=True)
    build_public_db(working, tmp_path / "p.db", config=config, now=NOW, site_url="https://e.org")
    pseudonyms = set(plan_visibility(working, config).pseudonyms.values())
    working.close()
    public = Database.open(tmp_path / "p.db", readonly=True)
    snap = load_snapshot(public, config, NOW, pseudonyms=pseudonyms)
    badges = _badge_standings(snap)
    assert badges == _query_standings(public)
    ranked, rank, points = badges["nil"]["week"]
    assert ranked and rank is not None and points == 0
    public.close()
