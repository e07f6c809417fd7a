"""`export_repo`: write the working DB back into the data repository (CORE-42…CORE-53).

Files are written in the CORE-53 order, each only when its bytes change (contributor profiles only
when their meaning changes), atomically. Stale per-contributor files are deleted only when this
invocation's import read them in full; files that had invalid content are never touched.
"""

from __future__ import annotations

import logging
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from itertools import groupby
from pathlib import Path

from leaderboard.datarepo import layout
from leaderboard.datarepo.atomic import WriteBatch, remove_stale_temp_files
from leaderboard.datarepo.contributors import parse_profile, render_profile
from leaderboard.datarepo.definitions import render_array
from leaderboard.datarepo.lines import (
    LineContext,
    parse_lines_file,
    render_activity,
    render_aggregate,
    render_badge,
)
from leaderboard.datarepo.snapshot import COLUMNS, TABLES, RepoSnapshot, Row, Unit
from leaderboard.datarepo.syncstate import (
    FileState,
    digest,
    mark_validated,
    record_kind,
    stat_of,
    synced_kinds,
)
from leaderboard.datarepo.values import column_text
from leaderboard.db import Database
from leaderboard.errors import InvalidInputError
from leaderboard.problems import Problem
from leaderboard.usernames import username_problem

log = logging.getLogger("leaderboard.datarepo")


@dataclass
class ExportStats:
    """Relative paths written, left unchanged and deleted, plus warnings for the run summary."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    removed_temp_files: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # sha256 of each file written


class _Exporter:
    def __init__(
        self,
        db: Database,
        data_dir: Path,
        tz: tzinfo,
        imported: RepoSnapshot | None,
        default_role: str | None,
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.tz = tz
        self.imported = imported
        self.default_role = default_role
        self.protected = imported.protected_files() if imported else set()
        self.fully = imported.fully_imported() if imported else set()
        self.stats = ExportStats()
        self.not_exported: dict[str, int] = {}
        self.synced = synced_kinds(db)
        self.states: dict[str, FileState] = {}  # files written or compared, for syncstate
        self.writer = WriteBatch()
        self._digests: dict[str, str] = {}

    # -- helpers ----------------------------------------------------------------------------

    def warn(self, message: str) -> None:
        self.stats.warnings.append(message)
        log.warning("%s", message)

    def write(self, rel: str, text: str) -> None:
        """Stage a changed-only atomic write; `flush()` commits it (atomic.WriteBatch)."""
        if rel in self.protected:
            return
        self.writer.stage(rel, self.data_dir / rel, text.encode("utf-8"))

    def flush(self) -> None:
        """Commit the staged writes (before any deletion) and count them in staging order."""
        for rel, written in self.writer.commit():
            (self.stats.written if written else self.stats.unchanged).append(rel)
            if written:  # "" when not known (runmemo.py then records nothing)
                self.stats.digests[rel] = self.writer.digests.pop(rel, "")
            file_digest = self._digests.pop(rel, None)
            if file_digest is not None:
                st = stat_of(self.data_dir / rel)
                if st is not None:
                    self.states[rel] = FileState(st[0], st[1], file_digest)

    def blocked(self, rel: str, rows: int) -> bool:
        """True (and counted) when `rel` is protected by invalid content (CORE-53)."""
        if rel in self.protected:
            self.not_exported[rel] = self.not_exported.get(rel, 0) + rows
            return True
        return False

    def rows(self, kind: str, order: str) -> Iterator[Row]:
        cols = ", ".join(COLUMNS[kind])
        return iter(self.db.execute(f"SELECT {cols} FROM {TABLES[kind]} ORDER BY {order}"))

    def delete_stale(self, rel_dir: str, suffix: str, produced: set[str]) -> None:
        directory = self.data_dir / rel_dir
        if not directory.is_dir():
            return
        for name in sorted(os.listdir(directory)):
            rel = f"{rel_dir}/{name}"
            if name.startswith(".") or not name.endswith(suffix) or rel in produced:
                continue
            if not (directory / name).is_file():
                continue
            if rel in self.fully and rel not in self.protected:
                (directory / name).unlink()
                self.stats.deleted.append(rel)
            else:
                self.warn(f"stale file kept: {rel}")

    def valid_name(self, username: str) -> bool:
        problem = username_problem(username)
        if problem:
            self.warn(f"not exported: invalid username {username!r} ({problem})")
            return False
        return True

    # -- kinds ------------------------------------------------------------------------------

    def contributors(self) -> None:
        imported_rows = self.imported.contributor_rows_by_path() if self.imported else {}
        produced: set[str] = set()
        for raw in self.rows("contributor", "username COLLATE BINARY"):
            row = _normalise_contributor(raw)
            username = row[0]
            if not self.valid_name(username):
                continue
            rel = layout.contributor_file(username)
            produced.add(rel)
            if self.blocked(rel, 1):
                continue
            if imported_rows.get(rel) == row or self._same_on_disk(rel, username, row):
                self.writer.note(rel, False)
                continue
            self.write(rel, render_profile(row))
        self.flush()
        self.delete_stale(layout.CONTRIBUTORS_DIR, ".md", produced)

    def _same_on_disk(self, rel: str, username: str, row: Row) -> bool:
        """Semantic no-change (CORE-42): the existing file already parses to this row."""
        text, problem = layout.read_text(self.data_dir, rel)
        if text is None or problem is not None:
            return False
        parsed = parse_profile(rel, username, text, tz=self.tz, default_role=self.default_role)
        return parsed.row == row

    def array(self, kind: str, rel: str) -> None:
        rows = list(self.rows(kind, "slug COLLATE BINARY"))
        if self.blocked(rel, len(rows)):
            return
        self.write(rel, render_array(kind, rows))
        self.flush()

    def per_contributor(
        self,
        kind: str,
        rel_dir: str,
        path_of: Callable[[str], str],
        contributor_index: int,
        order: str,
        render: Callable[[Row], str],
    ) -> set[str]:
        if self._unchanged_kind(kind, rel_dir):
            return set()
        produced: set[str] = set()
        warnings_before = len(self.stats.warnings)
        blocked_before = len(self.not_exported)
        for username, group in groupby(self.rows(kind, order), key=lambda r: r[contributor_index]):
            if not self.valid_name(username):
                continue
            rel = path_of(username)
            produced.add(rel)
            rows = list(group)
            if self.blocked(rel, len(rows)):
                continue
            lines = [render(r) for r in rows]
            data = "".join(lines).encode("utf-8")
            existing = self._existing(rel, len(data))
            if (
                existing is not None
                and existing != data
                and not _same_rows(kind, rel, existing, lines, rows, self._line_context())
            ):
                existing = None
            if existing is None:
                self.writer.stage(rel, self.data_dir / rel, data)
            else:
                self.writer.note(rel, False)
            self._digests[rel] = digest(existing if existing is not None else data)
        self.flush()
        self.delete_stale(rel_dir, ".jsonl", produced)
        clean = (
            len(self.stats.warnings) == warnings_before
            and len(self.not_exported) == blocked_before
            and not any(p.startswith(rel_dir + "/") for p in self.protected)
        )
        self._record(kind, produced, clean)
        return produced

    def _existing(self, rel: str, size: int) -> bytes | None:
        """The bytes of `rel` when it is a regular file that may hold the same rows: any
        file of the rendered size (a reordering keeps the size), else only when a parser
        context is at hand to compare rows that are written differently (CORE-45)."""
        path = self.data_dir / rel
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                return None
            if st.st_size != size and self._line_context() is None:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def _line_context(self) -> LineContext | None:
        ctx = self.imported.line_context if self.imported else None
        return ctx if isinstance(ctx, LineContext) else None

    def _unchanged_kind(self, kind: str, rel_dir: str) -> bool:
        """The DB rows of `kind` are what its files held when read, and the files are unchanged
        since (syncstate.py): rendering them would reproduce every file, so skip it."""
        imported = self.imported
        if imported is None or kind not in self.synced or kind not in imported.files_match:
            return False
        read = imported.file_states.get(kind, {})
        if set(read) != set(_listing(self.data_dir, rel_dir)) or self.protected.intersection(read):
            return False  # protected files need their "rows not exported" warnings
        if any(stat_of(self.data_dir / rel) != (fs.size, fs.mtime_ns) for rel, fs in read.items()):
            return False
        self.stats.unchanged.extend(sorted(read))
        mark_validated(self.db, kind, read)
        return True

    def _record(self, kind: str, produced: set[str], clean: bool) -> None:
        """Remember the files of `kind` as now written (syncstate.py); validated marks carry
        over from the import of this invocation when the bytes are the ones it read."""
        read = self.imported.file_states.get(kind, {}) if self.imported else {}
        files: dict[str, FileState] = {}
        for rel in produced:
            fs = self.states.get(rel)
            if fs is None:
                clean = False
                continue
            before = read.get(rel)
            validated = before.validated if before and before.digest == fs.digest else None
            files[rel] = FileState(fs.size, fs.mtime_ns, fs.digest, validated)
        record_kind(self.db, kind, files, clean)

    def flat_files(self) -> None:
        """Flat `activities/<u>.jsonl` fully imported in this invocation: delete (CORE-53)."""
        if self.imported is None:
            return
        directory = self.data_dir / layout.ACTIVITIES_DIR
        for name in sorted(os.listdir(directory)):
            rel = f"{layout.ACTIVITIES_DIR}/{name}"
            if (
                name.startswith(".")
                or not name.endswith(".jsonl")
                or not (directory / name).is_file()
            ):
                continue
            if rel in self.fully and rel not in self.protected:
                (directory / name).unlink()
                self.stats.deleted.append(rel)
                message = f"moved {rel} into {layout.ACTIVITY_FILES_DIR}/"
                self.stats.infos.append(message)
                log.info("%s", message)

    def run(self) -> ExportStats:
        try:
            return self._run()
        finally:
            self.writer.close()

    def _run(self) -> ExportStats:
        unsafe = layout.unsafe_dirs(self.data_dir)
        if unsafe:  # CORE-82: never create, rewrite or delete files outside the data dir
            raise InvalidInputError(
                "refusing to export through a symlink out of the data dir", unsafe
            )
        for rel_dir in layout.MANAGED_DIRS:
            (self.data_dir / rel_dir).mkdir(parents=True, exist_ok=True)
            removed = remove_stale_temp_files(self.data_dir / rel_dir)
            self.stats.removed_temp_files.extend(f"{rel_dir}/{p.name}" for p in removed)
        self.contributors()
        self.array("activity_definition", layout.ACTIVITY_DEFINITIONS)
        self.per_contributor(
            "activity",
            layout.ACTIVITY_FILES_DIR,
            layout.activity_file,
            1,
            "contributor, occurred_at, slug",
            render_activity,
        )
        self.flat_files()
        self.array("global_aggregate", layout.GLOBAL_AGGREGATES)
        self.array("aggregate_definition", layout.AGGREGATE_DEFINITIONS)
        self.per_contributor(
            "contributor_aggregate",
            layout.AGGREGATE_FILES_DIR,
            layout.aggregate_file,
            1,
            "contributor, aggregate",
            render_aggregate,
        )
        self.array("badge_definition", layout.BADGE_DEFINITIONS)
        self.per_contributor(
            "contributor_badge",
            layout.BADGE_FILES_DIR,
            layout.badge_file,
            2,
            "contributor, achieved_on DESC, slug",
            render_badge,
        )
        for rel, count in sorted(self.not_exported.items()):
            self.warn(f"{count} rows not exported: {rel} has invalid content")
        return self.stats


def _same_rows(
    kind: str,
    rel: str,
    existing: bytes,
    lines: list[str],
    rows: list[Row],
    ctx: LineContext | None,
) -> bool:
    """Semantic no-change (CORE-45): the file's lines import to exactly `rows`, in any order.

    Upstream wrote lines in insertion order, so an adopted repository holds the very lines
    export renders, in another order: comparing the sorted lines settles that without parsing.
    Otherwise, with the import's parser context, the file is parsed as import reads it (CORE-44)
    and kept when it yields the same rows without any problem.
    """
    if existing.endswith(b"\n") and b"\r" not in existing:
        on_disk = existing.decode("utf-8", "surrogateescape").split("\n")
        on_disk.pop()
        if len(on_disk) == len(lines) and sorted(on_disk) == sorted(s[:-1] for s in lines):
            return True
    if ctx is None:
        return False
    data, problem = layout.normalise_utf8(rel, existing)
    if problem is not None or data is None:
        return False
    units: list[Unit] = []
    problems: list[Problem] = []
    complete = parse_lines_file(kind, rel, data, ctx, units, problems)
    if not complete or problems or any(not u.valid for u in units):
        return False
    return Counter(u.row for u in units) == Counter(rows)


def _listing(data_dir: Path, rel_dir: str) -> list[str]:
    """The `.jsonl` data files of a per-contributor directory, as `layout.discover` sees them."""
    directory = data_dir / rel_dir
    if not directory.is_dir():
        return []
    return [
        f"{rel_dir}/{e.name}"
        for e in os.scandir(directory)
        if not e.name.startswith(".") and e.name.endswith(".jsonl") and e.is_file()
    ]


def _normalise_json(value: object) -> object:
    try:
        return column_text(value)
    except ValueError:
        return value


def _normalise_contributor(raw: Row) -> Row:
    """A DB row in the exact form the parser produces (JSON re-encoded, `{}` extra as NULL)."""
    row = list(raw)
    for i in (6, 8, 12, 13):
        row[i] = _normalise_json(row[i])
    if row[13] == "{}":
        row[13] = None
    if row[11] is not None:
        row[11] = 1 if row[11] else 0
    for i in (1, 3, 4, 5):
        if row[i] == "":
            row[i] = None
    return tuple(row)


def export_repo(
    db: Database,
    data_dir: Path,
    *,
    tz: tzinfo,
    imported: RepoSnapshot | None,
    default_role: str | None = None,
) -> ExportStats:
    """Export every table into `data_dir` (see module docstring).

    `imported` is the snapshot the import phase of the same invocation used (None for `run
    export` alone): it decides which stale files may be deleted and which files are protected.
    `default_role` must be `leaderboard.default_role` so that profiles relying on it count as
    unchanged.
    """
    return _Exporter(db, data_dir, tz, imported, default_role).run()
