"""CORE-53 atomicity: SIGKILL in the middle of an export leaves every file old or new, never torn."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from leaderboard.datarepo.atomic import remove_stale_temp_files, write_if_changed

N_FILES = 400
SCRIPT = r"""
import sys
from pathlib import Path
from leaderboard.datarepo import export_repo, import_snapshot
from leaderboard.datarepo.reader import read_repo
from leaderboard.db import Database
from leaderboard.declarations import Declarations
sys.path.insert(0, sys.argv[2])
from datarepo.helpers import make_config, NOW

data_dir = Path(sys.argv[1])
config = make_config()
db = Database.memory()
snap = read_repo(data_dir, config=config, declarations=Declarations(), now=NOW)
import_snapshot(db, snap, declarations=Declarations(), config=config)
db.execute("UPDATE activity SET title = 'NEW ' || slug || ' ' || hex(randomblob(2000))")
print("ready", flush=True)
while True:  # keep exporting until killed: each round rewrites every activity file
    db.execute("UPDATE activity SET text = hex(randomblob(8))")
    export_repo(db, data_dir, tz=config.tz, imported=None)
"""


def make_repo(root: Path) -> dict[str, bytes]:
    (root / "activities/contributors").mkdir(parents=True)
    (root / "contributors").mkdir()
    (root / "activities/definitions.json").write_text(
        '[\n  {\n    "slug": "d",\n    "name": "D",\n    "description": "d",\n    "points": 1,\n    "icon": null\n  }\n]'
    )
    old: dict[str, bytes] = {}
    for i in range(N_FILES):
        (root / f"contributors/u{i}.md").write_text("---\nrole: core\n---\n\n")
        line = (
            f'{{"slug":"s{i}","contributor":"u{i}","activity_definition":"d","title":"old",'
            '"occurred_at":"2024-01-01T00:00:00.000Z","link":null,"text":null,"points":null,"meta":null}\n'
        )
        rel = f"activities/contributors/u{i}.jsonl"
        (root / rel).write_text(line)
        old[rel] = line.encode()
    return old


def test_core_53_sigkill_mid_export_leaves_old_or_new_content(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old = make_repo(data_dir)
    tests_dir = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(data_dir), tests_dir],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready", proc.stderr.read() if proc.stderr else ""
    # Kill once the first round has landed, while later rounds are under way.
    first = data_dir / "activities/contributors/u0.jsonl"
    deadline = time.monotonic() + 60
    while first.read_bytes() == old["activities/contributors/u0.jsonl"]:
        assert time.monotonic() < deadline, "no export round finished"
        time.sleep(0.01)
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    changed = 0
    for rel, before in old.items():
        now = (data_dir / rel).read_bytes()
        if now == before:
            continue
        changed += 1
        # New content: one complete line with the new title, never a prefix of one.
        assert now.startswith(b'{"slug":"s') and now.endswith(b"}\n") and now.count(b"\n") == 1, rel
        assert b'"title":"NEW ' in now
    assert changed > 0
    # Whatever temp files the kill left behind are ours and the next export removes them.
    leftovers = list((data_dir / "activities/contributors").glob(".*.tmp"))
    removed = remove_stale_temp_files(data_dir / "activities/contributors")
    assert sorted(removed) == sorted(leftovers)


def test_write_if_changed_skips_equal_bytes(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    assert write_if_changed(target, b"a") is True
    mtime = target.stat().st_mtime_ns
    assert write_if_changed(target, b"a") is False
    assert target.stat().st_mtime_ns == mtime
    assert write_if_changed(target, b"b") is True
    assert target.read_bytes() == b"b"
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["f.txt"]


def test_remove_stale_temp_files_only_touches_temp_names(tmp_path: Path) -> None:
    for name in (".a.md.1234.tmp", "b.tmp", ".keep", "c.md"):
        (tmp_path / name).write_text("x")
    removed = remove_stale_temp_files(tmp_path)
    assert [p.name for p in removed] == [".a.md.1234.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".keep", "b.tmp", "c.md"]
