"""The data-dir lock (CORE-08): one writer at a time, stale locks of dead processes replaced."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from leaderboard.errors import LockedError
from leaderboard.timeutil import canonical

LOCK_NAME = ".leaderboard.lock"
log = logging.getLogger("leaderboard.lock")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError as exc:
        return exc.errno != errno.ESRCH
    return True


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def acquire(
    data_dir: Path, command: str, *, started_at: datetime, break_lock: bool = False
) -> Path:
    """Create the lock file exclusively; raise LockedError (exit 4) when a live process holds it."""
    path = data_dir / LOCK_NAME
    host = socket.gethostname()
    content = json.dumps(
        {"pid": os.getpid(), "host": host, "command": command, "started_at": canonical(started_at)},
        separators=(",", ":"),
    )
    for _ in range(3):
        if break_lock and path.exists():
            log.warning("Removing lock %s (--break-lock)", path)
            path.unlink(missing_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            held = _read(path)
            pid = held.get("pid")
            if held.get("host") == host and isinstance(pid, int) and not _alive(pid):
                log.warning("Removed stale lock left by pid %s", pid)
                path.unlink(missing_ok=True)
                continue
            if not held:
                # Being written right now, or garbage: treat as held to stay safe.
                held = {"pid": "?", "host": "?", "started_at": "?", "command": "?"}
            raise LockedError(
                f"Data dir is locked by pid {held.get('pid')} on {held.get('host')} since "
                f"{held.get('started_at')} ({held.get('command')}); remove {path} if that process is gone"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        return path
    raise LockedError(f"Could not take the lock {path}")


def release(path: Path) -> None:
    held = _read(path)
    if held.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


@contextmanager
def locked(
    data_dir: Path, command: str, *, started_at: datetime, break_lock: bool = False
) -> Iterator[Path]:
    """Hold the lock for the block; released on exit, errors, SIGINT and SIGTERM."""
    path = acquire(data_dir, command, started_at=started_at, break_lock=break_lock)
    previous = signal.getsignal(signal.SIGTERM)

    def _on_term(signum: int, frame: FrameType | None) -> None:
        release(path)
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, _on_term)
    except ValueError:  # not the main thread
        previous = None
    try:
        yield path
    finally:
        release(path)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
