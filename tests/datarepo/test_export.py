"""CORE-53: changed-only atomic export, stale files, flat layout, protected files, temp files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from datarepo.helpers import make_config, run_import_export, snapshot_of, tree
from leaderboard.datarepo import export_repo, import_snapshot
from leaderboard.db import Database
from leaderboard.declarations import Declarations
from leaderboard.errors import InvalidInputError

DEFS = '[\n  {\n    "slug": "pr",\n    "name": "PR",\n    "description": "d",\n    "points": 1,\n    "icon": null\n  }\n]'


def act(slug: str, contributor: str = "alice", when: str = "2024-01-01T00:00:00.000Z") -> str:
    return (
        f'{{"slug":"{slug}","contributor":"{contributor}","activity_definition":"pr",'
        f'"title":null,"occurred_at":"{when}","link":null,"text":null,"points":null,"meta":null}}\n'
    )


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def base(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "contributors/bob.md": "---\nrole: core\n---\n",
            "activities/definitions.json": DEFS,
        },
    )


def test_core_53_flat_layout_is_converted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    d = write(
        base(tmp_path),
        {"activities/alice.jsonl": act("a2", when="2024-02-01T00:00:00.000Z") + act("a1")},
    )
    with caplog.at_level(logging.INFO, logger="leaderboard.datarepo"):
        _, stats, _ = run_import_export(d)
    assert not (d / "activities/alice.jsonl").exists()
    assert (d / "activities/contributors/alice.jsonl").read_text() == act("a1") + act(
        "a2", when="2024-02-01T00:00:00.000Z"
    )
    assert "activities/alice.jsonl" in stats.deleted
    assert "moved activities/alice.jsonl into activities/contributors/" in caplog.text


def test_core_53_export_alone_leaves_flat_and_stale_files(tmp_path: Path) -> None:
    d = write(base(tmp_path), {"activities/alice.jsonl": act("a1")})
    config = make_config()
    db = Database.memory()
    snap = snapshot_of(d, config)
    import_snapshot(db, snap, declarations=Declarations(), config=config)
    (d / "contributors/ghost.md").write_text("---\nrole: core\n---\n")
    stats = export_repo(db, d, tz=config.tz, imported=None)
    assert (d / "activities/alice.jsonl").exists()
    assert (d / "contributors/ghost.md").exists()
    assert "stale file kept: contributors/ghost.md" in stats.warnings


def test_core_53_stale_file_deleted_only_when_fully_imported(tmp_path: Path) -> None:
    d = write(base(tmp_path), {"activities/contributors/alice.jsonl": act("a1")})
    _, _, db = run_import_export(d)
    # The activity moves to bob in the DB (as a merge would); alice's file is now stale.
    db.execute("UPDATE activity SET contributor = 'bob'")
    config = make_config()
    snap = snapshot_of(d, config)
    stats = export_repo(db, d, tz=config.tz, imported=snap)
    assert stats.deleted == ["activities/contributors/alice.jsonl"]
    assert (d / "activities/contributors/bob.jsonl").exists()


def test_core_53_changed_only_keeps_mtimes(tmp_path: Path) -> None:
    d = write(base(tmp_path), {"activities/contributors/alice.jsonl": act("a1")})
    run_import_export(d)
    before = tree(d)
    _, stats, db = run_import_export(d)
    assert stats.written == [] and tree(d) == before
    db.execute("UPDATE activity SET title = 'new'")
    stats = export_repo(db, d, tz=make_config().tz, imported=None)
    assert stats.written == ["activities/contributors/alice.jsonl"]
    after = tree(d)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"activities/contributors/alice.jsonl"}


def test_core_53_temp_files_are_cleaned(tmp_path: Path) -> None:
    d = write(
        base(tmp_path),
        {
            "activities/contributors/.alice.jsonl.abcd1234.tmp": "partial",
            "contributors/.bob.md.00ff00ff.tmp": "partial",
        },
    )
    _, stats, _ = run_import_export(d)
    assert sorted(stats.removed_temp_files) == [
        "activities/contributors/.alice.jsonl.abcd1234.tmp",
        "contributors/.bob.md.00ff00ff.tmp",
    ]
    assert not list(d.rglob("*.tmp"))


def test_core_55_import_refuses_snapshot_with_errors(tmp_path: Path) -> None:
    d = write(base(tmp_path), {"activities/contributors/alice.jsonl": "{bad\n"})
    snap = snapshot_of(d)
    with pytest.raises(InvalidInputError):
        import_snapshot(Database.memory(), snap, declarations=Declarations(), config=make_config())


def test_core_55_skip_invalid_cascade_and_protected_files(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "contributors/bob.md": "---\nrole: [unclosed\n---\n",  # invalid profile
            "activities/definitions.json": DEFS,
            "activities/contributors/alice.jsonl": act("a1") + act("b-in-alice", contributor="bob"),
            "activities/contributors/bob.jsonl": act("b1", contributor="bob"),
            "badges/definitions.json": '[{"slug":"x","name":"X","description":"d","variants":{"v":{"description":"d","svg_url":"u"}}}]',
            "badges/contributors/bob.jsonl": '{"slug":"x1","badge":"x","contributor":"bob","variant":"v","achieved_on":"2024-01-01"}\n',
        },
    )
    originals = {
        p: (d / p).read_bytes()
        for p in (
            "contributors/bob.md",
            "activities/contributors/alice.jsonl",
            "activities/contributors/bob.jsonl",
            "badges/contributors/bob.jsonl",
        )
    }
    snap, stats, db = run_import_export(d, skip_invalid=True)
    left_out = sorted((p.path, p.line) for p in snap.problems if p.code == "depends-on-invalid")
    assert left_out == [
        ("activities/contributors/alice.jsonl", 2),
        ("activities/contributors/bob.jsonl", 1),
        ("badges/contributors/bob.jsonl", 1),
    ]
    assert db.scalar("SELECT group_concat(slug) FROM activity") == "a1"
    # Protected files are neither rewritten nor deleted, valid rows in them are reported.
    for rel, content in originals.items():
        assert (d / rel).read_bytes() == content, rel
    assert (
        "1 rows not exported: activities/contributors/alice.jsonl has invalid content"
        in stats.warnings
    )


def test_core_41_case_only_rename_follows_references(tmp_path: Path) -> None:
    d = write(base(tmp_path), {"activities/contributors/alice.jsonl": act("a1")})
    _, _, db = run_import_export(d)
    db.execute("INSERT INTO contributor_aggregate_definition(slug, name) VALUES ('x', 'X')")
    db.execute(
        "INSERT INTO contributor_aggregate(aggregate, contributor, value) VALUES ('x', 'alice', '1')"
    )
    (d / "contributors/alice.md").rename(d / "contributors/Alice.md")
    (d / "activities/contributors/alice.jsonl").write_text(act("a1", contributor="Alice"))
    _, stats, db = run_import_export(d, db=db)
    assert db.scalar("SELECT username FROM contributor WHERE username = 'alice'") == "Alice"
    assert db.scalar("SELECT contributor FROM activity") == "Alice"
    assert db.scalar("SELECT contributor FROM contributor_aggregate") == "Alice"
    assert (d / "activities/contributors/Alice.jsonl").exists()
    assert "activities/contributors/alice.jsonl" in stats.deleted


def test_core_52_import_stats_and_upserts(tmp_path: Path) -> None:
    d = write(base(tmp_path), {"activities/contributors/alice.jsonl": act("a1") + act("a2")})
    config = make_config()
    db = Database.memory()
    stats = import_snapshot(db, snapshot_of(d, config), declarations=Declarations(), config=config)
    assert (stats.activities_inserted, stats.activities_updated, stats.contributors_created) == (
        2,
        0,
        2,
    )
    (d / "activities/contributors/alice.jsonl").write_text(
        act("a1") + act("a2").replace('"title":null', '"title":"T"') + act("a3")
    )
    stats = import_snapshot(db, snapshot_of(d, config), declarations=Declarations(), config=config)
    assert (stats.activities_inserted, stats.activities_updated, stats.contributors_created) == (
        1,
        1,
        0,
    )


def test_core_52_static_definitions_and_identity_index(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\nidentities:\n  slack: u123\n---\n",
            "aggregates/contributors/alice.jsonl": '{"aggregate":"activity_count","contributor":"alice","value":{"type":"number","value":1}}\n',
        },
    )
    config = make_config(
        badge_definitions=[
            {
                "slug": "cfg",
                "name": "C",
                "description": "d",
                "variants": {"v": {"description": "d", "svg_url": "u"}},
            }
        ]
    )
    decl = Declarations(activity_definitions=[{"slug": "p", "name": "P", "description": "d"}])
    _, _, db = run_import_export(d, config=config, declarations=decl)
    assert (
        db.scalar("SELECT name FROM contributor_aggregate_definition WHERE slug='activity_count'")
        == "Activity Count"
    )
    assert db.scalar("SELECT count(*) FROM badge_definition WHERE slug='cfg'") == 1
    assert db.scalar("SELECT count(*) FROM activity_definition WHERE slug='p'") == 1
    rows = db.query(
        "SELECT namespace, value, contributor, explicit FROM contributor_identity ORDER BY 1"
    )
    assert rows == [
        {"namespace": "github", "value": "alice", "contributor": "alice", "explicit": 0},
        {"namespace": "slack", "value": "U123", "contributor": "alice", "explicit": 1},
    ]
