"""Every path of the data repository in one place (CORE-38) and file discovery (CORE-39).

Only regular files directly inside the listed directories are data files. Other names there are
reported as `ignored file` (names starting with `.` silently), and symlinks that leave the data dir
are never followed (CORE-82).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from leaderboard.problems import Problem

CONTRIBUTORS_DIR = "contributors"
ACTIVITIES_DIR = "activities"
ACTIVITY_FILES_DIR = "activities/contributors"
AGGREGATES_DIR = "aggregates"
AGGREGATE_FILES_DIR = "aggregates/contributors"
BADGES_DIR = "badges"
BADGE_FILES_DIR = "badges/contributors"

ACTIVITY_DEFINITIONS = "activities/definitions.json"
GLOBAL_AGGREGATES = "aggregates/global.json"
AGGREGATE_DEFINITIONS = "aggregates/definitions.json"
BADGE_DEFINITIONS = "badges/definitions.json"

# Directories export writes into: created even when empty, cleaned of temporary files (CORE-53).
MANAGED_DIRS = (
    CONTRIBUTORS_DIR,
    ACTIVITIES_DIR,
    ACTIVITY_FILES_DIR,
    AGGREGATES_DIR,
    AGGREGATE_FILES_DIR,
    BADGES_DIR,
    BADGE_FILES_DIR,
)
# Per-contributor directories whose files export deletes when stale (CORE-53): dir → suffix.
PER_CONTRIBUTOR_DIRS = {
    CONTRIBUTORS_DIR: ".md",
    ACTIVITY_FILES_DIR: ".jsonl",
    AGGREGATE_FILES_DIR: ".jsonl",
    BADGE_FILES_DIR: ".jsonl",
}


def contributor_file(username: str) -> str:
    return f"{CONTRIBUTORS_DIR}/{username}.md"


def activity_file(username: str) -> str:
    return f"{ACTIVITY_FILES_DIR}/{username}.jsonl"


def flat_activity_file(username: str) -> str:
    return f"{ACTIVITIES_DIR}/{username}.jsonl"


def aggregate_file(username: str) -> str:
    return f"{AGGREGATE_FILES_DIR}/{username}.jsonl"


def badge_file(username: str) -> str:
    return f"{BADGE_FILES_DIR}/{username}.jsonl"


def username_of(rel_path: str, suffix: str) -> str:
    """`contributors/a.md.md` → `a.md`: only the final suffix is removed (CORE-41)."""
    name = rel_path.rsplit("/", 1)[-1]
    return name[: -len(suffix)]


@dataclass
class Discovered:
    """The data files found, each list in byte order of file names."""

    contributors: list[str] = field(default_factory=list)
    activity_definitions: str | None = None
    activity_files: list[str] = field(default_factory=list)
    flat_activity_files: list[str] = field(default_factory=list)
    global_aggregates: str | None = None
    aggregate_definitions: str | None = None
    aggregate_files: list[str] = field(default_factory=list)
    badge_definitions: str | None = None
    badge_files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def all_files(self) -> list[str]:
        singles = [
            self.activity_definitions,
            self.global_aggregates,
            self.aggregate_definitions,
            self.badge_definitions,
        ]
        return [
            *self.contributors,
            *[p for p in singles if p],
            *self.activity_files,
            *self.flat_activity_files,
            *self.aggregate_files,
            *self.badge_files,
        ]


def _kind(entry: os.DirEntry[str]) -> str:
    """`file`, `directory`, or what else the entry is (never follows a symlink out)."""
    if entry.is_file():
        return "file"
    if entry.is_dir():
        return "directory"
    try:
        mode = entry.stat().st_mode
    except OSError:
        return "broken symlink" if entry.is_symlink() else "unreadable entry"
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def unsafe_dirs(data_dir: Path) -> list[Problem]:
    """Managed directories that are symlinks leaving the data dir (CORE-82), as errors.

    Such a directory is neither read nor written: export would otherwise create, rewrite and
    delete files outside the data dir (issue 15). A symlink to a directory inside the data dir
    is fine. Only the outermost offending directory is reported.
    """
    root = data_dir.resolve()
    problems: list[Problem] = []
    flagged: list[str] = []
    for rel_dir in MANAGED_DIRS:
        if any(rel_dir.startswith(f + "/") for f in flagged):
            continue
        path = data_dir / rel_dir
        if not os.path.lexists(path):
            continue
        target = path.resolve()
        if target.is_relative_to(root):
            continue
        flagged.append(rel_dir)
        problems.append(
            Problem(
                rel_dir,
                None,
                None,
                "error",
                "unsafe-path",
                f"{rel_dir} leads outside the data dir (to {target}); it is neither read nor "
                "written through. Replace the symlink with a directory",
            )
        )
    return problems


def _entries(
    data_dir: Path, rel_dir: str, problems: list[Problem], outside: tuple[str, ...]
) -> list[tuple[str, str]]:
    """(name, kind) of the non-dot entries of a directory, sorted by name (see `_kind`)."""
    directory = data_dir / rel_dir
    if not directory.is_dir() or any(rel_dir == o or rel_dir.startswith(o + "/") for o in outside):
        return []
    root = data_dir.resolve()
    out: list[tuple[str, str]] = []
    for entry in os.scandir(directory):
        if entry.name.startswith(".") or f"{rel_dir}/{entry.name}" in outside:
            continue
        if entry.is_symlink():
            target = Path(entry.path).resolve()
            if not target.is_relative_to(root):
                problems.append(
                    Problem(
                        f"{rel_dir}/{entry.name}",
                        None,
                        None,
                        "warning",
                        "ignored-file",
                        "ignored file: symlink points outside the data dir",
                    )
                )
                continue
        out.append((entry.name, _kind(entry)))
    return sorted(out)


def _collect(
    data_dir: Path,
    rel_dir: str,
    suffix: str,
    problems: list[Problem],
    known: dict[str, str] | None = None,
    subdirs: tuple[str, ...] = (),
    outside: tuple[str, ...] = (),
) -> tuple[list[str], dict[str, str]]:
    """Files ending in `suffix` (case-sensitive) plus the `known` fixed names found."""
    files: list[str] = []
    found: dict[str, str] = {}
    known = known or {}
    for name, kind in _entries(data_dir, rel_dir, problems, outside):
        rel = f"{rel_dir}/{name}"
        data_name = name in known or (name.endswith(suffix) and len(name) > len(suffix))
        if kind != "file":
            if kind == "directory" and name in subdirs:
                continue
            if data_name:
                # Named like a data file but not one: export would fail to replace it, and a
                # FIFO would block the reader; refuse it up front.
                problems.append(
                    Problem(
                        rel,
                        None,
                        None,
                        "error",
                        "not-a-file",
                        f"{rel} is a {kind}, not a regular file; data files must be files",
                    )
                )
            else:
                problems.append(
                    Problem(
                        rel,
                        None,
                        None,
                        "warning",
                        "ignored-file",
                        f"ignored file: a {kind} is not read here",
                    )
                )
            continue
        if name in known:
            found[known[name]] = rel
        elif data_name:
            files.append(rel)
        else:
            problems.append(
                Problem(
                    rel,
                    None,
                    None,
                    "warning",
                    "ignored-file",
                    f"ignored file: only *{suffix} files are read in {rel_dir}/",
                )
            )
    return files, found


def discover(data_dir: Path) -> Discovered:
    """Find every data file of CORE-38 under `data_dir`."""
    d = Discovered()
    p = d.problems
    unsafe = unsafe_dirs(data_dir)
    p.extend(unsafe)
    # Nothing is read through a directory that leads outside, nor below it.
    outside = tuple(u.path for u in unsafe)
    d.contributors, _ = _collect(data_dir, CONTRIBUTORS_DIR, ".md", p, outside=outside)
    d.flat_activity_files, found = _collect(
        data_dir,
        ACTIVITIES_DIR,
        ".jsonl",
        p,
        {"definitions.json": "defs"},
        ("contributors",),
        outside,
    )
    d.activity_definitions = found.get("defs")
    d.activity_files, _ = _collect(data_dir, ACTIVITY_FILES_DIR, ".jsonl", p, outside=outside)
    _, found = _collect(
        data_dir,
        AGGREGATES_DIR,
        "\0",
        p,
        {"global.json": "global", "definitions.json": "defs"},
        ("contributors",),
        outside,
    )
    d.global_aggregates = found.get("global")
    d.aggregate_definitions = found.get("defs")
    d.aggregate_files, _ = _collect(data_dir, AGGREGATE_FILES_DIR, ".jsonl", p, outside=outside)
    _, found = _collect(
        data_dir, BADGES_DIR, "\0", p, {"definitions.json": "defs"}, ("contributors",), outside
    )
    d.badge_definitions = found.get("defs")
    d.badge_files, _ = _collect(data_dir, BADGE_FILES_DIR, ".jsonl", p, outside=outside)
    return d


def _read(data_dir: Path, rel: str) -> tuple[bytes | None, Problem | None]:
    try:
        return (data_dir / rel).read_bytes(), None
    except OSError as exc:
        return None, Problem(
            rel, None, None, "error", "unreadable-file", f"cannot read file: {exc.strerror or exc}"
        )


def _utf8_problem(rel: str, raw: bytes) -> Problem | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(
            rel,
            line,
            column,
            "error",
            "invalid-utf8",
            "file is not valid UTF-8; re-save it as UTF-8",
        )
    return None


def read_text(data_dir: Path, rel: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text with BOM removed and `\\r\\n` turned into `\\n`, or the problem reading it."""
    data, problem = read_utf8_bytes(data_dir, rel)
    return (None, problem) if data is None else (data.decode("utf-8"), None)


def read_utf8_bytes(data_dir: Path, rel: str) -> tuple[bytes | None, Problem | None]:
    """Like `read_text`, but the normalised content stays UTF-8 bytes (checked to be valid).

    The JSONL hot path parses bytes directly, so decoding every file to `str` only to encode
    it again would be wasted work.
    """
    raw, problem = _read(data_dir, rel)
    if raw is None:
        return None, problem
    return normalise_utf8(rel, raw)


def read_raw(data_dir: Path, rel: str) -> tuple[bytes | None, Problem | None]:
    """The file's bytes exactly as stored, or the problem reading it."""
    return _read(data_dir, rel)


def normalise_utf8(rel: str, raw: bytes) -> tuple[bytes | None, Problem | None]:
    """Checked UTF-8 with BOM removed and `\\r\\n` turned into `\\n` (see `read_text`)."""
    if not raw.isascii():
        problem = _utf8_problem(rel, raw)
        if problem is not None:
            return None, problem
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
    return raw, None
