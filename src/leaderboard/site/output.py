"""Changed-only output of a build (WEB-03, NEW-09): atomic writes, the manifest, stale-file deletion.

Every file of the site goes through `SiteWriter.write`, which records its sha256 for the manifest
and touches the disk only when the bytes differ. At the end, files listed in the previous manifest
but not produced now are deleted; files the manifest never listed are left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from leaderboard import __version__
from leaderboard.errors import LeaderboardError

MANIFEST = ".leaderboard-build.json"

try:  # the datarepo helper's shared implementation, when present
    from leaderboard.datarepo.atomic import write_if_changed as _shared_write
except ImportError:  # pragma: no cover - exercised only before datarepo lands
    _shared_write = None  # type: ignore[assignment]


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically (temp file + rename) unless the file already holds these bytes."""
    if _shared_write is not None:
        return bool(_shared_write(path, data))
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_rel(rel: str) -> str:
    """Refuse output paths that would escape the output directory (CORE-82)."""
    p = PurePosixPath(rel)
    if p.is_absolute() or any(part in ("..", "") for part in p.parts) or not p.parts:
        raise LeaderboardError(f"refusing to write outside the output directory: {rel!r}")
    return str(p)


@dataclass
class SiteWriter:
    """Writes files under `root`, remembering what this build produced."""

    root: Path
    files: dict[str, str] = field(default_factory=dict)  # rel path → sha256
    written: list[str] = field(default_factory=list)
    unchanged: int = 0

    def write(self, rel: str, data: bytes | str) -> bool:
        rel = safe_rel(rel)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.files[rel] = sha256_hex(raw)
        if write_if_changed(self.root / rel, raw):
            self.written.append(rel)
            return True
        self.unchanged += 1
        return False

    def record(self, rel: str, digest: str, written: bool) -> None:
        """Account for a file another process wrote (parallel page rendering)."""
        self.files[safe_rel(rel)] = digest
        if written:
            self.written.append(rel)
        else:
            self.unchanged += 1

    def copy(self, rel: str, source: Path) -> bool:
        return self.write(rel, source.read_bytes())


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
