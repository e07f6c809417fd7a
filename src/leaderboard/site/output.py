"""Changed-only output of a build (WEB-03, NEW-09): atomic writes, the manifest, stale-file deletion.

Every file of the site goes through `SiteWriter.write`, which records its sha256 for the manifest
and touches the disk only when the bytes differ. At the end, files listed in the previous manifest
but not produced now are deleted; files the manifest never listed are left alone.

Knowing whether a file already holds the new bytes used to mean reading it back. The writer now
remembers, per output directory (`FileState`, kept in the cache dir), each file's size, mtime and
sha256 as of the end of the previous build; a file whose size and mtime still match is compared by
digest without being read. Entries whose mtime is too close to when they were recorded could hide
a same-size edit on a coarse-timestamp file system ("racy" entries), so those are still read.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import orjson

from leaderboard import __version__
from leaderboard.errors import LeaderboardError

MANIFEST = ".leaderboard-build.json"
RACY_NS = 2_000_000_000  # the coarsest common mtime granularity (FAT: 2 s)

Stat = tuple[int, int, str]  # size, mtime_ns, sha256


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically (temp file + rename) unless the file already holds these bytes."""
    try:
        st = path.stat()
        if st.st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    replace_file(path, data)
    return True


def replace_file(path: Path, data: bytes) -> None:
    """Temp file + rename, so readers see the old or the new bytes. Unlike data-repo files, site
    files are not fsynced one by one: a build is reproducible, a torn file after a crash differs
    in size or bytes from the manifest and is rewritten by the next build, and 13,000 fsyncs were
    a third of a full build."""
    with _replacing(path) as tmp, _create(tmp) as fh:
        fh.write(data)


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary sibling to fill, renamed over `path` on success and deleted on failure.
    Unique per process and thread: avatars are drawn in a background thread too."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create(path: Path) -> BinaryIO:
    """Open a new file for writing, creating its directory only when it is missing."""
    try:
        return open(path, "wb")  # the caller's `with` closes it
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "wb")


def stat_of(path: Path, digest: str) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, digest)


@dataclass
class FileState:
    """What the previous build left in an output directory: rel path → (size, mtime_ns, sha256),
    and when that was recorded (entries written within `RACY_NS` of it are not trusted)."""

    files: dict[str, Stat] = field(default_factory=dict)
    saved_ns: int = 0

    def trusted(self, rel: str, target: Path) -> Stat | None:
        """The recorded stat when the file on disk still matches it (no read needed)."""
        known = self.files.get(rel)
        if known is None or known[1] > self.saved_ns - RACY_NS:
            return None
        try:
            st = target.stat()
        except OSError:
            return None
        if st.st_size != known[0] or st.st_mtime_ns != known[1]:
            return None
        return known

    def verify(self, rel: str, target: Path, digest: str) -> Stat | None:
        """The file's stat when it holds the bytes with `digest` (trusted stat, else by reading)."""
        known = self.trusted(rel, target)
        if known is not None:
            return known if known[2] == digest else None
        try:
            st = target.stat()
            if sha256_hex(target.read_bytes()) == digest:
                return (st.st_size, st.st_mtime_ns, digest)
        except OSError:
            pass
        return None

    def holds(self, rel: str, target: Path, data: bytes, digest: str) -> Stat | None:
        """The file's stat when it already holds `data` (by trusted stat, else by reading)."""
        known = self.trusted(rel, target)
        if known is not None:
            return known if known[2] == digest and known[0] == len(data) else None
        try:
            st = target.stat()
            if st.st_size == len(data) and target.read_bytes() == data:
                return (st.st_size, st.st_mtime_ns, digest)
        except OSError:
            pass
        return None


def _state_path(cache_dir: Path, root: Path) -> Path:
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"build-files-{key}.json"


def load_file_state(cache_dir: Path | None, root: Path) -> FileState:
    if cache_dir is None:
        return FileState()
    try:
        data = orjson.loads(_state_path(cache_dir, root).read_bytes())
        files = {k: (int(v[0]), int(v[1]), str(v[2])) for k, v in data["files"].items()}
        return FileState(files, int(data["saved_ns"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return FileState()


def save_file_state(cache_dir: Path | None, root: Path, files: dict[str, Stat]) -> None:
    if cache_dir is None:
        return
    doc = {"files": dict(sorted(files.items())), "saved_ns": time.time_ns()}
    path = _state_path(cache_dir, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, orjson.dumps(doc))


def write_known(
    state: FileState, root: Path, rel: str, data: bytes
) -> tuple[str, bool, Stat | None]:
    """Write `root/rel` unless it holds `data` already: (sha256, written, stat after)."""
    digest = sha256_hex(data)
    target = root / rel
    held = state.holds(rel, target, data, digest)
    if held is not None:
        return digest, False, held
    replace_file(target, data)
    return digest, True, stat_of(target, digest)


def copy_known(
    state: FileState, root: Path, rel: str, source: Path
) -> tuple[str, bool, Stat | None]:
    """`write_known` for the bytes of `source`, read in chunks, never whole."""
    digest = sha256_file(source)
    target = root / rel
    known = state.trusted(rel, target)
    if known is not None and known[2] == digest:
        return digest, False, known
    if known is None and same_bytes(source, target):
        return digest, False, stat_of(target, digest)
    copy_file(source, target)
    return digest, True, stat_of(target, digest)


def copy_if_changed(source: Path, target: Path) -> bool:
    """Copy `source` over `target` (atomically) unless their bytes are equal; True if copied."""
    if same_bytes(source, target):
        return False
    copy_file(source, target)
    return True


def same_bytes(source: Path, target: Path) -> bool:
    """Equal contents, compared in chunks (False when `target` is missing)."""
    try:
        return target.stat().st_size == source.stat().st_size and filecmp.cmp(
            source, target, shallow=False
        )
    except OSError:
        return False


def copy_file(source: Path, target: Path) -> None:
    """`replace_file` for the bytes of `source`, copied by the kernel in chunks."""
    with _replacing(target) as tmp:
        _create(tmp).close()  # creates the directory when missing
        shutil.copyfile(source, tmp)


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_rel(rel: str) -> str:
    """Refuse output paths that would escape the output directory (CORE-82)."""
    parts = rel.split("/")
    if rel and "" not in parts and "." not in parts and ".." not in parts:
        return rel  # already normal (nor absolute): what the parse below returns, unparsed
    p = PurePosixPath(rel)
    if p.is_absolute() or any(part in ("..", "") for part in p.parts) or not p.parts:
        raise LeaderboardError(f"refusing to write outside the output directory: {rel!r}")
    return str(p)


@dataclass
class SiteWriter:
    """Writes files under `root`, remembering what this build produced."""

    root: Path
    previous: FileState = field(default_factory=FileState)
    files: dict[str, str] = field(default_factory=dict)  # rel path → sha256
    stats: dict[str, Stat] = field(default_factory=dict)  # rel path → stat after this build
    written: list[str] = field(default_factory=list)
    unchanged: int = 0

    def write(self, rel: str, data: bytes | str) -> bool:
        rel = safe_rel(rel)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        digest, written, st = write_known(self.previous, self.root, rel, raw)
        self.record(rel, digest, written, st)
        return written

    def record(self, rel: str, digest: str, written: bool, st: Stat | None = None) -> None:
        """Account for a file (possibly written by another process: parallel page rendering)."""
        rel = safe_rel(rel)
        self.files[rel] = digest
        if st is not None:
            self.stats[rel] = st
        else:
            self.stats.pop(rel, None)
        if written:
            self.written.append(rel)
        else:
            self.unchanged += 1

    def copy(self, rel: str, source: Path) -> bool:
        """`write(rel, source's bytes)` without holding them: the public DB is 650 MB at 10x
        (CORE-80 memory), so it is hashed, compared and copied in chunks."""
        rel = safe_rel(rel)
        digest, written, st = copy_known(self.previous, self.root, rel, source)
        self.record(rel, digest, written, st)
        return written


def read_manifest(root: Path) -> dict[str, object] | None:
    """The previous build's manifest, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((root / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def prepare_clean(root: Path) -> None:
    """`--clean`: empty `root`, but only if it is empty or was built by us (WEB-01)."""
    if not root.exists():
        return
    entries = list(root.iterdir())
    if entries and read_manifest(root) is None:
        raise LeaderboardError(f"Refusing to clean {root}: not a site built by leaderboard")
    for entry in sorted(entries, reverse=True):
        if entry.is_dir() and not entry.is_symlink():
            _rmtree(entry)
        else:
            entry.unlink()


def _rmtree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_dir() and not child.is_symlink():
            _rmtree(child)
        else:
            child.unlink()
    path.rmdir()


def finish(writer: SiteWriter, *, base_path: str, site_url: str) -> list[str]:
    """Delete stale files of the previous build and write the new manifest; returns deletions."""
    previous = read_manifest(writer.root) or {}
    old_files = previous.get("files") if isinstance(previous.get("files"), dict) else {}
    assert isinstance(old_files, dict)
    deleted: list[str] = []
    for rel in sorted(old_files):
        if rel in writer.files:
            continue
        try:
            target = writer.root / safe_rel(rel)
        except LeaderboardError:
            continue
        if target.is_file():
            target.unlink()
            deleted.append(rel)
            _prune_empty_dirs(target.parent, writer.root)
    manifest = {
        "base_path": base_path,
        "files": dict(sorted(writer.files.items())),
        "package_version": __version__,
        "site_url": site_url,
        "version": 1,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_if_changed(writer.root / MANIFEST, text.encode("utf-8"))
    return deleted


def _prune_empty_dirs(directory: Path, root: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
