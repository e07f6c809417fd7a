"""Aggregate and badge files rendered and written aside by a forked child (`start_ahead`) give
exactly the files, order, warnings and synced state of a serial export, and leave no temporary
file behind, whoever fails (CORE-53, CORE-80)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from datarepo.helpers import run_import_export, tree
from leaderboard.datarepo import atomic, export_repo, exporter
from leaderboard.datarepo.exporter import ExportStats
from leaderboard.db import Database

DEFS = (
    '[{"slug":"pr","name":"PR","description":"d","points":1,"icon":null}]'  # activity definitions
)
AGG_DEFS = '[{"slug":"activity_count","name":"Activity Count","description":null,"hidden":0}]'
BADGE_DEFS = (
    '[{"slug":"first_pr","name":"First PR","description":"d","variants":'
    '{"gold":{"description":"G","svg_url":"https://example.org/g.svg"},'
    '"bronze":{"description":"B","svg_url":"https://example.org/b.svg"}}}]'
)
PEOPLE = 14
TZ = ZoneInfo("Asia/Kolkata")


def _agg(user: str, value: int) -> str:
    return (
        f'{{"aggregate":"activity_count","contributor":"{user}","value":{{"type":"number",'
        f'"value":{value},"format":"integer"}},"meta":null}}\n'
    )


def _badge(user: str, variant: str, day: str) -> str:
    return (
        f'{{"slug":"first_pr__{user}__{variant}","badge":"first_pr","contributor":"{user}",'
        f'"variant":"{variant}","achieved_on":"{day}","meta":null}}\n'
    )


def _repo(root: Path) -> Path:
    """Profiles and activities, plus aggregate and badge files in every state export meets:
    absent, canonical, upstream's line order, differently written JSON, a stale one."""
    files: dict[str, str] = {
        "activities/definitions.json": DEFS,
        "aggregates/definitions.json": AGG_DEFS,
        "badges/definitions.json": BADGE_DEFS,
    }
    for i in range(PEOPLE):
        user = f"user{i:02d}"
        files[f"contributors/{user}.md"] = "---\nrole: core\n---\n"
        files[f"activities/contributors/{user}.jsonl"] = (
            f'{{"slug":"{user}-1","contributor":"{user}","activity_definition":"pr","title":null,'
            f'"occurred_at":"2024-01-01T00:00:00.000Z","link":null,"text":null,"points":null,'
            f'"meta":null}}\n'
        )
        if i % 3 == 0:
            continue  # no aggregate file yet
        files[f"aggregates/contributors/{user}.jsonl"] = (
            _agg(user, i) if i % 3 == 1 else _agg(user, i).replace(',"meta"', ', "meta"')
        )
        gold, bronze = _badge(user, "gold", "2024-05-02"), _badge(user, "bronze", "2024-05-01")
        files[f"badges/contributors/{user}.jsonl"] = bronze + gold if i % 2 else gold + bronze
    # An invalid line: with --skip-invalid the file is protected, its other rows not exported.
    files["badges/contributors/user04.jsonl"] += '{"slug": broken\n'
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _changed(db: Database) -> None:
    """Rows as aggregation and evaluation would change them: every aggregate and badge file is
    then rewritten, and two contributors get a first aggregate file."""
    db.execute(
        "UPDATE contributor_aggregate SET value = ? WHERE contributor != 'user02'",
        ('{"type":"number","value":99,"format":"integer"}',),
    )
    db.executemany(
        "INSERT INTO contributor_aggregate(aggregate, contributor, value, meta) VALUES(?,?,?,?)",
        [
            ("activity_count", user, '{"type":"number","value":1,"format":"integer"}', None)
            for user in ("user00", "user03")
        ],
    )
    db.execute("UPDATE contributor_badge SET meta = ? WHERE contributor != 'user01'", ('{"r":1}',))


def _export(
    data: Path, db_file: Path | None = None
) -> tuple[ExportStats, ExportStats, list[tuple[Any, ...]]]:
    """`run import export`, then an export of changed rows (`run export`); into a DB file
    when given (a spawned child reads it), else in memory."""
    db = Database.open(db_file) if db_file is not None else None
    _, first, db = run_import_export(data, db=db, skip_invalid=True)
    _changed(db)
    second = export_repo(db, data, tz=TZ, imported=None)
    synced = sorted(
        tuple(r)
        for r in db.execute("SELECT kind, path, size, digest FROM _datarepo_sync").fetchall()
    )
    db.close()
    return first, second, synced


def _stats(stats: ExportStats) -> dict[str, Any]:
    return {
        "written": stats.written,
        "unchanged": stats.unchanged,
        "deleted": stats.deleted,
        "warnings": stats.warnings,
        "digests": stats.digests,
    }


def _temp_files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if atomic.is_temp_name(p.name))


def _contents(root: Path) -> dict[str, bytes]:
    return {rel: data for rel, (data, _) in tree(root).items()}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exporter, "_AHEAD_CHUNK", 2)  # many queued items for 14 contributors


def _copies(tmp_path: Path) -> tuple[Path, Path]:
    serial_dir, ahead_dir = _repo(tmp_path / "serial"), tmp_path / "ahead"
    shutil.copytree(serial_dir, ahead_dir)
    return serial_dir, ahead_dir


def _changed_repo(tmp_path: Path) -> tuple[Path, Database]:
    """A repository exported once and a DB whose rows changed since (`_changed`)."""
    data = _repo(tmp_path / "data")
    _, _, db = run_import_export(data, skip_invalid=True)
    _changed(db)
    return data, db


@pytest.mark.usefixtures("small_chunks")
def test_forked_export_equals_serial_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial_dir, ahead_dir = _copies(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(exporter, "_AHEAD", ())  # nothing ahead: the serial export
        s_first, s_second, s_synced = _export(serial_dir)
    a_first, a_second, a_synced = _export(ahead_dir)
    assert _contents(ahead_dir) == _contents(serial_dir)
    assert _stats(a_first) == _stats(s_first)
    assert _stats(a_second) == _stats(s_second)
    assert a_synced == s_synced
    # What the export had to decide really varied: new, rewritten and kept files of both kinds.
    assert "aggregates/contributors/user02.jsonl" in s_first.unchanged  # other JSON spacing
    assert "badges/contributors/user01.jsonl" in s_first.unchanged  # upstream's line order
    assert "aggregates/contributors/user00.jsonl" in s_second.written  # a new file
    assert "aggregates/contributors/user01.jsonl" in s_second.written  # new value
    assert "badges/contributors/user02.jsonl" in s_second.written  # new meta
    assert "badges/contributors/user01.jsonl" in s_second.unchanged
    protected = "2 rows not exported: badges/contributors/user04.jsonl has invalid content"
    assert protected in s_first.warnings
    assert _temp_files(ahead_dir) == []


def test_plans_made_by_the_child_are_adopted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child really delivers: plans made in another process are what the batch adopts."""
    monkeypatch.setattr(exporter, "_AHEAD_CHUNK", 1)
    real_plan_chunk = exporter._Exporter._plan_chunk
    real_take = exporter._Exporter._take_ahead
    adopted: list[int] = []

    def plan_chunk(self: Any, item: Any) -> Any:
        return [(plan, os.getpid()) for plan in real_plan_chunk(self, item)]

    def take_ahead(self: Any, kind: str) -> Any:
        plans = real_take(self, kind)
        if plans is None:
            return None
        adopted.extend(pid for _, pid in plans)
        return [plan for plan, _ in plans]

    monkeypatch.setattr(exporter._Exporter, "_plan_chunk", plan_chunk)
    monkeypatch.setattr(exporter._Exporter, "_take_ahead", take_ahead)

    def wait_for_child(self: Any) -> None:  # the child has taken everything before we start
        for child in self._ahead_job.children:
            child.thread.join()

    data, db = _changed_repo(tmp_path)
    adopted.clear()  # what the export of the changed rows adopts
    monkeypatch.setattr(exporter._Exporter, "contributors", wait_for_child)
    stats = export_repo(db, data, tz=TZ, imported=None)
    files = [p for p in _contents(data) if p.startswith(("aggregates/contrib", "badges/contrib"))]
    assert len(adopted) == len(files)
    assert set(adopted) != {os.getpid()}  # a forked child planned them
    assert "aggregates/contributors/user00.jsonl" in stats.written
    assert _temp_files(data) == []


@pytest.mark.usefixtures("small_chunks")
def test_a_write_failing_in_the_child_is_redone_by_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = exporter.stage_aside

    def stage_aside(path: Path, data: bytes, **kw: Any) -> Path | None:
        if os.getpid() != parent:
            raise OSError("disk trouble in the child")
        return real(path, data, **kw)

    serial_dir, ahead_dir = _copies(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(exporter, "_AHEAD", ())
        serial = _export(serial_dir)
    monkeypatch.setattr(exporter, "stage_aside", stage_aside)
    ahead = _export(ahead_dir)
    assert _contents(ahead_dir) == _contents(serial_dir)
    assert [_stats(s) for s in ahead[:2]] == [_stats(s) for s in serial[:2]]
    assert _temp_files(ahead_dir) == []


@pytest.mark.usefixtures("small_chunks")
def test_a_failing_export_leaves_no_temp_file_and_renames_nothing_of_the_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = exporter.stage_aside

    def stage_aside(path: Path, data: bytes, **kw: Any) -> Path | None:
        if path.name == "user07.jsonl" and "badges" in path.parts:
            raise OSError("no space left")
        return real(path, data, **kw)

    data, db = _changed_repo(tmp_path)
    badge_before = (data / "badges/contributors/user02.jsonl").read_bytes()
    agg_before = (data / "aggregates/contributors/user01.jsonl").read_bytes()
    monkeypatch.setattr(exporter, "stage_aside", stage_aside)
    with pytest.raises(OSError, match="no space left"):
        export_repo(db, data, tz=TZ, imported=None)
    assert _temp_files(data) == []
    assert (data / "badges/contributors/user02.jsonl").read_bytes() == badge_before
    assert (data / "aggregates/contributors/user01.jsonl").read_bytes() != agg_before  # done


@pytest.mark.usefixtures("small_chunks")
def test_an_export_failing_before_the_forked_kinds_deletes_what_the_child_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[bool] = []

    def contributors(self: Any) -> None:
        for child in self._ahead_job.children:  # let the child write everything aside
            child.thread.join()
        written.append(bool(_temp_files(self.data_dir)))
        raise sqlite3.OperationalError("disk I/O error")

    data, db = _changed_repo(tmp_path)
    monkeypatch.setattr(exporter._Exporter, "contributors", contributors)
    agg_before = (data / "aggregates/contributors/user01.jsonl").read_bytes()
    with pytest.raises(sqlite3.OperationalError):
        export_repo(db, data, tz=TZ, imported=None)
    assert written == [True]
    assert _temp_files(data) == []
    assert (data / "aggregates/contributors/user01.jsonl").read_bytes() == agg_before
    assert not (data / "aggregates/contributors/user00.jsonl").exists()


def test_a_large_process_exports_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporter, "AHEAD_RSS_LIMIT", 0)

    def no_fork(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("forked above the RSS limit")

    monkeypatch.setattr(exporter, "start_fork_map", no_fork)
    data, db = _changed_repo(tmp_path)
    stats = export_repo(db, data, tz=TZ, imported=None)
    assert "aggregates/contributors/user00.jsonl" in stats.written


# -- a process too large to fork: a fresh interpreter reads the rows from the DB file ------------


@pytest.mark.usefixtures("small_chunks")
def test_spawned_export_equals_serial_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial_dir, ahead_dir = _copies(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(exporter, "_AHEAD", ())
        s_first, s_second, s_synced = _export(serial_dir, tmp_path / "serial.db")
    real_start = exporter.start_fork_map
    spawned: list[bool] = []
    delivered: list[int] = []

    def start_fork_map(*args: Any, **kwargs: Any) -> Any:
        spawned.append(kwargs.get("spawn", False))
        return real_start(*args, **kwargs)

    def contributors(self: Any) -> None:  # the child empties the queue before the parent helps
        for child in self._ahead_job.children:
            child.thread.join()
            delivered.append(len(child.frames))
        real_contributors(self)

    real_contributors = exporter._Exporter.contributors
    monkeypatch.setattr(exporter, "AHEAD_RSS_LIMIT", 0)  # every process is "too large"
    monkeypatch.setattr(exporter, "start_fork_map", start_fork_map)
    monkeypatch.setattr(exporter._Exporter, "contributors", contributors)
    a_first, a_second, a_synced = _export(ahead_dir, tmp_path / "ahead.db")
    assert spawned == [True, True] and all(delivered) and len(delivered) == 2
    assert _contents(ahead_dir) == _contents(serial_dir)
    assert _stats(a_first) == _stats(s_first)
    assert _stats(a_second) == _stats(s_second)
    assert a_synced == s_synced
    assert _temp_files(ahead_dir) == []


def test_spawned_planner_leaves_what_it_cannot_settle_to_the_parent(tmp_path: Path) -> None:
    """Rows other than the parent grouped, and files only the parser could compare, come back
    `_FAILED`; the rest is planned exactly as the parent plans it."""
    data = _repo(tmp_path / "data")
    _, _, db = run_import_export(data, db=Database.open(tmp_path / "w.db"), skip_invalid=True)
    spec = exporter._AGGREGATES
    groups = [(u, len(list(g))) for u, g in _grouped(db, spec)]
    db.close()
    users = [u for u, _ in groups]

    def planner(parses: bool, expected: list[tuple[str, int]]) -> Any:
        return exporter._SpawnedPlanner(
            str(tmp_path / "w.db"), data, frozenset(), parses, {spec.kind: expected}
        )

    # The parent has no parser context: the child decides as the parent would, keeping the
    # canonical files and rewriting the differently written one.
    plans = planner(False, groups)((spec, 0, len(groups)))
    rewritten = [u for u, p in zip(users, plans, strict=True) if p is not None and p.tmp]
    spaced = ["user02", "user05", "user08", "user11"]  # i % 3 == 2 in `_repo`
    assert rewritten == spaced
    exporter._discard(plans)
    # The parent parses: the differently written file is left to it, the others are settled.
    plans = planner(True, groups)((spec, 0, len(groups)))
    failed = [u for u, p in zip(users, plans, strict=True) if p == exporter._FAILED]
    assert failed == spaced
    assert all(p is not None and p.tmp is None for p in plans if p != exporter._FAILED)
    # Rows that are not the ones the parent grouped: the whole chunk goes back.
    wrong = [(u, n + 1) for u, n in groups]
    assert planner(False, wrong)((spec, 0, len(groups))) == [exporter._FAILED] * len(groups)
    assert _temp_files(data) == []


def _grouped(db: Database, spec: Any) -> Any:
    from itertools import groupby
    from operator import itemgetter

    rows = exporter._Exporter(db, Path("."), TZ, None, None).rows(spec.kind, spec.order)
    return groupby(rows, key=itemgetter(spec.contributor_index))
