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
