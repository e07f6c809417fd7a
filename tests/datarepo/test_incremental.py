"""Incremental import and export (CORE-80 via datarepo/syncstate.py): skipping must never change
what a full import/export would do."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from datarepo.helpers import NOW, make_config
from leaderboard.datarepo import export_repo, import_snapshot, read_repo
from leaderboard.datarepo import exporter as exporter_module
from leaderboard.datarepo.importer import BULK_ROWS
from leaderboard.datarepo.snapshot import RepoSnapshot
from leaderboard.datarepo.syncstate import load_state, synced_kinds
from leaderboard.db import Database
from leaderboard.declarations import Declarations
from leaderboard.identities import rebuild_index

CONFIG = make_config(timezone="Asia/Kolkata")
DEFS = [
    {"slug": "pr_opened", "name": "PR opened", "description": "d", "points": 5, "icon": None},
    {"slug": "comment", "name": "Comment", "description": "d", "points": 1, "icon": None},
]


def _activity(user: str, i: int) -> dict[str, object]:
    return {
        "slug": f"{user}-a{i:04d}",
        "contributor": user,
        "activity_definition": "pr_opened" if i % 2 else "comment",
        "title": f"Title {i} — ünï",
        "occurred_at": f"2024-0{1 + i % 5}-{10 + i % 17:02d}T10:{i % 60:02d}:00.000Z",
        "link": None,
        "text": 'say "hi"\n' if i % 3 == 0 else None,
        "points": None if i % 4 else 3,
        "meta": {"repo": "r", "n": i} if i % 2 else None,
    }


def make_repo(root: Path, users: int = 3, per_user: int = 5) -> Path:
    """A small data repo whose activity files are exactly in export form."""
    (root / "contributors").mkdir(parents=True)
    (root / "activities" / "contributors").mkdir(parents=True)
    (root / "activities" / "definitions.json").write_text(json.dumps(DEFS, indent=2))
    for u in range(users):
        user = f"user{u}"
        (root / "contributors" / f"{user}.md").write_text("---\nrole: core\n---\n")
        acts = sorted(
            (_activity(user, i) for i in range(per_user)),
            key=lambda a: (a["occurred_at"], a["slug"]),
        )
        text = "".join(
            json.dumps(a, ensure_ascii=False, separators=(",", ":")) + "\n" for a in acts
        )
        (root / "activities" / "contributors" / f"{user}.jsonl").write_text(text)
    return root


def read(data: Path, db_path: Path, now=NOW) -> RepoSnapshot:  # type: ignore[no-untyped-def]
    return read_repo(
        data, config=CONFIG, declarations=Declarations(), now=now, state=load_state(str(db_path))
    )


def run(data: Path, db_path: Path, now=NOW):  # type: ignore[no-untyped-def]
    """`run import export` against a file DB, as the pipeline does it."""
    snap = read(data, db_path, now)
    db = Database.open(db_path)
    try:
        import_snapshot(db, snap, declarations=Declarations(), config=CONFIG)
        stats = export_repo(db, data, tz=CONFIG.tz, imported=snap)
    finally:
        db.close()
    return snap, stats


def table(db_path: Path, name: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)


def files(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def activity_files(paths: list[str]) -> list[str]:
    return [p for p in paths if p.startswith("activities/contributors/")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "data")


def test_core_80_unchanged_activity_files_are_not_parsed_again(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    first, stats = run(repo, db_path)
    assert not first.deferred and not first.problems
    assert not activity_files(stats.written)  # they were already in export form
    snap = read(repo, db_path)
    assert snap.deferred == {"activity": sorted(snap.deferred["activity"])}
    assert len(snap.deferred["activity"]) == 3
    assert not list(snap.rows("activity"))
    full = read_repo(repo, config=CONFIG, declarations=Declarations(), now=NOW)
    assert not full.deferred
    assert snap.files_checked == full.files_checked
    assert snap.fully_imported() == full.fully_imported()
    assert snap.problems == full.problems == []


def test_core_80_second_run_equals_full_run_and_writes_nothing(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    before_files = files(repo)
    before_rows = table(db_path, "activity")

    def boom(row: object) -> str:
        raise AssertionError("activity files must not be rendered again")

    monkeypatch.setattr(exporter_module, "render_activity", boom)
    snap, stats = run(repo, db_path)
    assert "activity" in snap.deferred
    assert not stats.written and not stats.deleted
    assert files(repo) == before_files
    assert table(db_path, "activity") == before_rows
    # Same DB content as a fresh full import of the same files.
    monkeypatch.undo()
    fresh = tmp_path / "fresh.db"
    run(repo, fresh)
    assert table(fresh, "activity") == before_rows


def test_core_80_changed_file_is_parsed_and_wins(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    path = repo / "activities" / "contributors" / "user1.jsonl"
    path.write_text(path.read_text().replace("Title 1 ", "Edited 1 "))
    snap, _ = run(repo, db_path)
    assert "activity" not in snap.deferred
    titles = {r[0]: r[3] for r in table(db_path, "activity")}
    assert titles["user1-a0001"] == "Edited 1 — ünï"


def test_core_80_same_bytes_new_mtime_still_skips(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    path = repo / "activities" / "contributors" / "user2.jsonl"
    os.utime(path, ns=(1, 1))
    snap, stats = run(repo, db_path)
    assert "activity" in snap.deferred
    assert not stats.written


def test_core_80_db_write_invalidates_and_file_wins(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    with sqlite3.connect(db_path) as conn:  # any writer, even outside our code
        conn.execute("UPDATE activity SET title = 'changed in db' WHERE slug = 'user0-a0001'")
    snap, _ = run(repo, db_path)
    assert "activity" not in snap.deferred
    titles = {r[0]: r[3] for r in table(db_path, "activity")}
    assert titles["user0-a0001"] == "Title 1 — ünï"
    assert "activity" in synced_kinds(Database.open(db_path, readonly=True))


def test_core_80_header_lost_before_import_loads_deferred_rows(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    snap = read(repo, db_path)
    assert "activity" in snap.deferred
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM activity")  # trigger drops the header
    db = Database.open(db_path)
    import_snapshot(db, snap, declarations=Declarations(), config=CONFIG)
    assert db.scalar("SELECT count(*) FROM activity") == 15
    db.close()


def test_core_80_earlier_now_reparses_for_future_warnings(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    earlier = NOW.replace(year=2024, month=3, day=1)
    snap = read(repo, db_path, now=earlier)
    assert "activity" not in snap.deferred
    assert any(p.code == "future-activity" for p in snap.problems)


def test_core_80_problems_anywhere_mean_full_parse(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    (repo / "contributors" / "bad.md").write_text("---\nrole: 0\n---\n")
    snap = read(repo, db_path)
    assert not snap.deferred
    assert len(list(snap.rows("activity"))) == 15


def test_core_80_new_contributor_changes_validation_key(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    (repo / "contributors" / "newbie.md").write_text("---\nrole: core\n---\n")
    snap = read(repo, db_path)
    assert "activity" not in snap.deferred


def test_core_45_reordered_file_is_kept_then_skipped(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    path = repo / "activities" / "contributors" / "user0.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(reversed(lines)) + "\n")  # valid, not in export order
    reordered = path.read_bytes()
    _, stats = run(repo, db_path)
    assert activity_files(stats.written) == []  # the same rows: kept (CORE-45)
    assert path.read_bytes() == reordered
    snap, stats = run(repo, db_path)
    assert not stats.written
    assert "activity" in snap.deferred  # recorded with the bytes read and validated


def test_core_45_non_export_form_file_with_a_changed_row_is_rewritten(
    repo: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "w.db"
    path = repo / "activities" / "contributors" / "user0.jsonl"
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["title"] = "a new title"
    lines[0] = json.dumps(first, separators=(",", ":"))
    path.write_text("\n".join(reversed(lines)) + "\n")
    run(repo, db_path)  # imports the file as it is: its rows are the DB's
    db = Database.open(db_path)
    try:
        with db.transaction():
            db.execute("UPDATE activity SET title = 'edited' WHERE slug = ?", (first["slug"],))
        stats = export_repo(db, repo, tz=CONFIG.tz, imported=None)  # `run export`
    finally:
        db.close()
    assert activity_files(stats.written) == ["activities/contributors/user0.jsonl"]
    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(o["occurred_at"], o["slug"]) for o in written] == sorted(
        (o["occurred_at"], o["slug"]) for o in written
    )
    assert {o["slug"]: o["title"] for o in written}[first["slug"]] == "edited"


def test_core_80_bulk_first_import_keeps_indexes(tmp_path: Path) -> None:
    data = make_repo(tmp_path / "data", users=2, per_user=BULK_ROWS // 2 + 5)
    db_path = tmp_path / "w.db"
    fresh = Database.open(tmp_path / "ref.db")
    expected = fresh.execute(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'activity' ORDER BY name"
    ).fetchall()
    fresh.close()
    run(data, db_path)
    db = Database.open(db_path)
    assert (
        db.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'activity' ORDER BY name"
        ).fetchall()
        == expected
    )
    assert db.scalar("SELECT count(*) FROM activity") == 2 * (BULK_ROWS // 2 + 5)
    assert db.scalar("PRAGMA integrity_check") == "ok"
    db.close()


def test_core_80_bulk_first_import_still_refuses_a_dangling_reference(tmp_path: Path) -> None:
    """Foreign keys are checked once after a first bulk import instead of row by row; a row
    naming no contributor (impossible from validated files) still rolls the import back."""
    data = make_repo(tmp_path / "data", users=2, per_user=BULK_ROWS // 2 + 5)
    db_path = tmp_path / "w.db"
    snap = read(data, db_path)
    unit = snap.units["activity"][-1]
    unit.row = (unit.row[0], "nobody", *unit.row[2:])
    db = Database.open(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            import_snapshot(db, snap, declarations=Declarations(), config=CONFIG)
        assert db.scalar("SELECT count(*) FROM activity") == 0
        assert db.scalar("SELECT count(*) FROM contributor") == 0
        assert db.scalar("PRAGMA foreign_keys") == 1
    finally:
        db.close()


def test_core_62_unchanged_identity_index_writes_nothing(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    db = Database.open(db_path)
    before = db.changes_total()
    rebuild_index(db, CONFIG.leaderboard.identity)
    assert db.changes_total() == before
    assert db.scalar("SELECT count(*) FROM contributor_identity") == 3
    db.close()


def test_core_80_missing_trigger_means_nothing_is_trusted(repo: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER _datarepo_sync_activity_update")
    assert load_state(str(db_path)) is None
    snap = read(repo, db_path)
    assert not snap.deferred


def test_core_53_protected_files_still_warn_when_rows_are_unchanged(
    repo: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "w.db"
    run(repo, db_path)
    (repo / "activities" / "definitions.json").write_text(json.dumps(DEFS[:1], indent=2))
    snap = read(repo, db_path).without_invalid()
    db = Database.open(db_path)
    import_snapshot(db, snap, declarations=Declarations(), config=CONFIG)
    stats = export_repo(db, repo, tz=CONFIG.tz, imported=snap)
    db.close()
    assert any("rows not exported" in w for w in stats.warnings)


def test_core_45_differently_written_lines_with_the_same_rows_are_kept(
    repo: Path, tmp_path: Path
) -> None:
    """Not just reordered: keys in another order and spaces after separators still import to
    the same rows, so the file is kept; a legacy key (a warning) makes export rewrite it."""
    db_path = tmp_path / "w.db"
    kept = repo / "activities" / "contributors" / "user0.jsonl"
    objs = [json.loads(line) for line in kept.read_text().splitlines()]
    kept.write_text("".join(json.dumps(o, sort_keys=True) + "\n" for o in reversed(objs)))
    legacy = repo / "activities" / "contributors" / "user1.jsonl"
    objs = [json.loads(line) for line in legacy.read_text().splitlines()]
    objs[0]["occured_at"] = objs[0].pop("occurred_at")
    legacy.write_text("".join(json.dumps(o) + "\n" for o in objs))
    before = kept.read_bytes()
    _, stats = run(repo, db_path)
    assert activity_files(stats.written) == ["activities/contributors/user1.jsonl"]
    assert kept.read_bytes() == before
    assert "occured_at" not in legacy.read_text()


def test_core_80_dangling_references_agree_with_the_pragma(tmp_path: Path) -> None:
    """The first bulk import's one foreign-key check (distinct values instead of every row)
    finds exactly what `PRAGMA foreign_key_check` finds: a contributor in another case is
    found (the key is NOCASE), an unknown contributor or definition is not, in any table."""
    from leaderboard.datarepo.importer import ACTIVITY_REFERENCES, _dangling_references

    db = Database.open(tmp_path / "w.db")
    try:
        assert {(r[3], r[2], r[4]) for r in db.execute("PRAGMA foreign_key_list(activity)")} == {
            (c, p, k) for c, _, p, k in ACTIVITY_REFERENCES
        }
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("INSERT INTO contributor(username, role) VALUES ('Alice', 'core')")
        db.execute(
            "INSERT INTO activity_definition(slug, name, description) VALUES ('pr', 'P', '')"
        )
        insert = (
            "INSERT INTO activity(slug, contributor, activity_definition, occurred_at) "
            "VALUES (?, ?, ?, '2024-01-01T00:00:00.000Z')"
        )
        db.execute(insert, ("a1", "ALICE", "pr"))
        assert _dangling_references(db) == [] == db.execute("PRAGMA foreign_key_check").fetchall()
        for slug, who, what in (("a2", "bob", "pr"), ("a3", "Alice", "PR")):
            db.execute(insert, (slug, who, what))
            assert _dangling_references(db) == db.execute("PRAGMA foreign_key_check").fetchall()
            assert _dangling_references(db)
            db.execute("DELETE FROM activity WHERE slug = ?", (slug,))
        db.execute(
            "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on) "
            "VALUES ('b1', 'none', 'Alice', 'v', '2024-01-01')"
        )
        assert _dangling_references(db) == db.execute("PRAGMA foreign_key_check").fetchall()
        assert _dangling_references(db)
    finally:
        db.close()
