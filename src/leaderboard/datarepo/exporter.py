"""`export_repo`: write the working DB back into the data repository (CORE-42…CORE-53).

Files are written in the CORE-53 order, each only when its bytes change (contributor profiles only
when their meaning changes), atomically. Stale per-contributor files are deleted only when this
invocation's import read them in full; files that had invalid content are never touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from leaderboard.datarepo import layout
from leaderboard.datarepo.atomic import WriteBatch, remove_stale_temp_files, stage_aside
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
from leaderboard.forkmap import ForkMapJob, resident_bytes, start_fork_map
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


@dataclass(frozen=True, slots=True)
class _PerContributor:
    """How the files of one per-contributor kind are produced: directory, file name, row order
    (grouped by the contributor column at `contributor_index`) and line renderer."""

    kind: str
    rel_dir: str
    path_of: Callable[[str], str]
    contributor_index: int
    order: str
    render: Callable[[Row], str]


_ACTIVITIES = _PerContributor(
    "activity",
    layout.ACTIVITY_FILES_DIR,
    layout.activity_file,
    1,
    "contributor, occurred_at, slug",
    render_activity,
)
_AGGREGATES = _PerContributor(
    "contributor_aggregate",
    layout.AGGREGATE_FILES_DIR,
    layout.aggregate_file,
    1,
    "contributor, aggregate",
    render_aggregate,
)
_BADGES = _PerContributor(
    "contributor_badge",
    layout.BADGE_FILES_DIR,
    layout.badge_file,
    2,
    "contributor, achieved_on DESC, slug",
    render_badge,
)
# Kinds whose files a forked child renders and writes aside from the start of the export, while
# the parent exports what comes before them (CORE-80: on an empty working DB they are the
# export's main work, about 1,900 new files at 1×). Activities stay in the parent: after an
# import they are skipped as unchanged, and their rows would be held in memory twice.
_AHEAD = (_AGGREGATES, _BADGES)
_AHEAD_CHUNK = 32  # files per queued item
# A forked child's RSS counts every page it inherits, so the tree's peak (CORE-80) would count
# the parent twice: above this size the child is a fresh interpreter (`_SpawnedPlanner`).
AHEAD_RSS_LIMIT = 256 << 20


@dataclass(frozen=True, slots=True)
class _Planned:
    """One file's outcome, decided before the batch commits: `tmp` holds the new bytes (written
    aside, `atomic.stage_aside`), None when the file already holds these rows; `digest` is the
    sha256 of the file's bytes once committed."""

    tmp: Path | None
    digest: str


_FAILED = _Planned(None, "")  # the work raised: the parent plans that file again, in order
_Group = tuple[str, list[Row]]


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
        self._root = os.path.join(data_dir, "")
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
        self._ahead_groups: dict[str, list[_Group]] = {}
        self._ahead_job: ForkMapJob[tuple[_PerContributor, int, int], list[_Planned | None]] | None
        self._ahead_job = None
        self._ahead_plans: dict[str, list[_Planned | None]] | None = None
        # username → `username_problem` (every kind checks every name, CORE-80: 60,000 at 10x)
        self._name_problems: dict[str, str | None] = {}

    # -- helpers ----------------------------------------------------------------------------

    def file(self, rel: str) -> str:
        """`rel` under the data dir as a string: for stat calls on thousands of files, where
        building a `Path` each time cost more than the call (CORE-80)."""
        return self._root + rel

    def warn(self, message: str) -> None:
        self.stats.warnings.append(message)
        log.warning("%s", message)

    def write(self, rel: str, text: str) -> None:
        """Stage a changed-only atomic write; `flush()` commits it (atomic.WriteBatch)."""
        if rel in self.protected:
            return
        self.writer.stage(rel, self.data_dir / rel, text.encode("utf-8"))

    def flush(self) -> None:
        """Commit the staged writes (before any deletion) and count them in staging order.

        Called only where something must follow the writes (deleting stale files, the end):
        the array files are committed with the next per-contributor kind, so one file-system
        sync covers both and the renames keep the CORE-53 order."""
        for rel, written in self.writer.commit():
            (self.stats.written if written else self.stats.unchanged).append(rel)
            if written:  # "" when not known (runmemo.py then records nothing)
                self.stats.digests[rel] = self.writer.digests.pop(rel, "")
            file_digest = self._digests.pop(rel, None)
            if file_digest is not None:
                st = stat_of(self.file(rel))
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

    def name_problem(self, username: str) -> str | None:
        """`username_problem`, worked out once per name and export."""
        try:
            return self._name_problems[username]
        except KeyError:
            problem = self._name_problems[username] = username_problem(username)
            return problem

    def valid_name(self, username: str) -> bool:
        problem = self.name_problem(username)
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

    def per_contributor(self, spec: _PerContributor) -> set[str]:
        kind, rel_dir = spec.kind, spec.rel_dir
        plans = self._take_ahead(kind)
        if self._unchanged_kind(kind, rel_dir):
            _discard(plans)
            return set()
        produced: set[str] = set()
        warnings_before = len(self.stats.warnings)
        blocked_before = len(self.not_exported)
        groups: Iterator[tuple[str, Iterator[Row] | list[Row]]]
        if plans is None:
            groups = groupby(self.rows(kind, spec.order), key=itemgetter(spec.contributor_index))
        else:
            groups = iter(self._ahead_groups.pop(kind))
        try:
            for index, (username, group) in enumerate(groups):
                if not self.valid_name(username):
                    continue
                rel = spec.path_of(username)
                produced.add(rel)
                rows = list(group)
                if self.blocked(rel, len(rows)):
                    continue
                plan = None if plans is None else plans[index]
                if plans is not None:
                    plans[index] = None  # adopted below: the batch owns it from here
                if plan is None or plan == _FAILED:  # equal, not identical: it was pickled
                    plan = self._plan(spec, username, rows)
                    assert plan is not None  # valid and not protected, as checked above
                self.writer.adopt(rel, self.data_dir / rel, plan.tmp, plan.digest)
                self._digests[rel] = plan.digest
        finally:
            _discard(plans)  # nothing is left over unless the loop failed
        self.flush()
        self.delete_stale(rel_dir, ".jsonl", produced)
        clean = (
            len(self.stats.warnings) == warnings_before
            and len(self.not_exported) == blocked_before
            and not any(p.startswith(rel_dir + "/") for p in self.protected)
        )
        self._record(kind, produced, clean)
        return produced

    def _plan(self, spec: _PerContributor, username: str, rows: list[Row]) -> _Planned | None:
        """Render one contributor's file and write it aside unless the file on disk already
        holds these rows (CORE-45); None for a file that is not exported (invalid username,
        protected file), which the caller reports. A pure function of the DB rows and the
        files (no warnings, no state), so a forked child can run it (`start_ahead`)."""
        if self.name_problem(username):
            return None
        rel = spec.path_of(username)
        if rel in self.protected:
            return None
        return _plan_rows(spec, self.data_dir, rel, rows, self._line_context())

    def start_ahead(self) -> None:
        """Start a forked child on the files of `_AHEAD` (see there), unless the kind is
        unchanged since it was read. Above `AHEAD_RSS_LIMIT` the child is a fresh interpreter
        reading its rows from the DB file (`_SpawnedPlanner`); not for an in-memory DB or
        while a transaction is open, whose rows another connection would not see.

        The child takes chunks of contributors from a queue, renders them and writes the
        changed files aside (temporary names, nothing renamed); `per_contributor` later adopts
        them into the batch in order, taking its share of what is left, so the files, their
        order, the warnings and the synced state are exactly those of a serial export. Call it
        after the stale temporary files are removed (it creates new ones)."""
        rss = resident_bytes()
        if rss is None:
            return
        spawn = rss > AHEAD_RSS_LIMIT
        if spawn and (self.db.in_transaction or not os.path.isfile(self.db.path)):
            return  # a fresh child reads the committed rows of the DB file itself
        items: list[tuple[_PerContributor, int, int]] = []
        for spec in _AHEAD:
            if self._kind_unchanged(spec.kind, spec.rel_dir) is not None:
                continue
            rows = self.rows(spec.kind, spec.order)
            groups = [
                (u, list(g)) for u, g in groupby(rows, key=itemgetter(spec.contributor_index))
            ]
            self._ahead_groups[spec.kind] = groups
            items.extend(
                (spec, i, min(i + _AHEAD_CHUNK, len(groups)))
                for i in range(0, len(groups), _AHEAD_CHUNK)
            )
        if not items:
            self._ahead_groups.clear()
        elif spawn:
            planner = _SpawnedPlanner(
                self.db.path,
                self.data_dir,
                frozenset(self.protected),
                self._line_context() is not None,
                {k: [(u, len(r)) for u, r in g] for k, g in self._ahead_groups.items()},
                parent=self,
            )
            self._ahead_job = start_fork_map(planner, items, children=1, spawn=True)
        else:
            self._ahead_job = start_fork_map(self._plan_chunk, items, children=1)

    def _plan_chunk(self, item: tuple[_PerContributor, int, int]) -> list[_Planned | None]:
        """The queued work of `start_ahead`: never raises, so that what a child wrote aside
        always comes back to be adopted or deleted; a failed file is planned again in order by
        the parent, which then raises what a serial export raises."""
        spec, start, stop = item
        out: list[_Planned | None] = []
        for username, rows in self._ahead_groups[spec.kind][start:stop]:
            try:
                out.append(self._plan(spec, username, rows))
            except Exception:
                out.append(_FAILED)
        return out

    def _take_ahead(self, kind: str) -> list[_Planned | None] | None:
        """The plans `start_ahead` made for `kind`, aligned with its groups; None when it made
        none. The first call for one of them collects the whole job (the parent works through
        what is left), so the parent exports the kinds before them first."""
        if kind not in self._ahead_groups:
            return None
        if self._ahead_job is not None:
            job, self._ahead_job = self._ahead_job, None
            plans: dict[str, list[_Planned | None]] = {}
            for (spec, _, _), chunk in zip(job.items, job.results(), strict=True):
                plans.setdefault(spec.kind, []).extend(chunk)
            self._ahead_plans = plans
        if self._ahead_plans is None or kind not in self._ahead_plans:
            return None
        return self._ahead_plans.pop(kind)

    def close_ahead(self) -> None:
        """After a failed export: stop the child and delete whatever was written aside and not
        adopted by the batch (the temporary files of `_AHEAD`'s directories are all ours: the
        export removed the stale ones before starting the child)."""
        job, self._ahead_job = self._ahead_job, None
        if job is not None:
            job.close()
            for spec in _AHEAD:
                remove_stale_temp_files(self.data_dir / spec.rel_dir)
        for plans in (self._ahead_plans or {}).values():
            _discard(plans)
        self._ahead_plans = None
        self._ahead_groups.clear()

    def _line_context(self) -> LineContext | None:
        ctx = self.imported.line_context if self.imported else None
        return ctx if isinstance(ctx, LineContext) else None

    def _unchanged_kind(self, kind: str, rel_dir: str) -> bool:
        """The DB rows of `kind` are what its files held when read, and the files are unchanged
        since (syncstate.py): rendering them would reproduce every file, so skip it."""
        read = self._kind_unchanged(kind, rel_dir)
        if read is None:
            return False
        for rel in sorted(read):
            self.writer.note(rel, False)
        self.flush()
        mark_validated(self.db, kind, read)
        return True

    def _kind_unchanged(self, kind: str, rel_dir: str) -> dict[str, FileState] | None:
        """The files of `kind` as read, when `_unchanged_kind` may skip it; no side effect."""
        imported = self.imported
        if imported is None or kind not in self.synced or kind not in imported.files_match:
            return None
        read = imported.file_states.get(kind, {})
        if set(read) != set(_listing(self.data_dir, rel_dir)) or self.protected.intersection(read):
            return None  # protected files need their "rows not exported" warnings
        if any(stat_of(self.file(rel)) != (fs.size, fs.mtime_ns) for rel, fs in read.items()):
            return None
        return read

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
            self.close_ahead()
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
        self.start_ahead()
        self.contributors()
        self.array("activity_definition", layout.ACTIVITY_DEFINITIONS)
        self.per_contributor(_ACTIVITIES)
        self.flat_files()
        self.array("global_aggregate", layout.GLOBAL_AGGREGATES)
        self.array("aggregate_definition", layout.AGGREGATE_DEFINITIONS)
        self.per_contributor(_AGGREGATES)
        self.array("badge_definition", layout.BADGE_DEFINITIONS)
        self.per_contributor(_BADGES)
        for rel, count in sorted(self.not_exported.items()):
            self.warn(f"{count} rows not exported: {rel} has invalid content")
        return self.stats


def _plan_rows(
    spec: _PerContributor,
    data_dir: Path,
    rel: str,
    rows: list[Row],
    ctx: LineContext | None,
    *,
    undecided: bool = False,
) -> _Planned:
    """Render one contributor's file and write it aside unless the file on disk already holds
    these rows (CORE-45): equal bytes, the same lines in another order, or (with the import's
    parser context `ctx`) the same rows written differently. With `undecided` (a spawned
    child, which has no parser context while the parent has one) a file that only parsing
    could settle is left to the parent: `_FAILED`."""
    lines = [spec.render(r) for r in rows]
    data = "".join(lines).encode("utf-8")
    path = data_dir / rel
    existing = _existing(path, len(data), any_size=ctx is not None or undecided)
    if existing is not None and existing != data and not _same_lines(existing, lines):
        if undecided:
            return _FAILED
        if not _same_parsed(spec.kind, rel, existing, rows, ctx):
            existing = None
    if existing is not None:
        return _Planned(None, digest(existing))
    # `_existing` just found the file absent or different: no need to compare again.
    return _Planned(stage_aside(path, data, compare=False), digest(data))


def _existing(path: Path, size: int, *, any_size: bool) -> bytes | None:
    """The bytes of `path` when it is a regular file that may hold the same rows: any file of
    the rendered size (a reordering keeps the size), else only with `any_size` (a parser
    context is at hand to compare rows that are written differently, CORE-45)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        if st.st_size != size and not any_size:
            return None
        return path.read_bytes()
    except OSError:
        return None


class _SpawnedPlanner:
    """`_Exporter._plan_chunk` for a child that is a fresh interpreter (`start_fork_map` with
    `spawn`, when this process is too large to fork): it reads each chunk's rows from the DB
    file itself, read-only, and plans them as the parent would. Picklable; the parent keeps
    `parent` (not pickled) and plans its own share from the rows it already holds.

    A chunk whose rows are not the ones the parent grouped (contributors and row counts in
    `expected`), a DB read that fails, or a file that needs the parser (`_plan_rows`) comes
    back `_FAILED` for the parent to plan again, so the outcome is always the serial one."""

    def __init__(
        self,
        db_path: str,
        data_dir: Path,
        protected: frozenset[str],
        parent_parses: bool,
        expected: dict[str, list[tuple[str, int]]],
        *,
        parent: _Exporter | None = None,
    ) -> None:
        self.db_path = db_path
        self.data_dir = data_dir
        self.protected = protected
        self.parent_parses = parent_parses
        self.expected = expected
        self.parent = parent
        self.db: Database | None = None

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "parent": None, "db": None}

    def __call__(self, item: tuple[_PerContributor, int, int]) -> list[_Planned | None]:
        if self.parent is not None:
            return self.parent._plan_chunk(item)
        spec, start, stop = item
        expected = self.expected[spec.kind][start:stop]
        try:
            groups = self._groups(spec, expected[0][0], expected[-1][0])
        except Exception:
            groups = []
        if [(u, len(rows)) for u, rows in groups] != expected:
            return [_FAILED] * len(expected)
        out: list[_Planned | None] = []
        for username, rows in groups:
            rel = spec.path_of(username)
            if username_problem(username) or rel in self.protected:
                out.append(None)
                continue
            try:
                out.append(
                    _plan_rows(spec, self.data_dir, rel, rows, None, undecided=self.parent_parses)
                )
            except Exception:
                out.append(_FAILED)
        return out

    def _groups(self, spec: _PerContributor, first: str, last: str) -> list[_Group]:
        """The rows of the contributors from `first` to `last`, grouped as the parent's."""
        if self.db is None:
            self.db = Database.open(self.db_path, readonly=True)
        cols = COLUMNS[spec.kind]
        by = cols[spec.contributor_index]
        rows = self.db.execute(
            f"SELECT {', '.join(cols)} FROM {TABLES[spec.kind]} WHERE {by} BETWEEN ? AND ? "
            f"ORDER BY {spec.order}",
            (first, last),
        )
        return [(u, list(g)) for u, g in groupby(rows, key=itemgetter(spec.contributor_index))]


def _discard(plans: list[_Planned | None] | None) -> None:
    """Delete the files written aside for plans that were not adopted by the batch."""
    for plan in plans or ():
        if plan is not None and plan.tmp is not None:
            with contextlib.suppress(OSError):
                plan.tmp.unlink()


def _same_lines(existing: bytes, lines: list[str]) -> bool:
    """The file holds exactly the rendered lines, in any order (CORE-45). Upstream wrote lines
    in insertion order, so an adopted repository holds the very lines export renders, in
    another order: comparing the sorted lines settles that without parsing."""
    if existing.endswith(b"\n") and b"\r" not in existing:
        on_disk = existing.decode("utf-8", "surrogateescape").split("\n")
        on_disk.pop()
        if len(on_disk) == len(lines) and sorted(on_disk) == sorted(s[:-1] for s in lines):
            return True
    return False


def _same_parsed(
    kind: str, rel: str, existing: bytes, rows: list[Row], ctx: LineContext | None
) -> bool:
    """Semantic no-change (CORE-45): with the import's parser context, the file is parsed as
    import reads it (CORE-44) and kept when it yields the same rows without any problem."""
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
