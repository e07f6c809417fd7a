"""CORE-54: the upstream-style fixture survives import → export untouched."""

from __future__ import annotations

from pathlib import Path

from datarepo.helpers import run_import_export, snapshot_of, tree
from leaderboard.db import Database


def test_core_54_fixture_validates_cleanly(upstream_repo: Path) -> None:
    snap = snapshot_of(upstream_repo)
    assert [p.format() for p in snap.problems if p.is_error] == []
    assert snap.files_checked == 12 - 1  # every data file, config.yaml is not a data file


def test_core_54_import_export_changes_no_file(upstream_repo: Path) -> None:
    before = tree(upstream_repo)
    _, stats, _ = run_import_export(upstream_repo)
    assert stats.written == []
    assert stats.deleted == []
    after = tree(upstream_repo)
    assert after == before


def test_core_54_second_run_on_fresh_db_writes_nothing(upstream_repo: Path) -> None:
    run_import_export(upstream_repo)
    before = tree(upstream_repo)
    _, stats, _ = run_import_export(upstream_repo, db=Database.memory())
    assert stats.written == []
    assert tree(upstream_repo) == before


def test_core_54_kept_db_second_run_writes_nothing(upstream_repo: Path) -> None:
    _, _, db = run_import_export(upstream_repo)
    before = tree(upstream_repo)
    _, stats, _ = run_import_export(upstream_repo, db=db)
    assert stats.written == []
    assert tree(upstream_repo) == before


def test_core_42_hand_formatted_profile_with_comments_survives(upstream_repo: Path) -> None:
    original = (upstream_repo / "contributors/alice.md").read_bytes()
    run_import_export(upstream_repo)
    assert (upstream_repo / "contributors/alice.md").read_bytes() == original
    assert b"# Alice keeps her profile by hand." in original


def test_core_53_empty_managed_dirs_are_created(upstream_repo: Path) -> None:
    run_import_export(upstream_repo)
    for rel in ("activities/contributors", "aggregates/contributors", "badges/contributors"):
        assert (upstream_repo / rel).is_dir()
