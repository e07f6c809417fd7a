"""NEW-04 / NEW-05: the public database is privacy-filtered, complete and deterministic."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from lbsample import HIDDEN, NOW, PSEUDO, fill_working, make_config

from leaderboard.config.model import PrivacyConfig
from leaderboard.db.database import Database
from leaderboard.errors import InvalidInputError
from leaderboard.explorer.page import EXAMPLES
from leaderboard.jsonfmt import loads
from leaderboard.publicdb import (
    assign_pseudonyms,
    build_public_db,
    derived_pseudonym,
    keyed_activities,
    public_db_in_memory,
    public_meta,
)


@pytest.fixture
def working() -> Database:
    db = Database.memory()
    fill_working(db, n_activities=300)
    return db


@pytest.fixture
def public(working: Database, tmp_path: Path) -> Path:
    return build_public_db(working, tmp_path / "data.db", config=make_config(), now=NOW)


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def all_text(path: Path) -> str:
    """Every value of every row of every table, as one string."""
    out = []
    for (table,) in rows(path, "SELECT name FROM sqlite_master WHERE type='table'"):
        for row in rows(path, f'SELECT * FROM "{table}"'):
            out.append(repr(row))
    return "\n".join(out)


def test_new_05_tables_and_columns(public: Path) -> None:
    objects = rows(
        public,
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name",
    )
    assert objects == [
        ("_activity", "table"),
        ("_leaderboard_public", "table"),
        ("activity", "view"),
        ("activity_definition", "table"),
        ("badge_definition", "table"),
        ("contributor", "table"),
        ("contributor_aggregate", "table"),
        ("contributor_aggregate_definition", "table"),
        ("contributor_badge", "table"),
        ("global_aggregate", "table"),
    ]
    assert rows(public, "PRAGMA table_info(activity)") == [
        (0, "slug", "TEXT", 0, None, 0),
        (1, "contributor", "TEXT", 0, None, 0),
        (2, "activity_definition", "TEXT", 0, None, 0),
        (3, "title", "TEXT", 0, None, 0),
        (4, "occurred_at", "TEXT", 0, None, 0),
        (5, "link", "TEXT", 0, None, 0),
        (6, "text", "TEXT", 0, None, 0),
        (7, "points", "INTEGER", 0, None, 0),
        (8, "meta", "JSON", 0, None, 0),
        (9, "effective_points", "INTEGER", 0, None, 0),
    ]
    cols = [r[1] for r in rows(public, "PRAGMA table_info(contributor)")]
    assert cols == [
        "username",
        "name",
        "role",
        "title",
        "avatar_url",
        "bio",
        "social_profiles",
        "joining_date",
        "meta",
        "is_bot",
    ]
    for table in ("activity", "activity_definition", "global_aggregate", "contributor_badge"):
        assert "extra" not in [r[1] for r in rows(public, f"PRAGMA table_info({table})")]


def test_new_05_file_settings_and_indexes(public: Path) -> None:
    assert rows(public, "PRAGMA page_size") == [(4096,)]
    assert rows(public, "PRAGMA journal_mode") == [("delete",)]
    indexes = {
        r[0]: r[1]
        for r in rows(public, "SELECT name, sql FROM sqlite_master WHERE type='index'")
        if r[1] is not None  # automatic primary-key indexes
    }
    assert sorted(indexes) == [
        "idx_activity_contributor",
        "idx_activity_occurred_at",
        "idx_contributor_aggregate_contributor",
        "idx_contributor_badge_achieved_on",
        "idx_contributor_badge_contributor",
        "idx_contributor_badge_unique",
    ]
    assert indexes["idx_activity_contributor"].endswith("(contributor,activity_definition,points)")
    assert rows(public, "PRAGMA integrity_check") == [("ok",)]


def test_new_04_hidden_contributor_appears_nowhere(public: Path, working: Database) -> None:
    assert HIDDEN in repr(working.query("SELECT * FROM activity WHERE contributor = ?", (HIDDEN,)))
    assert HIDDEN not in all_text(public)
    assert HIDDEN.encode() not in public.read_bytes()
    assert b"Hidden Person" not in public.read_bytes()


def test_new_04_pseudonymous_contributor_transformed(public: Path) -> None:
    pseudonym = derived_pseudonym(PSEUDO, "Acme")
    assert PSEUDO not in all_text(public)
    assert PSEUDO.encode() not in public.read_bytes()
    assert b"Quiet Pseudo Name" not in public.read_bytes()
    (row,) = rows(public, f"SELECT * FROM contributor WHERE username = '{pseudonym}'")
    assert row == (pseudonym, pseudonym, "contributor", None, None, None, None, None, None, 0)
    acts = rows(
        public,
        f"SELECT slug, title, link, text, meta FROM activity WHERE contributor = '{pseudonym}'",
    )
    assert acts
    original = "pr_opened-" + PSEUDO + "-x"
    expected_slug = f"{pseudonym}-{hashlib.sha256(original.encode()).hexdigest()[:12]}"
    assert (expected_slug, "PR opened", None, None, None) in acts
    assert all(a[0].startswith(pseudonym + "-") and a[2:] == (None, None, None) for a in acts)
    assert rows(
        public, f"SELECT slug FROM contributor_badge WHERE contributor = '{pseudonym}'"
    ) == [(f"first__{pseudonym}__bronze",)]
    assert rows(
        public, f"SELECT COUNT(*) FROM contributor_aggregate WHERE contributor = '{pseudonym}'"
    ) == [(1,)]
    assert loads(public_meta_rows(public)["pseudonyms"]) == [pseudonym]


def public_meta_rows(path: Path) -> dict[str, str | None]:
    return dict(rows(path, "SELECT key, value FROM _leaderboard_public"))


def test_new_05_public_meta_keys(public: Path) -> None:
    meta = public_meta_rows(public)
    assert meta["generated_at"] == "2025-03-01T12:00:00.000Z"
    assert meta["data_updated_at"] == "2025-02-28T10:00:00.000Z"
    assert meta["timezone"] == "Asia/Kolkata"
    assert meta["hidden_roles"] == '["intern"]'
    assert meta["bot_roles"] == '["bot"]'
    assert meta["site_url"] == "https://acme.test/lb"
    assert meta["package_version"]
    assert meta["schema_version"]


def test_core_74_is_bot(public: Path) -> None:
    bots = rows(public, "SELECT username FROM contributor WHERE is_bot = 1 ORDER BY username")
    assert bots == [("dependabot[bot]",), ("flaggedbot",)]


def test_core_58_effective_points_column(public: Path) -> None:
    mismatches = rows(
        public,
        "SELECT COUNT(*) FROM activity a JOIN activity_definition d ON d.slug = a.activity_definition "
        "WHERE a.effective_points != COALESCE(a.points, d.points, 0)",
    )
    assert mismatches == [(0,)]


def test_new_25_daily_caps_in_effective_points(working: Database, tmp_path: Path) -> None:
    working.execute("DELETE FROM activity WHERE activity_definition = 'comment'")
    working.executemany(
        "INSERT INTO activity(slug, contributor, activity_definition, occurred_at, points) "
        "VALUES (?, 'user000', 'comment', ?, ?)",
        [
            ("c-b", "2025-01-01T10:00:00.000Z", None),
            ("c-a", "2025-01-01T10:00:00.000Z", None),
            ("c-c", "2025-01-01T11:00:00.000Z", 5),
            ("c-d", "2025-01-02T11:00:00.000Z", None),
        ],
    )
    cfg = make_config(daily_caps={"comment": 1})
    path = build_public_db(working, tmp_path / "d.db", config=cfg, now=NOW)
    got = rows(
        path,
        "SELECT slug, points, effective_points FROM activity WHERE slug LIKE 'c-%' ORDER BY slug",
    )
    assert got == [("c-a", None, 1), ("c-b", None, 0), ("c-c", 5, 0), ("c-d", None, 1)]


def test_core_59_global_aggregates_recomputed(public: Path, working: Database) -> None:
    values = {
        slug: (loads(v), m and loads(m))
        for slug, v, m in rows(public, "SELECT slug, value, meta FROM global_aggregate")
    }
    n_public = rows(public, "SELECT COUNT(*) FROM contributor")[0][0]
    assert n_public == working.scalar("SELECT COUNT(*) FROM contributor") - 1
    assert values["total_contributors"][0] == {
        "type": "number",
        "value": n_public,
        "format": "integer",
    }
    n_acts = rows(public, "SELECT COUNT(*) FROM activity")[0][0]
    assert values["total_activities"][0]["value"] == n_acts
    assert values["activity_count:pr_opened"][1] == {
        "activity_definition": "pr_opened",
        "calculated_at": "2025-03-01T12:00:00.000Z",
    }
    active = values["active_contributors_last_30d"]
    assert list(active[1]) == ["calculated_at", "period_start", "period_end"]
    assert active[1]["period_end"] == "2025-03-01"
    assert values["plugin_stat"][0] == {"type": "string", "value": "ok"}


def test_core_62_unchanged_value_keeps_calculated_at(working: Database, tmp_path: Path) -> None:
    first = build_public_db(working, tmp_path / "a.db", config=make_config(), now=NOW)
    total = rows(first, "SELECT value, meta FROM global_aggregate WHERE slug='total_contributors'")[
        0
    ]
    working.execute(
        "UPDATE global_aggregate SET value = ?, meta = ? WHERE slug='total_contributors'", total
    )
    later = NOW.replace(day=2)
    second = build_public_db(working, tmp_path / "b.db", config=make_config(), now=later)
    assert (
        rows(second, "SELECT meta FROM global_aggregate WHERE slug='total_contributors'")[0][0]
        == total[1]
    )


def test_new_05_byte_identical(working: Database, tmp_path: Path) -> None:
    a = build_public_db(working, tmp_path / "a.db", config=make_config(), now=NOW)
    b = build_public_db(working, tmp_path / "b.db", config=make_config(), now=NOW)
    assert a.read_bytes() == b.read_bytes()
    other = Database.memory()
    fill_working(other, n_activities=300)
    c = build_public_db(other, tmp_path / "c.db", config=make_config(), now=NOW)
    assert c.read_bytes() == a.read_bytes()
    # a build's temporary copy is neither synced nor journalled: the same bytes
    d = build_public_db(working, tmp_path / "d.db", config=make_config(), now=NOW, durable=False)
    assert d.read_bytes() == a.read_bytes()


def test_new_09_unchanged_file_not_rewritten(working: Database, tmp_path: Path) -> None:
    target = build_public_db(working, tmp_path / "data.db", config=make_config(), now=NOW)
    before = target.stat().st_mtime_ns
    inode = target.stat().st_ino
    build_public_db(working, target, config=make_config(), now=NOW)
    assert target.stat().st_ino == inode
    assert target.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == ["data.db"]


def test_new_04_default_visibility_hidden(working: Database, tmp_path: Path) -> None:
    cfg = make_config(privacy=PrivacyConfig(default_visibility="hidden"))
    working.execute("UPDATE contributor SET visibility = 'public' WHERE username = 'user001'")
    path = build_public_db(working, tmp_path / "data.db", config=cfg, now=NOW)
    assert rows(path, "SELECT username FROM contributor") == [
        (derived_pseudonym(PSEUDO, "Acme"),),
        ("user001",),
    ]
    assert b"user000" not in path.read_bytes()


def test_new_04_pseudonym_salt_and_collision() -> None:
    cfg = make_config(privacy=PrivacyConfig(salt="pepper"))
    short = derived_pseudonym("Alice", "pepper")
    assert short == "contributor-" + hashlib.sha256(b"pepper:alice").hexdigest()[:8]
    plan = assign_pseudonyms(
        [("Alice", "pseudonymous", None), (short, None, None), ("bob", "pseudonymous", "robin")],
        salt="pepper",
        config=cfg,
    )
    assert (
        plan.pseudonyms["Alice"]
        == "contributor-" + hashlib.sha256(b"pepper:alice").hexdigest()[:12]
    )
    assert plan.pseudonyms["bob"] == "robin"
    with pytest.raises(InvalidInputError, match="pseudonym 'Alice'"):
        assign_pseudonyms(
            [("Alice", None, None), ("bob", "pseudonymous", "Alice")], salt="s", config=cfg
        )


def test_in_memory_public_view(working: Database) -> None:
    db = public_db_in_memory(working, config=make_config(), now=NOW)
    assert public_meta(db)["timezone"] == "Asia/Kolkata"
    assert db.scalar("SELECT COUNT(*) FROM contributor WHERE username = ?", (HIDDEN,)) == 0
    with pytest.raises(sqlite3.OperationalError):
        db.execute("DELETE FROM activity")


def test_new_05_site_url_override(working: Database, tmp_path: Path) -> None:
    cfg = make_config()
    path = build_public_db(
        working, tmp_path / "d.db", config=cfg, now=NOW, site_url="https://x.test/"
    )
    assert public_meta_rows(path)["site_url"] == "https://x.test"
    assert replace(cfg).meta.site_url == "https://acme.test/lb"


def test_core_80_attached_copy_equals_row_copy(working: Database, tmp_path: Path) -> None:
    """A file-backed working DB is copied with INSERT … SELECT through ATTACH; the result must
    be byte-identical to the Python row copy used for in-memory DBs (hidden and pseudonymous
    people included)."""
    by_rows = build_public_db(working, tmp_path / "rows.db", config=make_config(), now=NOW)
    on_disk = Database.open(tmp_path / "working.db")
    fill_working(on_disk, n_activities=300)
    on_disk.close()
    attached = Database.open(tmp_path / "working.db", readonly=True)
    try:
        by_sql = build_public_db(attached, tmp_path / "sql.db", config=make_config(), now=NOW)
    finally:
        attached.close()
    assert by_sql.read_bytes() == by_rows.read_bytes()
    assert PSEUDO not in all_text(by_sql) and HIDDEN not in all_text(by_sql)


def test_core_80_activity_view_resolves_integer_keys(public: Path, working: Database) -> None:
    """`_activity` stores rowids of `contributor` and `activity_definition`; the view shows the
    working DB's names, row for row, and the rows are stored in (occurred_at, slug) order."""
    view = rows(public, "SELECT slug, contributor, activity_definition, occurred_at, points "
                "FROM activity ORDER BY slug")  # fmt: skip
    public_people = {r[0] for r in rows(public, "SELECT username FROM contributor")}
    source = [
        tuple(r)
        for r in working.conn.execute(
            "SELECT slug, contributor, activity_definition, occurred_at, points FROM activity "
            "ORDER BY slug"
        )
        if r[1] in public_people
    ]
    assert source and set(source) <= set(view)
    stored = rows(public, "SELECT id, occurred_at, slug, typeof(contributor), "
                  "typeof(activity_definition) FROM _activity ORDER BY id")  # fmt: skip
    assert [r[0] for r in stored] == list(range(1, len(stored) + 1))
    assert [r[1:3] for r in stored] == sorted(r[1:3] for r in stored)
    assert {r[3:] for r in stored} == {("integer", "integer")}
    assert len(stored) == len(view)


def test_keyed_activities_finds_rows_in_both_schemas(public: Path, working: Database) -> None:
    """The site's row key: `_activity.id` in a public DB (a view has no rowid), the rowid in a
    working DB; either finds the same activity again."""
    pub = Database.open(public, readonly=True)
    try:
        for db in (pub, working):
            src = keyed_activities(db)
            key, slug = db.execute(f"SELECT a.key, a.slug FROM {src} a ORDER BY a.slug").fetchone()
            assert isinstance(key, int)
            again = db.execute(f"SELECT a.slug FROM {src} a WHERE a.key = ?", (key,)).fetchone()
            assert again[0] == slug
    finally:
        pub.close()


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Recent activity", "SCAN a USING INDEX idx_activity_occurred_at"),
        ("Top 10 by points", "SCAN a USING COVERING INDEX idx_activity_contributor"),
        ("Activity per contributor", "SCAN a USING COVERING INDEX idx_activity_contributor"),
        ("Badge holders", "SCAN b USING COVERING INDEX idx_contributor_badge_achieved_on"),
    ],
)
def test_core_80_explorer_examples_use_their_index(public: Path, label: str, expected: str) -> None:
    """The byte budgets of the explorer (2% / 30%) rest on these plans: the first step walks
    the narrow index, never the activity rows."""
    sql = dict(EXAMPLES)[label]
    plan = [r[3] for r in rows(public, "EXPLAIN QUERY PLAN " + sql)]
    assert plan[0] == expected, plan
    assert not any(step.startswith("SCAN") for step in plan[1:]), plan
