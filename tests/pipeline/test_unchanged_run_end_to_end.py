"""A run with nothing changed since the last problem-free run does nothing (runmemo.py, CORE-80),
and does exactly what the full path would have done: nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from e2e import Runner, tree

UPSTREAM = Path(__file__).parents[1] / "fixtures" / "repos" / "upstream"
SKIPPED = "Nothing changed since the last run"
NOW = "2024-06-01T12:00:00Z"  # after every activity of the fixture: no warning


def _data(tmp_path: Path, cli: Runner, name: str = "data") -> Path:
    data = tmp_path / name
    shutil.copytree(UPSTREAM, data)
    first = cli("run", "-d", str(data), now=NOW)
    assert first.returncode == 0, first.stderr
    assert SKIPPED not in first.stderr
    return data


def _tables(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, `_run` excepted (CORE-81). Of `_datarepo_sync`, what the files hold
    but not when they were last validated: a full second run validates the files the first one
    exported and stamps them, a skipped one leaves them to the next full run (a cache)."""
    conn = sqlite3.connect(db_path)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if r[0] not in ("_run", "_datarepo_sync")
        ]
        out = {n: sorted(conn.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}
        out["_datarepo_sync"] = sorted(
            conn.execute("SELECT kind, path, size, digest FROM _datarepo_sync"), key=repr
        )
        return out
    finally:
        conn.close()


def _write(db_path: Path, sql: str) -> None:
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(sql)
    finally:
        conn.close()


def _files(data: Path) -> dict[str, bytes]:
    return {rel: content for rel, (content, _) in tree(data).items()}


def _last_run(db_path: Path) -> dict[str, object]:
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute("SELECT summary FROM _run ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    summary: dict[str, object] = json.loads(row[0])
    return summary


def test_core_80_second_run_skips_and_equals_the_full_path(tmp_path: Path, cli: Runner) -> None:
    data = _data(tmp_path, cli)
    shutil.copytree(data, tmp_path / "full")  # the same state, for the full path below
    before = tree(data)
    tables = _tables(data / ".leaderboard.db")
    out = cli("run", "-d", str(data), now=NOW)
    assert out.returncode == 0, out.stderr
    assert SKIPPED in out.stderr
    assert tree(data) == before  # bytes and mtimes: no file written
    assert _tables(data / ".leaderboard.db") == tables
    assert "unchanged" in _last_run(data / ".leaderboard.db")
    # Again: the skipped run's own `_run` row keeps the chain going.
    assert SKIPPED in cli("run", "-d", str(data), now=NOW).stderr

    # The full path on the same state (a foreign write to the DB forces it) changes nothing.
    full = tmp_path / "full"
    _write(full / ".leaderboard.db", "INSERT INTO _run(command, status) VALUES ('other', 'ok')")
    out = cli("run", "-d", str(full), now=NOW)
    assert out.returncode == 0, out.stderr
    assert SKIPPED not in out.stderr
    assert "files written 0, deleted 0" in out.stderr
    assert _files(full) == _files(data)
    assert _tables(full / ".leaderboard.db") == tables


def test_core_80_a_changed_file_takes_the_full_path(tmp_path: Path, cli: Runner) -> None:
    data = _data(tmp_path, cli)
    profile = next((data / "contributors").glob("*.md"))
    profile.write_text(profile.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    out = cli("run", "-d", str(data), now=NOW)
    assert out.returncode == 0, out.stderr
    assert SKIPPED not in out.stderr
    assert SKIPPED in cli("run", "-d", str(data), now=NOW).stderr


def test_core_80_a_write_to_the_db_takes_the_full_path(tmp_path: Path, cli: Runner) -> None:
    data = _data(tmp_path, cli)
    db_path = data / ".leaderboard.db"
    tables = _tables(db_path)
    _write(db_path, "UPDATE contributor SET bio = 'edited behind our back'")
    out = cli("run", "-d", str(data), now=NOW)
    assert out.returncode == 0, out.stderr
    assert SKIPPED not in out.stderr
    assert _tables(db_path) == tables  # the files won again


def test_core_80_another_now_takes_the_full_path(tmp_path: Path, cli: Runner) -> None:
    data = _data(tmp_path, cli)
    out = cli("run", "-d", str(data), now="2024-06-02T12:00:00Z")
    assert out.returncode == 0, out.stderr
    assert SKIPPED not in out.stderr


def test_core_80_a_subset_of_phases_is_never_skipped(tmp_path: Path, cli: Runner) -> None:
    data = _data(tmp_path, cli)
    out = cli("run", "import", "export", "-d", str(data), now=NOW)
    assert out.returncode == 0, out.stderr
    assert SKIPPED not in out.stderr
    assert "unchanged" not in _last_run(data / ".leaderboard.db")
