"""Rendering aggregates and awards in two processes (forkmap) writes exactly the same files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from datarepo.helpers import make_config, snapshot_of
from leaderboard import forkmap
from leaderboard.datarepo import export_repo, exporter, import_snapshot
from leaderboard.db import Database
from leaderboard.declarations import Declarations

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _grow(data_dir: Path, count: int) -> None:
    """`count` more contributors, each with aggregates and awards (some a bad username)."""
    for i in range(count):
        name = f"user{i:03d}"
        (data_dir / f"contributors/{name}.md").write_text("---\nrole: contributor\n---\n")
        (data_dir / f"aggregates/contributors/{name}.jsonl").write_text(
            f'{{"aggregate":"activity_count","contributor":"{name}","value":{{"type":"number",'
            f'"value":{i},"format":"integer"}},"meta":null}}\n'
            f'{{"aggregate":"review_depth","contributor":"{name}","value":{{"type":"string",'
            f'"value":"d{i}"}},"meta":{{"n":{i}}},"note":"x"}}\n'
        )
        (data_dir / f"badges/contributors/{name}.jsonl").write_text(
            f'{{"slug":"first_pr__{name}__gold","badge":"first_pr","contributor":"{name}",'
            f'"variant":"gold","achieved_on":"2024-05-02","meta":null}}\n'
        )


def _export(source: Path, target: Path) -> dict[str, bytes]:
    shutil.copytree(source, target)
    config = make_config(timezone="Asia/Kolkata")
    snap = snapshot_of(target, config)
    db = Database.memory()
    import_snapshot(db, snap, declarations=Declarations(), config=config)
    for rel in ("aggregates/contributors", "badges/contributors"):  # everything written anew
        shutil.rmtree(target / rel)
    export_repo(db, target, tz=config.tz, imported=None, default_role=None)
    return {
        p.relative_to(target).as_posix(): p.read_bytes()
        for p in sorted(target.rglob("*"))
        if p.is_file()
    }


def test_forked_rendering_writes_the_same_files(
    upstream_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _grow(upstream_repo, 40)
    monkeypatch.setattr(exporter, "PARALLEL_RENDER_ROWS", 1 << 60)
    sequential = _export(upstream_repo, tmp_path / "one")

    forks: list[int] = []
    real_start = forkmap._Child.start

    def counting_start(*args: Any) -> Any:
        forks.append(1)
        return real_start(*args)

    monkeypatch.setattr(exporter, "PARALLEL_RENDER_ROWS", 0)
    monkeypatch.setattr(forkmap.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(forkmap._Child, "start", counting_start)
    forked = _export(upstream_repo, tmp_path / "two")

    assert len(forks) == 2  # aggregates and awards were split (the small read was not)
    assert forked == sequential
    assert sum(p.startswith("aggregates/contributors/") for p in forked) == 41
    assert sum(p.startswith("badges/contributors/") for p in forked) == 41
