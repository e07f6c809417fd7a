"""A first `run` spools the activity rows in the temporary directory (rowspool.py) and leaves
nothing there, nor in the data repository, whether it succeeds or refuses the input."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from e2e import Runner, tree, write, write_config

UPSTREAM = Path(__file__).parents[1] / "fixtures" / "repos" / "upstream"


def test_a_first_run_leaves_no_spool_behind(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    shutil.copytree(UPSTREAM, data)
    temp = tmp_path / "tmp"
    temp.mkdir()
    stale = temp / "leaderboard-spool-999999999-abcdefgh"  # a pid no process can have
    stale.mkdir()
    out = cli("run", "import", "export", "-d", str(data), env={"TMPDIR": str(temp)})
    assert out.returncode == 0, out.stderr
    assert list(temp.iterdir()) == []  # its own spool removed, and the crashed run's
    with sqlite3.connect(data / ".leaderboard.db") as conn:
        count = conn.execute("SELECT count(*) FROM activity").fetchone()[0]
    lines = sum(len(p.read_text().splitlines()) for p in (data / "activities").rglob("*.jsonl"))
    assert count == lines > 0


def test_refused_input_leaves_no_spool_and_no_db(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(data)
    write(data, "contributors/bob.md", "---\nrole: core\n---\n")
    write(
        data,
        "activities/definitions.json",
        '[{"slug": "pr", "name": "PR", "description": "d", "points": 1}]',
    )
    write(
        data,
        "activities/contributors/bob.jsonl",
        '{"slug":"a1","contributor":"bob","activity_definition":"pr",'
        '"occurred_at":"2024-01-01T00:00:00Z"}\n{"slug": broken\n',
    )
    before = tree(data)
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = cli("run", "-d", str(data), env={"TMPDIR": str(temp)})
    assert out.returncode == 3, out.stderr
    assert "activities/contributors/bob.jsonl:2" in out.stdout + out.stderr
    assert list(temp.iterdir()) == []
    assert tree(data) == before and not (data / ".leaderboard.db").exists()


def test_without_a_usable_temporary_directory_the_run_goes_without_a_spool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from leaderboard import pipeline
    from leaderboard.datarepo import rowspool
    from leaderboard.db import Database

    def refused(parent: Path | None = None) -> rowspool.SpoolDir:
        raise PermissionError(13, "Permission denied", "/tmp")

    monkeypatch.setattr(rowspool.SpoolDir, "create", staticmethod(refused))
    data = tmp_path / "data"
    shutil.copytree(UPSTREAM, data)
    settings = pipeline.RunSettings(
        data_dir=data,
        db_path=str(tmp_path / "work.db"),
        now=datetime(2024, 2, 1, 12, tzinfo=UTC),
        cache_dir=tmp_path / "cache",
        env={},
        phases=("import",),
        offline=True,
    )
    with pipeline.prepare(settings) as prepared:
        assert prepared.snapshot is not None and not prepared.snapshot.spooled
        db = Database.open(settings.db_path)
        try:
            assert pipeline.run_phases(settings, prepared, db).ok
            count = db.scalar("SELECT count(*) FROM activity")
        finally:
            db.close()
    lines = sum(len(p.read_text().splitlines()) for p in (data / "activities").rglob("*.jsonl"))
    assert count == lines > 0
