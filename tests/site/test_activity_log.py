"""The site's columnar activity log (CORE-80): same answers as the rows it replaces.

Every check compares the log with a direct SQL reading of the same public DB, so a wrong day,
window bound, grouping or detail lookup shows up as a difference, not as a smaller number.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sitefixture import NOW, make_config, make_data_dir

from leaderboard.config.model import Config
from leaderboard.db.database import Database
from leaderboard.publicdb import build_public_db
from leaderboard.site.activitylog import ActivityLog, LocalDays, instant_ms
from leaderboard.site.snapshot import Snapshot, load_snapshot
from leaderboard.timeutil import canonical, from_canonical


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("log")
    _, db_path = make_data_dir(root)
    working = Database.open(db_path)
    with working.transaction():
        for aggregate, name in (("pr_merged_count", None), ("review_count", "Reviews")):
            if name:
                working.execute(
                    "INSERT INTO contributor_aggregate_definition(slug, name, description) "
                    "VALUES (?,?,?)",
                    (aggregate, name, "Reviews given"),
                )
            for user, value in (("alice", 7), ("bob", 3)):
                working.execute(
                    "INSERT INTO contributor_aggregate(aggregate, contributor, value) VALUES (?,?,?)",
                    (aggregate, user, f'{{"type":"number","value":{value}}}'),
                )
    target = root / "public.db"
    build_public_db(working, target, config=make_config(), now=NOW, site_url="https://example.org")
    working.close()
    return target


@pytest.fixture(scope="module")
def snap(public: Path) -> Snapshot:
    return load_snapshot(Database.open(public, readonly=True), make_config(), NOW)


def _rows(public: Path) -> list[tuple[str, str, str, str, int]]:
    """(occurred_at, slug, contributor, definition, points) of listed activities ≤ now, in order."""
    db = Database.open(public, readonly=True)
    try:
        return db.execute(
            "SELECT occurred_at, slug, contributor, activity_definition, effective_points "
            "FROM activity WHERE occurred_at <= ? ORDER BY occurred_at, slug",
            (canonical(NOW),),
        ).fetchall()
    finally:
        db.close()


def test_columns_match_the_rows(public: Path, snap: Snapshot) -> None:
    log = snap.log
    rows = [r for r in _rows(public) if r[2] in snap.people]
    assert len(log) == len(rows) > 100
    tz = snap.tz
    for i, (occurred_at, _, contributor, definition, points) in enumerate(rows):
        assert log.names[log.who[i]] == contributor
        assert log.kinds[log.kind[i]] == definition
        assert log.points[i] == points
        assert log.at[i] == instant_ms(occurred_at)
        assert log.day[i] == from_canonical(occurred_at).astimezone(tz).date().toordinal()


def test_span_bisects_like_text_comparison(public: Path, snap: Snapshot) -> None:
    rows = [r for r in _rows(public) if r[2] in snap.people]
    times = [r[0] for r in rows]
    for start, end in [
        (None, times[-1]),
        (times[3], times[40]),
        (times[10], times[10]),
        ("2026-04-01T00:00:00.000Z", "2026-04-08T12:30:00.000Z"),
    ]:
        for inclusive in (True, False):
            expected = [
                i
                for i, t in enumerate(times)
                if (start is None or t >= start) and (t <= end if inclusive else t < end)
            ]
            assert list(snap.log.span(start, end, end_inclusive=inclusive)) == expected


def test_positions_per_person_are_oldest_first(snap: Snapshot) -> None:
    log = snap.log
    for username in snap.people:
        mine = [i for i in range(len(log)) if log.names[log.who[i]] == username]
        assert list(log.of(username)) == mine
        assert log.first(username) == (mine[0] if mine else None)
        assert log.last(username) == (mine[-1] if mine else None)
    assert list(log.of("nobody")) == []
    totals = log.totals()
    assert totals["alice"] == (
        sum(log.points[i] for i in log.of("alice")),
        len(log.of("alice")),
    )


_INHERITED: dict[str, ActivityLog] = {}


def _details_in(log: ActivityLog, positions: list[int]) -> list[tuple[str, str | None]]:
    return [(a.slug, a.text) for a in log.details(positions)]


def _details_in_child(positions: list[int]) -> tuple[list[tuple[str, str | None]], bool]:
    log = _INHERITED["log"]
    rows = _details_in(log, positions)
    return rows, log._conn() is not log._db


def test_details_read_the_strings_back_in_the_order_asked(public: Path, snap: Snapshot) -> None:
    log = snap.log
    positions = list(log.of("bob"))[::-1][:12]
    acts = log.details(positions)
    db = Database.open(public, readonly=True)
    for i, act in zip(positions, acts, strict=True):
        row = db.query_one("SELECT * FROM activity WHERE slug = ?", (act.slug,))
        assert row is not None
        assert (act.contributor, act.definition, act.points) == (
            "bob",
            row["activity_definition"],
            row["effective_points"],
        )
        assert (act.title, act.occurred_at, act.link, act.text) == (
            row["title"],
            row["occurred_at"],
            row["link"],
            row["text"],
        )
        assert act.day == date.fromordinal(log.day[i])
    db.close()
    assert log.details([]) == []


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)
def test_a_forked_process_reads_details_on_its_own_connection(snap: Snapshot) -> None:
    log = snap.log
    positions = list(log.of("alice"))[:5]
    expected = _details_in(log, positions)
    _INHERITED["log"] = log  # inherited by the forked child, as the profile renderers do
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            rows, own = pool.apply(_details_in_child, (positions,))
    finally:
        _INHERITED.clear()
    assert rows == expected and own
    assert log._conn() is log._db  # the parent keeps its handle


@pytest.mark.parametrize(
    "zone", ["Asia/Kolkata", "America/New_York", "Australia/Lord_Howe", "Europe/London", "UTC"]
)
def test_local_days_equal_the_zone_database(zone: str) -> None:
    tz = ZoneInfo(zone)
    local = LocalDays(tz)
    probes = [datetime(1969, 12, 31, 23, 30, tzinfo=UTC), datetime(2101, 1, 1, 3, tzinfo=UTC)]
    start = datetime(2024, 3, 9, tzinfo=UTC)
    probes += [start + timedelta(minutes=7 * i) for i in range(0, 60 * 24 * 3 // 7)]  # US DST
    start = datetime(2024, 4, 6, tzinfo=UTC)
    probes += [start + timedelta(minutes=5 * i) for i in range(0, 60 * 24 * 2 // 5)]  # AU DST
    for instant in probes:
        ms = instant_ms(canonical(instant))
        assert local.ordinal(ms) == instant.astimezone(tz).date().toordinal(), instant


def test_instant_ms_orders_like_canonical_text() -> None:
    texts = sorted(
        canonical(datetime(2020, 1, 1, tzinfo=UTC) + timedelta(milliseconds=7919 * i))
        for i in range(500)
    )
    values = [instant_ms(t) for t in texts]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert instant_ms("1970-01-01T00:00:01.001Z") == 1001


def _with_aggregates(config: Config, shown: tuple[str, ...]) -> Config:
    lb = dataclasses.replace(config.leaderboard, contributor_aggregates=shown)
    return dataclasses.replace(config, leaderboard=lb)


def test_only_the_shown_contributor_aggregates_are_loaded(public: Path) -> None:
    config = _with_aggregates(make_config(), ("total_points", "review_count"))
    snap = load_snapshot(Database.open(public, readonly=True), config, NOW)
    assert snap.contributor_aggregates["alice"] == {"review_count": {"type": "number", "value": 7}}
    assert "pr_merged_count" not in snap.contributor_aggregates["bob"]


def test_a_profile_shows_a_configured_contributor_aggregate(public: Path) -> None:
    from leaderboard.site.icons import Icons
    from leaderboard.site.model import Features, SiteModel
    from leaderboard.site.pages.profile import build_profile
    from leaderboard.site.urls import Urls

    config = _with_aggregates(make_config(), ("total_points", "review_count"))
    snap = load_snapshot(Database.open(public, readonly=True), config, NOW)
    model = SiteModel(
        snap, config, Urls.create("https://example.org", "/", None), Features(), Icons()
    )
    _, ctx = build_profile(model, "alice", {})
    assert [(k.label, k.value) for k in ctx.stats] == [
        ("Total Points", str(snap.log.totals()["alice"][0])),
        ("Reviews", "7"),
    ]
