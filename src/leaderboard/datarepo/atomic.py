"""Atomic, changed-only file writes (CORE-53, NEW-09), used by every writer of files.

A file is replaced by writing a temporary sibling (`.<name>.<random>.tmp`), flushing and fsyncing
it, and renaming it over the target, so a reader (or a crash) only ever sees the old or the new
bytes. Equal bytes mean no write at all, so modification times and git diffs stay quiet.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path


def write_if_changed(path: Path, data: bytes, *, sync_dir: bool = True) -> bool:
    """Write `data` to `path` atomically unless the file already holds exactly these bytes.

    Returns True when the file was written. Parent directories are created as needed. With
    `sync_dir=False` the caller fsyncs the directory itself later (`ParallelWrites`): until then
    a crash may lose the rename, leaving the old file, which is still "old or new".
    """
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sync_dir:
        _fsync_dir(path.parent)
    return True


class ParallelWrites:
    """Many `write_if_changed` calls at once (CORE-80: an export may write thousands of files).

    Each file is still written to a temporary sibling, fsynced and renamed (CORE-53), but the
    fsyncs of different files overlap in worker threads, so the file system commits them
    together instead of one journal commit per file; each directory that got a new file is
    fsynced once in `drain()`. `drain()` returns the results in submission order and re-raises
    the first error; call it before anything that must follow the writes (deleting files).
    """

    def __init__(self, workers: int = 8, window: int = 512) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="write")
        self._window = window
        self._pending: deque[tuple[str, Future[bool]]] = deque()
        self._done: list[tuple[str, bool]] = []
        self._dirs: set[Path] = set()

    def submit(self, key: str, path: Path, data: bytes) -> None:
        """Queue a write; `key` comes back with its result from `drain()`."""
        if len(self._pending) >= self._window:
            self._collect_one()
        future = self._pool.submit(write_if_changed, path, data, sync_dir=False)
        self._pending.append((key, future))
        self._dirs.add(path.parent)

    def note(self, key: str, written: bool) -> None:
        """A result known without writing (e.g. a profile unchanged in meaning), kept in order."""
        future: Future[bool] = Future()
        future.set_result(written)
        self._pending.append((key, future))

    def _collect_one(self) -> None:
        key, future = self._pending.popleft()
        self._done.append((key, future.result()))

    def drain(self) -> list[tuple[str, bool]]:
        try:
            while self._pending:
                self._collect_one()
        finally:
            for directory in sorted(self._dirs):
                _fsync_dir(directory)
            self._dirs.clear()
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        for _, future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable; not every platform can open a directory, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_temp_name(name: str) -> bool:
    """Names of our temporary files: start with `.` and end with `.tmp`."""
    return name.startswith(".") and name.endswith(".tmp") and len(name) > 5


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete temporary files a crashed writer left directly inside `directory`."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if is_temp_name(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
