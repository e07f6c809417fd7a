"""The data-dir lock (CORE-08): one writer at a time, stale locks of dead processes replaced."""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import secrets
import signal
import time
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


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists on this machine (one we may not signal exists)."""
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
        return _parse(path.read_bytes())
    except OSError:
        return {}


def _parse(data: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _read_fd(fd: int) -> dict[str, Any]:
    return _parse(os.pread(fd, 1 << 16, 0))


def _same_file(fd: int, path: Path) -> bool:
    """Whether `fd` is still the file named `path` (not unlinked or replaced meanwhile)."""
    try:
        named = path.stat()
    except OSError:
        return False
    mine = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)


# Lock files this process holds, by path: the open descriptor carries the flock that tells other
# processes the holder is alive (the kernel drops it when the process dies).
_HELD: dict[str, int] = {}


def _publish(path: Path, content: bytes) -> int | None:
    """Make `path` appear with its full content and already flocked, in one step: written to a
    private file first, then hard-linked into place (fails if `path` exists). So nobody ever reads
    a half-written lock ("locked by pid ?"), and nobody can take it for stale while its owner
    lives. Returns the descriptor holding the flock, or None when a lock file exists."""
    tmp = path.with_name(f"{LOCK_NAME}.{os.getpid()}.{secrets.token_hex(6)}.new")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    linked = False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, content)
        os.fsync(fd)
        try:
            os.link(tmp, path)
            linked = True
        except FileExistsError:
            return None
        except OSError as exc:  # a file system without hard links: exclusive create instead
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
    finally:
        if not linked:
            os.close(fd)
        tmp.unlink(missing_ok=True)
    return fd if linked else _create_in_place(path, content)


def _create_in_place(path: Path, content: bytes) -> int | None:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return None
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, content)
    os.fsync(fd)
    return fd


def _locked_error(path: Path, held: dict[str, Any]) -> LockedError:
    if {"pid", "host", "started_at", "command"} <= held.keys():
        return LockedError(
            f"Data dir is locked by pid {held['pid']} on {held['host']} since "
            f"{held['started_at']} ({held['command']}); remove {path} if that process is gone"
        )
    return LockedError(
        f"Data dir is locked: the lock file {path} does not say by whom (it is empty or not "
        "ours); remove it if no leaderboard command is running on this data dir"
    )


def _examine(path: Path, host: str) -> None:
    """`path` exists and is not ours: return to try again (it went away, or it was stale and
    is removed now), or raise LockedError naming the holder."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Held by a live process. Its content is complete (see `_publish`), except for a
            # holder on a file system without hard links, which writes right after creating.
            held = _read_fd(fd)
            for _ in range(20):
                if held:
                    break
                time.sleep(0.05)
                held = _read_fd(fd)
            raise _locked_error(path, held) from None
        # Nobody holds it. While we hold its flock nobody else can remove or replace it, so
        # the decision below is about this very file — if it is still the one at `path`.
        if not _same_file(fd, path):
            return
        held = _read_fd(fd)
        pid = held.get("pid")
        if held.get("host") == host and isinstance(pid, int) and not process_alive(pid):
            path.unlink()
            log.warning("Removed stale lock left by pid %s", pid)
            return
        raise _locked_error(path, held)
    finally:
        os.close(fd)


def acquire(
    data_dir: Path, command: str, *, started_at: datetime, break_lock: bool = False
) -> Path:
    """Create the lock file exclusively; raise LockedError (exit 4) when a live process holds it.

    Of several processes starting together over a stale lock exactly one gets it: a stale lock
    is removed only by the process holding its flock, after checking it is still the file at
    `path`, so a fresh lock another process just created is never removed by mistake."""
    path = data_dir / LOCK_NAME
    import socket  # only when a lock is taken (start-up time, CORE-80)

    host = socket.gethostname()
    content = json.dumps(
        {"pid": os.getpid(), "host": host, "command": command, "started_at": canonical(started_at)},
        separators=(",", ":"),
    ).encode("utf-8")
    if break_lock and path.exists():
        log.warning("Removing lock %s (--break-lock)", path)
        path.unlink(missing_ok=True)
    for _ in range(20):
        fd = _publish(path, content)
        if fd is not None:
            _HELD[str(path)] = fd
            return path
        _examine(path, host)
    raise LockedError(f"Could not take the lock {path}: it keeps changing")


def release(path: Path) -> None:
    fd = _HELD.pop(str(path), None)
    try:
        held = _read(path)
        if held.get("pid") == os.getpid() and (fd is None or _same_file(fd, path)):
            path.unlink(missing_ok=True)
    finally:
        if fd is not None:
            os.close(fd)


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
