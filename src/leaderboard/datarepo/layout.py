"""Every path of the data repository in one place (CORE-38) and file discovery (CORE-39).

Only regular files directly inside the listed directories are data files. Other names there are
reported as `ignored file` (names starting with `.` silently), and symlinks that leave the data dir
are never followed (CORE-82).
"""

from __future__ import annotations

import os
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


def _entries(data_dir: Path, rel_dir: str, problems: list[Problem]) -> list[tuple[str, bool]]:
    """(name, is_regular_file) of the non-dot entries of a directory, sorted by name."""
    directory = data_dir / rel_dir
    if not directory.is_dir():
        return []
    root = data_dir.resolve()
    out: list[tuple[str, bool]] = []
    for entry in os.scandir(directory):
        if entry.name.startswith("."):
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
        out.append((entry.name, entry.is_file()))
    return sorted(out)


def _collect(
    data_dir: Path,
    rel_dir: str,
    suffix: str,
    problems: list[Problem],
    known: dict[str, str] | None = None,
    subdirs: tuple[str, ...] = (),
) -> tuple[list[str], dict[str, str]]:
    """Files ending in `suffix` (case-sensitive) plus the `known` fixed names found."""
    files: list[str] = []
    found: dict[str, str] = {}
    known = known or {}
    for name, is_file in _entries(data_dir, rel_dir, problems):
        rel = f"{rel_dir}/{name}"
        if not is_file:
            if name not in subdirs:
                problems.append(
                    Problem(
                        rel,
                        None,
                        None,
                        "warning",
                        "ignored-file",
                        "ignored file: directories are not read here",
                    )
                )
            continue
        if name in known:
            found[known[name]] = rel
        elif name.endswith(suffix) and len(name) > len(suffix):
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
    d.contributors, _ = _collect(data_dir, CONTRIBUTORS_DIR, ".md", p)
    d.flat_activity_files, found = _collect(
        data_dir, ACTIVITIES_DIR, ".jsonl", p, {"definitions.json": "defs"}, ("contributors",)
    )
    d.activity_definitions = found.get("defs")
    d.activity_files, _ = _collect(data_dir, ACTIVITY_FILES_DIR, ".jsonl", p)
    _, found = _collect(
        data_dir,
        AGGREGATES_DIR,
        "\0",
        p,
        {"global.json": "global", "definitions.json": "defs"},
        ("contributors",),
    )
    d.global_aggregates = found.get("global")
    d.aggregate_definitions = found.get("defs")
    d.aggregate_files, _ = _collect(data_dir, AGGREGATE_FILES_DIR, ".jsonl", p)
    _, found = _collect(
        data_dir, BADGES_DIR, "\0", p, {"definitions.json": "defs"}, ("contributors",)
    )
    d.badge_definitions = found.get("defs")
    d.badge_files, _ = _collect(data_dir, BADGE_FILES_DIR, ".jsonl", p)
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
