"""`RepoSnapshot`: everything read from the data files, validated, ready to insert (CORE-52, CORE-55).

A snapshot is a list of *units* per record kind: one contributor file, one element of a JSON array
file, one JSONL line. Each unit carries its DB row (column values as stored, JSON as compact text)
and whether it is valid. `without_invalid()` implements `--skip-invalid`: invalid units are left
out and units that depend on left-out units are left out in turn; files holding any invalid unit
are *protected* from export (CORE-53).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

from leaderboard.db.schema import COLUMNS as SCHEMA_COLUMNS
from leaderboard.problems import Problem
from leaderboard.usernames import ascii_lower

# Record kinds of the data repository and the tables they live in; columns come from the schema.
TABLES = {
    "contributor": "contributor",
    "activity_definition": "activity_definition",
    "activity": "activity",
    "global_aggregate": "global_aggregate",
    "aggregate_definition": "contributor_aggregate_definition",
    "contributor_aggregate": "contributor_aggregate",
    "badge_definition": "badge_definition",
    "contributor_badge": "contributor_badge",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    kind: SCHEMA_COLUMNS[table] for kind, table in TABLES.items()
}
KINDS = tuple(COLUMNS)
PLURAL = {
    "contributor": "contributors",
    "activity_definition": "activity definitions",
    "activity": "activities",
    "global_aggregate": "global aggregates",
    "aggregate_definition": "aggregate definitions",
    "contributor_aggregate": "contributor aggregates",
    "badge_definition": "badge definitions",
    "contributor_badge": "contributor badges",
}

Row = tuple[Any, ...]
_VALID = attrgetter("valid")
_ROW = attrgetter("row")
_PATH = attrgetter("path")


class _Unshipped(tuple[Any, ...]):
    """The row of a unit that a forked reader did not send back (`validate` reads to report
    problems, not to import: `reader.read_repo(import_rows=False)`). Truthy like the non-empty
    row it stands for; pickled by name, so every process holds the one instance."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "UNSHIPPED"


UNSHIPPED: Row = _Unshipped(("<row left in the reading process>",))


@dataclass(slots=True)
class Unit:
    """One importable unit: its file, line, identity key within its kind, and DB row."""

    kind: str
    path: str
    line: int | None
    key: str
    row: Row
    valid: bool = True

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its constructor call (a forked reader sends units back, forkmap.py):
        as small as a tuple and rebuilt in one call, instead of slot by slot; the line number
        comes back as the shared object (`line_number`)."""
        return (_unpickled_unit, (self.kind, self.path, self.line, self.key, self.row, self.valid))


# Line numbers as shared objects: CPython caches only the integers up to 256, and at 10x
# 880,000 activity lines are further down their file (28 MB of separate int objects, CORE-80).
LINE_NUMBERS: tuple[int, ...] = tuple(range(1 << 15))


def line_number(n: int) -> int:
    """The shared object for line `n` (below 32,768; `n` itself beyond)."""
    return LINE_NUMBERS[n] if n < len(LINE_NUMBERS) else n


def _unpickled_unit(
    kind: str, path: str, line: int | None, key: str, row: Row, valid: bool
) -> Unit:
    return Unit(kind, path, None if line is None else line_number(line), key, row, valid)


def references(unit: Unit) -> tuple[tuple[str, str], ...]:
    """The (kind, key) pairs a unit needs to exist (foreign keys)."""
    r = unit.row
    if unit.kind == "activity":
        return (("contributor", ascii_lower(r[1])), ("activity_definition", r[2]))
    if unit.kind == "contributor_aggregate":
        return (("aggregate_definition", r[0]), ("contributor", ascii_lower(r[1])))
    if unit.kind == "contributor_badge":
        return (("badge_definition", r[1]), ("contributor", ascii_lower(r[2])))
    return ()


@dataclass
class RepoSnapshot:
    """The parsed data repository (see module docstring)."""

    data_dir: Path
    units: dict[str, list[Unit]] = field(default_factory=lambda: {k: [] for k in KINDS})
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every data file read, in read order
    invalid_files: set[str] = field(default_factory=set)  # file-level or unit-less errors
    external: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    skip_applied: bool = False
    # Incremental reading (datarepo/syncstate.py): per JSONL kind, each file as read (stat,
    # sha256, validation key once known to be problem-free); whether the files are exactly the
    # ones recorded in the working DB; and the kinds whose files were not parsed because the
    # DB already holds exactly their rows (`reader.load_deferred` parses them on demand).
    file_states: dict[str, dict[str, Any]] = field(default_factory=dict)
    files_match: set[str] = field(default_factory=set)
    deferred: dict[str, list[str]] = field(default_factory=dict)
    line_context: Any = None
    export_form: set[str] = field(default_factory=set)  # activity files exactly as export writes
    import_rows: bool = True  # False: some rows are UNSHIPPED; such a snapshot is never imported
    # sha256 of each profile's bytes as the reader parsed them (runmemo.py: the run's key)
    profile_digests: dict[str, str] = field(default_factory=dict)
    # Activity files whose rows are in the run's spool (rowspool.py), not on their units: path →
    # (spool file, first rowid, last rowid), in read order; and the spool's directory.
    spooled: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    spool_dir: Path | None = None

    @property
    def files_checked(self) -> int:
        return len(self.files)

    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    def rows(self, kind: str) -> Iterator[Row]:
        """Rows of the valid units of `kind`, in read order."""
        units = self.units[kind]
        if all(map(_VALID, units)):  # the usual case, in C (130,000 activities at 1x)
            return map(_ROW, units)
        return (u.row for u in units if u.valid)

    def valid_units(self, kind: str) -> Iterator[Unit]:
        return (u for u in self.units[kind] if u.valid)

    def valid_paths(self, kind: str) -> set[str]:
        """The files holding the valid units of `kind`."""
        units = self.units[kind]
        if all(map(_VALID, units)):
            return set(map(_PATH, units))
        return {u.path for u in units if u.valid}

    def protected_files(self) -> set[str]:
        """Files with any invalid content: export never rewrites or deletes them (CORE-53)."""
        out = set(self.invalid_files)
        for units in self.units.values():
            out.update(u.path for u in units if not u.valid)
        return out

    def fully_imported(self) -> set[str]:
        """Files read in full without any invalid content."""
        protected = self.protected_files()
        return {f for f in self.files if f not in protected}

    def release_rows(self) -> None:
        """After import: drop the rows of valid JSONL units, which only import needs.

        Export needs the files read, which of them are protected (invalid units are kept) and
        the contributor rows; at 10x scale the activity rows alone are about a gigabyte
        (CORE-80 peak memory), and the later phases read the working DB instead.
        """
        for kind in ("activity", "contributor_aggregate", "contributor_badge"):
            units = self.units[kind]
            self.units[kind] = [] if all(map(_VALID, units)) else [u for u in units if not u.valid]

    def contributor_rows_by_path(self) -> dict[str, Row]:
        return {u.path: u.row for u in self.units["contributor"] if u.valid}

    def without_invalid(self) -> RepoSnapshot:
        """`--skip-invalid`: drop invalid units, then everything depending on them (cascade).

        Each unit left out by the cascade gets a `depends-on-invalid` problem naming what it
        needed. The kinds form a DAG (contributors and definitions never depend on anything), so
        one pass in kind order reaches the fixed point.
        """
        if self.spooled:
            raise RuntimeError("the rows are in the spool: `rowspool.load_rows` them first")
        units = {k: [replace(u) for u in v] for k, v in self.units.items()}
        problems = list(self.problems)
        available: dict[str, set[str]] = {}
        for kind in KINDS:
            for unit in units[kind]:
                if not unit.valid:
                    continue
                for ref_kind, ref_key in references(unit):
                    if ref_key not in available[ref_kind]:
                        unit.valid = False
                        problems.append(
                            Problem(
                                unit.path,
                                unit.line,
                                None,
                                "error",
                                "depends-on-invalid",
                                f"left out: {ref_kind.replace('_', ' ')} '{ref_key}' is invalid",
                            )
                        )
                        break
            available[kind] = {u.key for u in units[kind] if u.valid} | self.external[kind]
        return RepoSnapshot(
            data_dir=self.data_dir,
            units={k: [u for u in v if u.valid] for k, v in units.items()},
            problems=problems,
            files=list(self.files),
            invalid_files=self.invalid_files
            | {u.path for v in units.values() for u in v if not u.valid},
            external=self.external,
            skip_applied=True,
            file_states=self.file_states,
            files_match=set(self.files_match),
            deferred=dict(self.deferred),
            line_context=self.line_context,
            export_form=set(self.export_form),
            import_rows=self.import_rows,
            profile_digests=self.profile_digests,
        )
