"""The export's aggregate files started on a worker before the evaluate phase
(`pipeline._start_export`): the same files and tables as an export started at its phase, work
on rows that changed in between redone, nothing left behind when the run stops (CORE-53, CORE-80).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from e2e import write, write_config

from leaderboard import commands, pipeline
from leaderboard.datarepo import atomic, exporter

NOW = datetime(2024, 2, 1, 12, tzinfo=UTC)
PEOPLE = 12
RULES = """  badge_definitions:
    - slug: starter
      name: Starter
      description: d
      variants:
        bronze: {description: one, svg_url: /b.svg}
  badge_rules:
    - type: threshold
      badge_slug: starter
      aggregate_slug: activity_count
      thresholds: [{variant: bronze, value: 1}]
"""


def _data(root: Path) -> Path:
    data = root / "data"
    write_config(data, extra=RULES)
    write(
        data,
        "activities/definitions.json",
        '[{"slug":"pr","name":"PR","description":"d","points":2,"icon":null}]',
    )
    for i in range(PEOPLE):
        user = f"user{i:02d}"
        write(data, f"contributors/{user}.md", "---\nrole: core\n---\n")
        lines = [
            f'{{"slug":"{user}-{n}","contributor":"{user}","activity_definition":"pr",'
            f'"title":null,"occurred_at":"2024-01-{10 + n}T10:00:00.000Z","link":null,'
            f'"text":null,"points":null,"meta":null}}\n'
            for n in range(1 + i % 4)
        ]
        write(data, f"activities/contributors/{user}.jsonl", "".join(lines))
    return data


def _run(data: Path) -> int:
    settings = pipeline.RunSettings(
        data_dir=data, db_path=str(data / ".leaderboard.db"), now=NOW,
        cache_dir=data.parent / "cache", env={}, offline=True,
    )  # fmt: skip
    return commands.execute_run(settings, started=NOW)


def _outputs(data: Path) -> dict[str, Any]:
    files = {
        p.relative_to(data).as_posix(): p.read_bytes()
        for p in sorted(data.rglob("*"))
        if p.is_file() and not p.name.startswith(".leaderboard")
    }
    conn = sqlite3.connect(data / ".leaderboard.db")
    try:
        tables = {
            name: sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"')))
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in ("_run", "_datarepo_sync")
        }
        tables["_datarepo_sync"] = sorted(
            map(repr, conn.execute("SELECT kind, path, size, digest FROM _datarepo_sync"))
        )
    finally:
        conn.close()
    return {"files": files, "tables": tables}


def _temp_files(data: Path) -> list[str]:
    return sorted(p.name for p in data.rglob("*") if atomic.is_temp_name(p.name))


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Small chunks (several queued items); what each export started early began on."""
    monkeypatch.setattr(exporter, "_AHEAD_CHUNK", 2)
    started: list[Any] = []
    real = exporter.start_export

    def start_export(*args: Any, **kwargs: Any) -> Any:
        export = real(*args, **kwargs)
        started.append(sorted(export._ahead_groups))  # the kinds a worker started on
        return export

    monkeypatch.setattr(exporter, "start_export", start_export)
    return started


def test_an_export_started_before_evaluation_equals_one_started_at_its_phase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spied: list[Any]
) -> None:
    early = _data(tmp_path / "early")
    assert _run(early) == 0
    assert spied == [["contributor_aggregate"]]
    late = _data(tmp_path / "late")
    with monkeypatch.context() as m:
        m.setattr(pipeline, "_start_export", lambda *args: None)
        assert _run(late) == 0
    assert len(spied) == 1  # the second run started nothing early
    assert _outputs(early) == _outputs(late)
    assert any(p.startswith("aggregates/contributors/") for p in _outputs(early)["files"])
    assert _temp_files(early) == []


def test_aggregate_rows_changed_after_the_start_are_exported_as_they_are_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spied: list[Any]
) -> None:
    real = pipeline._phase_evaluate

    def evaluate_and_change(settings: Any, prepared: Any, db: Any, summary: Any) -> None:
        real(settings, prepared, db, summary)
        with db.transaction():
            db.execute(
                "UPDATE contributor_aggregate SET value = ? WHERE contributor = 'user03'",
                ('{"type":"number","value":42,"format":"integer"}',),
            )

    monkeypatch.setattr(pipeline, "_phase_evaluate", evaluate_and_change)
    early = _data(tmp_path / "early")
    assert _run(early) == 0
    assert spied == [["contributor_aggregate"]]
    late = _data(tmp_path / "late")
    monkeypatch.setattr(pipeline, "_start_export", lambda *args: None)
    assert _run(late) == 0
    assert _outputs(early) == _outputs(late)
    assert b'"value":42' in (early / "aggregates/contributors/user03.jsonl").read_bytes()
    assert _temp_files(early) == []


def test_a_run_stopping_before_its_export_leaves_no_file_written_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spied: list[Any]
) -> None:
    def evaluate(settings: Any, prepared: Any, db: Any, summary: Any) -> None:
        export = prepared.started_export
        for job, _ in export._ahead_jobs:  # let the worker write everything aside first
            for child in job.children:
                child.thread.join()
        assert _temp_files(settings.data_dir)
        raise RuntimeError("evaluation broke")

    monkeypatch.setattr(pipeline, "_phase_evaluate", evaluate)
    data = _data(tmp_path)
    assert _run(data) == 1
    assert len(spied) == 1
    assert _temp_files(data) == []
    assert not (data / "aggregates/contributors").exists() or not any(
        (data / "aggregates/contributors").iterdir()
    )
