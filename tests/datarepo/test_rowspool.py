"""The row spool of a first import (rowspool.py): the same DB as binding the rows, every doubt
falling back to the rows put back on their units, nothing left behind."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from datarepo.helpers import NOW, both_processes_read, make_config
from leaderboard import forkmap
from leaderboard.datarepo import import_snapshot, importer, read_repo, reader, rowspool
from leaderboard.datarepo.rowspool import RowSpool, SpoolDir
from leaderboard.datarepo.snapshot import UNSHIPPED, RepoSnapshot, Unit
from leaderboard.db import Database
from leaderboard.declarations import Declarations

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

CONFIG = make_config(timezone="Asia/Kolkata")
TABLES = ("activity", "contributor", "activity_definition", "_datarepo_sync")


def _organisation(data: Path) -> None:
    """What a real organisation's repository looks like to the importer: one contributor with
    hundreds of activities, a long tail of one-off contributors, a bot, a long username, titles
    in several scripts, JSON metadata, explicit points and nulls; over `BULK_ROWS` in all."""
    acts = data / "activities/contributors"
    people = data / "contributors"
    names = ["kiran-torvalds-the-very-long-username-of-a-maintainer", "renovate[bot]"]
    names += [f"one-off-{i:03d}" for i in range(260)]
    for index, name in enumerate(names):
        (people / f"{name}.md").write_text("---\nrole: contributor\n---\n")
        count = 420 if index == 0 else 160 if index == 1 else 1 + index % 5
        lines = []
        for n in range(count):
            row: dict[str, Any] = {
                "slug": f"{name}-{n:04d}",
                "contributor": name,
                "activity_definition": ("pr_opened", "pr_merged", "comment_created")[n % 3],
                "title": (f"Fix #{n}", f"修正 {n} ✓", f"Ünïcødé “{n}”", None)[n % 4],
                "occurred_at": f"2024-0{1 + n % 5}-{1 + n % 27:02d}T{n % 24:02d}:00:00.000Z",
                "link": f"https://github.com/org/repo/pull/{n}" if n % 2 else None,
                "text": None if n % 3 else "a longer\nbody",
                "points": (None, 3, 0, 12)[n % 4],
                "meta": {"repo": "org/repo", "labels": ["bug", n]} if n % 5 == 0 else None,
            }
            lines.append(json.dumps(row, ensure_ascii=False))
        (acts / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _read(data: Path, spool: RowSpool | None) -> RepoSnapshot:
    return read_repo(data, config=CONFIG, declarations=Declarations(), now=NOW, spool=spool)


def _imported(snap: RepoSnapshot, path: Path, before: str | None = None) -> dict[str, Any]:
    """Every row of the tables the import writes, in rowid order (the order they went in)."""
    db = Database.open(path)
    try:
        if before:
            db.execute(before)
        import_snapshot(db, snap, declarations=Declarations(), config=CONFIG)
        return (
            {
                table: db.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
                for table in TABLES[:-1]
            }
            | {TABLES[-1]: db.execute(f"SELECT * FROM {TABLES[-1]} ORDER BY 1, 2").fetchall()}
            | {"indexes": db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()}
        )
    finally:
        db.close()


class _Calls:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fill = self.load_rows = 0
        real_fill, real_load = rowspool.fill, rowspool.load_rows

        def fill(*args: Any, **kwargs: Any) -> int:
            self.fill += 1
            return real_fill(*args, **kwargs)

        def load_rows(snap: RepoSnapshot) -> None:
            self.load_rows += bool(snap.spooled)
            real_load(snap)

        monkeypatch.setattr(rowspool, "fill", fill)
        monkeypatch.setattr(rowspool, "load_rows", load_rows)


@pytest.fixture
def org(upstream_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    _organisation(upstream_repo)
    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 0)
    monkeypatch.setattr(reader, "PARALLEL_PROFILE_BYTES", 0)
    monkeypatch.setattr(forkmap, "usable_cores", lambda: 2)
    return upstream_repo


@pytest.mark.parametrize("large", [False, True])
def test_a_spooled_first_import_writes_the_db_the_rows_would(
    org: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, large: bool
) -> None:
    """Both reading processes spool what they read; the importer fills the table from the
    spool with every row, value and type, in read order: the order binding the rows gives,
    until the key index would outgrow the page cache (`large`), where bound rows go in key
    order and the spool's keep read order (`rowspool.fill`)."""
    if large:
        monkeypatch.setattr(importer, "BULK_CACHE_KIB", 1)
    usual = _imported(_read(org, None), tmp_path / "usual.db")

    (tmp_path / "markers").mkdir()
    both_processes_read(monkeypatch, tmp_path / "markers")
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    snap = _read(org, RowSpool(spool_dir))
    files = sorted(spool_dir.glob("rows-*.db"))
    assert len({f.name.split("-")[1] for f in files}) == 2  # one per process, by pid
    rows = [u.row for u in snap.units["activity"]]
    assert len(rows) >= importer.BULK_ROWS and set(rows) == {UNSHIPPED}
    assert sum(b - a + 1 for _, a, b in snap.spooled.values()) == len(rows)
    read_order = [u.key for u in snap.units["activity"]]

    calls = _Calls(monkeypatch)
    spooled = _imported(snap, tmp_path / "spooled.db")
    assert (calls.fill, calls.load_rows) == (1, 0)
    assert [r[1] for r in spooled["activity"]] == read_order
    if large:
        assert [r[1] for r in usual["activity"]] == sorted(read_order)
        assert sorted(r[1:] for r in spooled["activity"]) == sorted(
            r[1:] for r in usual["activity"]
        )
        assert {k: v for k, v in spooled.items() if k != "activity"} == {
            k: v for k, v in usual.items() if k != "activity"
        }
    else:
        assert spooled == usual


def _identical_duplicate(data: Path, spool_dir: Path) -> None:
    acts = data / "activities/contributors"
    line = (acts / "one-off-003.jsonl").read_text().splitlines()[0]
    with (acts / "one-off-250.jsonl").open("a") as fh:
        fh.write(line + "\n")


def _orphan_row(snap: RepoSnapshot, spool_dir: Path) -> None:
    """A reading process that died in the middle of a file it had begun to spool (the file was
    then read again): rows of it are there, but no unit's range covers them."""
    name, first, _ = next(iter(snap.spooled.values()))
    with sqlite3.connect(spool_dir / name) as conn:
        conn.execute("INSERT INTO spooled SELECT * FROM spooled WHERE rowid = ?", (first,))


def test_rows_outside_every_range_are_never_imported(
    org: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    usual = _imported(_read(org, None), tmp_path / "usual.db")
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    snap = _read(org, RowSpool(spool_dir))
    _orphan_row(snap, spool_dir)
    calls = _Calls(monkeypatch)
    assert _imported(snap, tmp_path / "spooled.db") == usual
    assert (calls.fill, calls.load_rows) == (1, 0)


@pytest.mark.parametrize("case", ["identical-duplicate", "db-not-empty", "small"])
def test_any_doubt_puts_the_rows_back_and_imports_as_usual(
    org: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str
) -> None:
    """A unit dropped as a repeated identical line, a DB that already holds rows, a repository
    below `BULK_ROWS`: the spool is not used as it is; the rows go back on their units, and
    the import is the one without a spool."""
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    before = None
    if case == "identical-duplicate":
        _identical_duplicate(org, spool_dir)
    if case == "db-not-empty":
        before = "INSERT INTO contributor (username, role) VALUES ('someone-else', 'core')"
    if case == "small":
        monkeypatch.setattr(importer, "BULK_ROWS", 10**9)
    usual = _imported(_read(org, None), tmp_path / "usual.db", before)
    snap = _read(org, RowSpool(spool_dir))
    if case == "identical-duplicate":
        assert [p.code for p in snap.problems] == ["duplicate-identical"]
    calls = _Calls(monkeypatch)
    assert _imported(snap, tmp_path / "spooled.db", before) == usual
    assert (calls.fill, calls.load_rows) == (0, 1)
    assert not snap.spooled


def test_rows_come_back_from_the_spool_exactly(tmp_path: Path) -> None:
    """Every value keeps its type through the spool (integers, reals, text, nulls, JSON text),
    and each unit gets its own row back, matched by file and line, even when units of the
    file were dropped after spooling."""
    rows = [
        ("a", "alice", "pr", "Ünïcødé ✓", "2024-01-01T00:00:00.000Z", None, "x\ny", 3, None, None),
        ("b", "alice", "pr", None, "2024-01-02T00:00:00.000Z", "l", None, 0, '{"k":[1,2.5]}', None),
        ("c", "alice", "pr", "12", "2024-01-03T00:00:00.000Z", None, None, None, None, "[]"),
    ]
    units = [Unit("activity", "f.jsonl", n + 1, r[0], r) for n, r in enumerate(rows)]
    units.insert(1, Unit("activity", "f.jsonl", 9, "bad", (), valid=False))  # a line in error
    spool = RowSpool(tmp_path)
    other = spool.put([Unit("activity", "e.jsonl", 1, "z", ("z", *rows[0][1:]))])
    where = spool.put(units)
    spool.close_local()
    assert other is not None and where is not None
    assert (where[1], where[2]) == (2, 4)  # consecutive rowids after the earlier file
    assert [u.row for u in units] == [UNSHIPPED, (), UNSHIPPED, UNSHIPPED]
    snap = RepoSnapshot(data_dir=tmp_path, spool_dir=tmp_path)
    snap.units["activity"] = [units[0], units[3]]  # the second row was dropped meanwhile
    snap.spooled = {"e.jsonl": other, "f.jsonl": where}
    rowspool.load_rows(snap)
    assert [u.row for u in snap.units["activity"]] == [rows[0], rows[2]]
    assert [type(v) for v in snap.units["activity"][1].row] == [type(v) for v in rows[2]]
    assert snap.spooled == {}
    with pytest.raises(RuntimeError, match="spool"):
        RepoSnapshot(data_dir=tmp_path, spooled={"f.jsonl": where}).without_invalid()


def test_a_spool_travels_without_its_connections(tmp_path: Path) -> None:
    """A spawned reader receives the spool pickled: its directory, never this process's open
    file, so it writes a file of its own."""
    spool = RowSpool(tmp_path)
    spool.put(
        [Unit("activity", "f.jsonl", 1, "a", ("a", "b", "c", None, "t", None, None, 1, None, None))]
    )
    copy = pickle.loads(pickle.dumps(spool))
    assert copy.directory == tmp_path and copy._open == {}
    spool.close_local()


def test_spool_directories_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"leaderboard-spool-{dead.pid}-abcd1234"
    live = tmp_path / f"leaderboard-spool-{os.getpid()}-efgh5678"
    unrelated = tmp_path / "leaderboard-other"
    for path in (stale, live, unrelated):
        path.mkdir()
        (path / "rows-1.db").write_bytes(b"x")
    made = SpoolDir.create(tmp_path)
    assert made.path.parent == tmp_path and made.path.name.startswith(
        f"leaderboard-spool-{os.getpid()}-"
    )
    assert not stale.exists() and live.exists() and unrelated.exists()
    made.remove()
    assert not made.path.exists()


def test_a_spool_that_cannot_be_written_is_given_up(
    org: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No room left in the temporary directory after a few files: each process keeps its rows
    from then on, the failed file leaves nothing behind, and the import is the usual one."""
    usual = _imported(_read(org, None), tmp_path / "usual.db")
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    real_local = RowSpool._local
    calls: list[int] = []

    def filling_up(self: RowSpool) -> Any:
        calls.append(os.getpid())
        if calls.count(os.getpid()) > 5:
            raise sqlite3.OperationalError("database or disk is full")
        return real_local(self)

    monkeypatch.setattr(RowSpool, "_local", filling_up)
    snap = _read(org, RowSpool(spool_dir))
    rows = [u.row for u in snap.units["activity"]]
    assert UNSHIPPED in rows and any(r is not UNSHIPPED for r in rows)
    assert sum(b - a + 1 for _, a, b in snap.spooled.values()) == rows.count(UNSHIPPED)
    spy = _Calls(monkeypatch)
    assert _imported(snap, tmp_path / "spooled.db") == usual
    assert (spy.fill, spy.load_rows) == (0, 1)
