"""Atomic, changed-only file writes (CORE-53, NEW-09), used by every writer of files.

A file is replaced by writing a temporary sibling (`.<name>.<random>.tmp`), flushing and fsyncing
it, and renaming it over the target, so a reader (or a crash) only ever sees the old or the new
bytes. Equal bytes mean no write at all, so modification times and git diffs stay quiet.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically unless the file already holds exactly these bytes.

    Returns True when the file was written. Parent directories are created as needed.
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
    _fsync_dir(path.parent)
    return True


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
