"""The data-dir lock (CORE-08), with real processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaderboard import lock
from leaderboard.errors import LockedError

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_core_08_lock_content_and_release(tmp_path: Path) -> None:
    with lock.locked(tmp_path, "run", started_at=NOW) as path:
        data = json.loads(path.read_text())
        assert list(data) == ["pid", "host", "command", "started_at"]
        assert data["pid"] == os.getpid() and data["command"] == "run"
        assert data["started_at"] == "2026-01-01T00:00:00.000Z"
    assert not path.exists()


def test_core_08_lock_released_on_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), lock.locked(tmp_path, "run", started_at=NOW):
        raise RuntimeError("boom")
    assert not (tmp_path / lock.LOCK_NAME).exists()


def test_core_08_stale_lock_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / lock.LOCK_NAME).write_text(
        json.dumps(
            {"pid": dead.pid, "host": socket.gethostname(), "command": "run", "started_at": "x"}
        )
    )
    with (
        caplog.at_level("WARNING", logger="leaderboard.lock"),
        lock.locked(tmp_path, "build", started_at=NOW),
    ):
        pass
    assert f"Removed stale lock left by pid {dead.pid}" in caplog.text


def test_core_08_break_lock(tmp_path: Path) -> None:
    (tmp_path / lock.LOCK_NAME).write_text(json.dumps({"pid": 1, "host": "elsewhere"}))
    with pytest.raises(LockedError):
        lock.acquire(tmp_path, "run", started_at=NOW)
    with lock.locked(tmp_path, "run", started_at=NOW, break_lock=True):
        pass


def test_core_08_second_process_exits_4_naming_the_first(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "org: {name: x, description: y, url: 'https://x.org', logo_url: /l.png}\nleaderboard: {}\n"
    )
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from datetime import datetime, timezone
            from pathlib import Path
            from leaderboard import lock
            with lock.locked(Path({str(tmp_path)!r}), "run", started_at=datetime.now(timezone.utc)):
                print("locked", flush=True)
                time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        out = subprocess.run(
            [sys.executable, "-m", "leaderboard", "run", "-d", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 4, out.stderr
        assert f"Data dir is locked by pid {holder.pid} on {socket.gethostname()}" in out.stderr
        assert "remove" in out.stderr and lock.LOCK_NAME in out.stderr
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    # SIGTERM released the lock.
    deadline = time.time() + 5
    while (tmp_path / lock.LOCK_NAME).exists() and time.time() < deadline:
        time.sleep(0.05)
    assert not (tmp_path / lock.LOCK_NAME).exists()


_CONTENDER = textwrap.dedent(
    """
    import os, sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from leaderboard import lock
    from leaderboard.errors import LockedError

    data, sync, trials = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    name = sys.argv[4]

    def put(path, text):
        part = path.with_name(path.name + ".part")
        part.write_text(text)
        os.replace(part, path)  # the test never reads a half-written result

    for k in range(trials):
        go = sync / f"go-{k}"
        while not go.exists():
            time.sleep(0.0005)
        try:
            path = lock.acquire(data, "run", started_at=datetime.now(timezone.utc))
        except LockedError as exc:
            put(sync / f"{name}-{k}", "locked " + str(exc))
            continue
        put(sync / f"{name}-{k}", "acquired")
        while not (sync / f"release-{k}").exists():  # "running" until the test has seen both
            time.sleep(0.0005)
        lock.release(path)
        (sync / f"{name}-{k}-released").touch()
    """
)


def test_two_runs_started_together_over_a_stale_lock_exactly_one_runs(tmp_path: Path) -> None:
    """Issue 15 item 9: 50 trials of two processes taking the lock at the same moment, over a
    stale lock (even trials) or none (odd trials): exactly one runs each time, and the other's
    message names the winner (never "locked by pid ? on ? since ? (?)")."""
    trials = 50
    data, sync = tmp_path / "data", tmp_path / "sync"
    data.mkdir()
    sync.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = json.dumps(
        {"pid": dead.pid, "host": socket.gethostname(), "command": "run", "started_at": "x"}
    )
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", _CONTENDER, str(data), str(sync), str(trials), name]
        )
        for name in ("a", "b")
    }
    try:
        for k in range(trials):
            if k % 2 == 0:
                (data / lock.LOCK_NAME).write_text(stale)
            (sync / f"go-{k}").touch()
            deadline = time.monotonic() + 60
            results = [sync / f"{name}-{k}" for name in procs]
            while not all(r.exists() for r in results):
                assert time.monotonic() < deadline, f"trial {k} timed out"
                time.sleep(0.005)
            outcomes = sorted(r.read_text() for r in results)
            assert outcomes[0] == "acquired", (k, outcomes)
            assert outcomes[1].startswith("locked Data dir is locked by pid "), (k, outcomes)
            assert "?" not in outcomes[1], (k, outcomes)
            (sync / f"release-{k}").touch()
            while not any((sync / f"{name}-{k}-released").exists() for name in procs):
                assert time.monotonic() < deadline, f"trial {k}: no release"
                time.sleep(0.005)
            assert not (data / lock.LOCK_NAME).exists()
        for proc in procs.values():
            assert proc.wait(timeout=60) == 0
    finally:
        for proc in procs.values():
            proc.kill()
    assert sorted(p.name for p in data.iterdir()) == []  # no temporary file left behind
