"""`read_repo`: read and validate every data file into a `RepoSnapshot` (CORE-39, CORE-55).

Nothing is written. The order follows the dependencies: contributors, then definitions, then the
per-contributor record files, so every cross reference is checked against the union of all files,
config badge definitions and plugin static declarations.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from leaderboard.catalogue import CONTRIBUTOR_DEFINITIONS
from leaderboard.config.model import Config
from leaderboard.datarepo import layout
from leaderboard.datarepo.contributors import parse_profile
from leaderboard.datarepo.definitions import parse_array_file
from leaderboard.datarepo.lines import LineContext, in_export_form, parse_lines_file
from leaderboard.datarepo.snapshot import UNSHIPPED, RepoSnapshot, Row, Unit
from leaderboard.datarepo.syncstate import (
    FileState,
    SyncState,
    digest,
    still_valid,
    validated_value,
    validation_key,
)
from leaderboard.declarations import Declarations
from leaderboard.forkmap import fork_map
from leaderboard.gcpause import gc_paused
from leaderboard.identities import ProfileIdentities, find_conflicts
from leaderboard.jsonfmt import loads
from leaderboard.problems import Problem
from leaderboard.timeutil import canonical
from leaderboard.usernames import ascii_lower, is_reserved, username_problem

if TYPE_CHECKING:
    from leaderboard.datarepo.rowspool import RowSpool, SpoolRange

# Bytes from which a second process shares the reading (forkmap.py: the two take files from
# one queue): below, forking costs more than it saves (~50 ms of work). Front matter costs 40
# times more per byte than JSON lines.
PARALLEL_READ_BYTES = 4 << 20
PARALLEL_PROFILE_BYTES = 128 << 10
# Reading profiles and activity files in one fork map (`_read_contributors`): a profile byte
# weighs this many activity bytes for that threshold (1x: 0.12 s of CPU for 0.35 MB of
# profiles, 0.30 s for 41 MB of activity lines).
PROFILE_BYTE_COST = 48
# ... up to this many bytes of activity files. The combined read leaves the parent more rows to
# parse and fewer to unpickle, and parsing leaves its memory more fragmented: at 10x (413 MB)
# the process held 936 MB after reading instead of 863 MB, and the run's peak (the end of the
# import, CORE-80: 1 GB) is that plus the import's own. At 1x (41 MB) it saves 0.1 s of the
# main process's CPU and the peak is far below its budget.
COMBINED_READ_MAX_BYTES = 128 << 20
# Kinds whose rows a check-only read leaves in the child: only `_dedupe` looks at them, and only
# for the rare repeated key (`_shipped_row` then reads that one file again). Badge rows stay:
# `_check_award_triples` compares every one.
UNSHIPPED_KINDS = frozenset({"activity", "contributor_aggregate"})

STANDARD_AGGREGATES = tuple(CONTRIBUTOR_DEFINITIONS)  # CORE-60, in the spec's order
_KEY = attrgetter("key")


def read_repo(
    data_dir: Path,
    *,
    config: Config,
    declarations: Declarations,
    now: datetime,
    strict: bool = False,
    state: SyncState | None = None,
    import_rows: bool = True,
    spool: RowSpool | None = None,
) -> RepoSnapshot:
    """Parse and validate the data repository under `data_dir` (see module docstring).

    With the `state` recorded in the working DB (`syncstate.load_state`), a JSONL kind whose
    files are byte-identical to what the DB holds and were validated without any problem under
    the same key is not parsed: its paths go to `snapshot.deferred` (see syncstate.py).

    Without `import_rows` (`validate`: problems are all it reports), the forked reader does not
    send back the rows of `UNSHIPPED_KINDS`, which were most of what it pickled and the parent
    unpickled; the problems are the same, and the snapshot cannot be imported.

    With a `spool` (a first import into an empty DB, rowspool.py), the activity rows go into
    it as they are read, and the snapshot's activity units keep `UNSHIPPED` in their place.
    """
    if not import_rows:
        spool = None
    with gc_paused():  # see gcpause: 10-30% of the read otherwise
        snap = RepoSnapshot(data_dir=data_dir, import_rows=import_rows)
        if spool is not None:
            snap.spool_dir = spool.directory
        try:
            return _read_repo(snap, config, declarations, now, strict, state, spool)
        finally:
            if spool is not None:
                spool.close_local()


def _read_repo(
    snap: RepoSnapshot,
    config: Config,
    declarations: Declarations,
    now: datetime,
    strict: bool,
    state: SyncState | None,
    spool: RowSpool | None,
) -> RepoSnapshot:
    tz = config.tz
    data_dir = snap.data_dir
    found = layout.discover(data_dir)
    snap.problems.extend(found.problems)
    activity_paths = [*found.activity_files, *found.flat_activity_files]

    # The definition files need nothing else; they are read first (into `arrays`, added to
    # `snap` after the profiles, in the order of CORE-52) so that the activity files can be
    # read together with the profiles: their lines only need the usernames, which are the
    # profiles' file names.
    arrays = RepoSnapshot(data_dir=data_dir)
    _read_array(arrays, "activity_definition", found.activity_definitions)
    _read_array(arrays, "global_aggregate", found.global_aggregates)
    _read_array(arrays, "aggregate_definition", found.aggregate_definitions)
    _read_array(arrays, "badge_definition", found.badge_definitions)

    contributors: dict[str, str] = {}
    for path in found.contributors:  # what each profile's unit holds (`_read_profile`)
        username = layout.username_of(path, ".md")
        contributors[ascii_lower(username)] = username
    activity_defs = {
        u.key for u in arrays.units["activity_definition"]
    } | declarations.activity_slugs()
    standard = set(STANDARD_AGGREGATES) | {f"activity_count:{d}" for d in activity_defs}
    external_aggregates = standard | declarations.aggregate_slugs()
    aggregate_defs = {u.key for u in arrays.units["aggregate_definition"]} | external_aggregates
    variants = _badge_variants(arrays.units["badge_definition"], config, declarations)
    ctx = LineContext(
        contributors=contributors,
        activity_definitions=activity_defs,
        aggregate_definitions=aggregate_defs,
        badge_variants=variants,
        tz=tz,
        now_text=canonical(now),
    )
    snap.line_context = ctx
    if activity_paths:
        ctx.activity_file_decoder()  # built once, before any fork (10x: 20 ms)

    # Unless the DB may already hold the activity files' rows (`_defer`, which needs to know
    # whether the profiles have problems), this process and one forked child read the activity
    # files and then the profiles in one fork map; not for very large repositories
    # (`COMBINED_READ_MAX_BYTES`).
    sizes: dict[str, int] = {}
    if activity_paths and not _deferrable(state, "activity"):
        total = 0
        for path in activity_paths:  # stops at the limit: the sizes only serve a combined read
            sizes[path] = _size(data_dir, path)
            total += sizes[path]
            if total > COMBINED_READ_MAX_BYTES:
                break
    together = (
        bool(sizes)
        and len(sizes) == len(activity_paths)
        and sum(sizes.values()) <= COMBINED_READ_MAX_BYTES
    )
    activity_results = _read_contributors(
        snap, found.contributors, config, (ctx, activity_paths, sizes) if together else None, spool
    )
    snap.files.extend(arrays.files)
    snap.problems.extend(arrays.problems)
    snap.invalid_files |= arrays.invalid_files
    for kind in ("activity_definition", "global_aggregate", "aggregate_definition"):
        snap.units[kind].extend(arrays.units[kind])
    snap.units["badge_definition"].extend(arrays.units["badge_definition"])
    snap.external["activity_definition"] = declarations.activity_slugs()
    snap.external["aggregate_definition"] = external_aggregates
    snap.external["badge_definition"] = {
        str(d.get("slug")) for d in config.leaderboard.badge_definitions
    } | declarations.badge_slugs()

    key = _validation_key(ctx, tz)
    kinds = (
        ("activity", [*found.activity_files, *found.flat_activity_files]),
        ("contributor_aggregate", found.aggregate_files),
        ("contributor_badge", found.badge_files),
    )
    for kind, paths in kinds:
        if kind == "activity" and together:
            _read_lines(snap, kind, paths, ctx, _draining(activity_results))
            _check_kind(snap, kind)
            if state is not None and _same_files(
                state.files.get(kind), snap.file_states[kind], paths
            ):
                snap.files_match.add(kind)
        elif not _defer(snap, kind, paths, state, key, ctx.now_text):
            _read_lines(snap, kind, paths, ctx, spool=spool if kind == "activity" else None)
            _check_kind(snap, kind)
            if state is not None and _same_files(
                state.files.get(kind), snap.file_states[kind], paths
            ):
                snap.files_match.add(kind)
    _collapse_follow_on(
        snap, "activity_definition", found.activity_definitions, "unknown-definition"
    )
    _collapse_follow_on(
        snap, "aggregate_definition", found.aggregate_definitions, "unknown-aggregate"
    )
    _collapse_follow_on(snap, "badge_definition", found.badge_definitions, "unknown-badge")
    if snap.problems:
        for kind in list(snap.deferred):
            load_deferred(snap, kind, check=False)
    else:
        # Problem-free: every file read is now validated under `key` (syncstate.py).
        stamp = validated_value(key, ctx.now_text)
        for kind, states in snap.file_states.items():
            if kind not in snap.deferred:
                for path, fs in states.items():
                    states[path] = FileState(fs.size, fs.mtime_ns, fs.digest, stamp)
    if strict:
        _apply_strict(snap)
    return snap


def _collapse_follow_on(snap: RepoSnapshot, kind: str, path: str | None, code: str) -> None:
    """One problem instead of one per line when a definitions file could not be read at all.

    Every record naming one of its definitions would otherwise be reported as unknown (1,521
    lines for a real repository), burying the one error that matters. The records stay invalid;
    the summary sits on the definitions file, next to its cause.
    """
    if path is None or path not in snap.invalid_files or snap.units[kind]:
        return
    follow = [p for p in snap.problems if p.code == code and p.is_error]
    if not follow:
        return
    dropped = set(map(id, follow))
    snap.problems = [p for p in snap.problems if id(p) not in dropped]
    files = len({p.path for p in follow})
    snap.problems.append(
        Problem(
            path,
            None,
            None,
            "error",
            "depends-on-invalid",
            f"{len(follow)} records in {files} file(s) name definitions from this file, which "
            "cannot be read (see its error); they are checked once it is fixed",
        )
    )


_NOUNS = {
    "activity": "activity",
    "contributor_aggregate": "aggregate for this contributor",
    "contributor_badge": "badge award",
}


def _check_kind(snap: RepoSnapshot, kind: str) -> None:
    """The cross-file checks of one JSONL kind (duplicates, award triples)."""
    _dedupe(snap, kind, _NOUNS[kind])
    if kind == "contributor_badge":
        _check_award_triples(snap)


def _validation_key(ctx: LineContext, tz: Any) -> str:
    """Everything besides the bytes and `now` that line validation depends on."""
    return validation_key(
        [
            str(getattr(tz, "key", tz)),
            repr(sorted(ctx.contributors.items())),
            repr(sorted(ctx.activity_definitions)),
            repr(sorted(ctx.aggregate_definitions)),
            repr(sorted((k, sorted(v)) for k, v in ctx.badge_variants.items())),
        ]
    )


def _deferrable(state: SyncState | None, kind: str) -> bool:
    """Whether `_defer` could leave `kind` unparsed (its first, state-only conditions)."""
    return state is not None and state.files.get(kind) is not None and kind in state.synced


def _defer(
    snap: RepoSnapshot,
    kind: str,
    paths: list[str],
    state: SyncState | None,
    key: str,
    now_text: str,
) -> bool:
    """Leave `kind` unparsed when the DB provably holds exactly its files' rows (syncstate.py).

    Only while no problem has been found: a problem anywhere means the full path.
    """
    recorded = state.files.get(kind) if state else None
    if state is None or recorded is None or kind not in state.synced or snap.problems:
        return False
    if set(recorded) != set(paths) or not all(
        still_valid(recorded[p].validated, key, now_text) for p in paths
    ):
        return False
    current: dict[str, FileState] = {}
    for path in paths:
        st = _stat(snap.data_dir / path)
        if st is None or st[0] != recorded[path].size:
            return False
        raw, _ = layout.read_raw(snap.data_dir, path)
        if raw is None or digest(raw) != recorded[path].digest:
            return False
        current[path] = FileState(st[0], st[1], recorded[path].digest, recorded[path].validated)
    snap.files.extend(paths)
    snap.file_states[kind] = current
    snap.files_match.add(kind)
    snap.deferred[kind] = list(paths)
    return True


def _same_files(
    recorded: dict[str, FileState] | None, current: dict[str, FileState], paths: list[str]
) -> bool:
    """The files just read are exactly the recorded ones (same set, same bytes)."""
    if recorded is None or set(recorded) != set(paths) or set(current) != set(paths):
        return False
    return all(recorded[p].digest == current[p].digest for p in paths)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def load_deferred(snap: RepoSnapshot, kind: str, *, check: bool = True) -> None:
    """Parse a kind that `read_repo` left unparsed (the DB no longer holds its rows).

    With `check`, the snapshot was problem-free, so a new problem means the files changed
    during the run: refuse rather than import something unvalidated.
    """
    paths = snap.deferred.pop(kind, None)
    if paths is None:
        return
    before = len(snap.problems)
    previous = snap.file_states.pop(kind, {})
    dropped = set(paths)
    snap.files = [f for f in snap.files if f not in dropped]
    _read_lines(snap, kind, paths, snap.line_context)
    _check_kind(snap, kind)
    if check and len(snap.problems) > before:
        from leaderboard.errors import InvalidInputError

        raise InvalidInputError(
            "data files changed during the run; run again", snap.problems[before:]
        )
    states = snap.file_states[kind]
    for path, fs in states.items():
        old = previous.get(path)
        if old is not None and old.digest == fs.digest and len(snap.problems) == before:
            states[path] = FileState(fs.size, fs.mtime_ns, fs.digest, old.validated)


def _read_contributors(
    snap: RepoSnapshot,
    paths: list[str],
    config: Config,
    lines: tuple[LineContext, list[str], dict[str, int]] | None = None,
    spool: RowSpool | None = None,
) -> list[_FileLines]:
    """Parse the profiles in path order (shared with a forked child when they are many, as in
    `_read_lines`), then the checks across profiles.

    With `lines` (a context, activity files and their sizes), those files are read in the same
    fork map, before the profiles, and their results returned, not added: the profiles no
    longer wait for a fork map of their own.
    """
    units = snap.units["contributor"]
    identity_inputs: dict[str, ProfileIdentities] = {}
    results: list[_FileLines] = []
    if lines is None:
        profiles: Iterable[_Profile] = fork_map(
            partial(_read_profile, snap.data_dir, config),
            paths,
            weight=partial(_size, snap.data_dir),
            min_weight=PARALLEL_PROFILE_BYTES,
        )
    else:
        ctx, line_paths, sizes = lines
        check_only = not snap.import_rows
        items = [*((False, p) for p in line_paths), *((True, p) for p in paths)]
        both = list(
            fork_map(
                partial(_read_item, snap.data_dir, config, ctx, spool),
                items,
                weight=partial(_item_weight, snap.data_dir, sizes),
                min_weight=PARALLEL_READ_BYTES,
                ship=_ship_checked if check_only else None,
            )
        )
        results = cast(list[_FileLines], both[: len(line_paths)])
        profiles = cast(list[_Profile], both[len(line_paths) :])
    for profile in profiles:
        snap.files.append(profile.path)
        if profile.digest is not None:
            snap.profile_digests[profile.path] = profile.digest
        snap.problems.extend(profile.problems)
        units.append(Unit("contributor", profile.path, 1, profile.key, profile.row, profile.valid))
        if profile.identities is not None:
            identity_inputs[profile.path] = profile.identities
    _check_case_collisions(snap, units)
    _check_pseudonyms(snap, units, config.leaderboard.data_explorer.source)
    claimants = [identity_inputs[u.path] for u in units if u.valid and u.path in identity_inputs]
    snap.problems.extend(find_conflicts(claimants, config.leaderboard.identity))
    return results


def _draining(results: list[_FileLines]) -> Iterator[_FileLines]:
    """Each result once, dropped from `results` as it is taken (its unit list is no longer
    needed once added to the snapshot: at 10x, 15,000 lists of 1.3 million units)."""
    results.reverse()
    while results:
        yield results.pop()


def _read_item(
    data_dir: Path,
    config: Config,
    ctx: LineContext,
    spool: RowSpool | None,
    item: tuple[bool, str],
) -> _Profile | _FileLines:
    """One item of the combined read: `(True, profile path)` or `(False, activity path)`."""
    is_profile, path = item
    if is_profile:
        return _read_profile(data_dir, config, path)
    return _read_lines_file(data_dir, "activity", ctx, path, spool)


def _item_weight(data_dir: Path, sizes: dict[str, int], item: tuple[bool, str]) -> int:
    if item[0]:
        return _size(data_dir, item[1]) * PROFILE_BYTE_COST
    return sizes[item[1]]


def _ship_checked(result: _Profile | _FileLines) -> _Profile | _FileLines:
    return _without_rows(result) if isinstance(result, _FileLines) else result


class _Profile(NamedTuple):
    """What reading one profile produced (plain tuples and dataclasses, cheap to pickle)."""

    path: str
    key: str
    row: Row  # `(username,)` when unusable
    valid: bool
    problems: list[Problem]
    identities: ProfileIdentities | None  # None when the profile has no row
    digest: str | None  # sha256 of the bytes read (None when unreadable)


def _read_profile(data_dir: Path, config: Config, path: str) -> _Profile:
    username = layout.username_of(path, ".md")
    key = ascii_lower(username)
    raw, problem = layout.read_raw(data_dir, path)
    file_digest = text = None
    if raw is not None:
        file_digest = digest(raw)
        data, problem = layout.normalise_utf8(path, raw)
        text = None if data is None else data.decode("utf-8")
    if problem is not None:
        return _Profile(path, key, (username,), False, [problem], None, file_digest)
    reason = username_problem(username)
    parsed = parse_profile(
        path, username, text or "", tz=config.tz, default_role=config.leaderboard.default_role
    )
    problems = list(parsed.problems)
    if reason:
        problems.append(
            Problem(
                path,
                None,
                None,
                "error",
                "invalid-username",
                f"invalid username '{username}': {reason}; rename the file",
            )
        )
    row = parsed.row
    valid = row is not None and reason is None
    if row is None:
        return _Profile(path, key, (username,), valid, problems, None, file_digest)
    if is_reserved(username, config.leaderboard.data_explorer.source):
        problems.append(
            Problem(
                path,
                None,
                None,
                "warning",
                "reserved-username",
                f"username '{username}' collides with a site page; its profile is published "
                f"under /people/{username}/",
            )
        )
    identities = ProfileIdentities(
        username,
        _json(row[6]),
        _json(row[8]),
        _json(row[12]),
        path,
        parsed.key_lines.get("identities"),
    )
    return _Profile(path, key, row, valid, problems, identities, file_digest)


def _json(text: str | None) -> Any:
    return None if text is None else loads(text)


def _check_case_collisions(snap: RepoSnapshot, units: list[Unit]) -> None:
    """Profiles whose names are one file on some file system: equal ASCII-case-insensitively
    (CORE-57), or after Unicode case folding and NFC normalisation (`José.md` / `JOSÉ.md`, or
    a decomposed `é`: one file on macOS and Windows, so a checkout there loses one)."""
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        username = layout.username_of(unit.path, ".md")
        # Equal ASCII-case-insensitively implies equal folded: one grouping covers both.
        groups.setdefault(unicodedata.normalize("NFC", username).casefold(), []).append(unit)
    for group in groups.values():
        if len(group) < 2:
            continue
        names = " and ".join(u.path for u in group)
        for unit in group:
            unit.valid = False
            snap.problems.append(
                Problem(
                    unit.path,
                    None,
                    None,
                    "error",
                    "duplicate-username",
                    f"{names} name the same contributor (usernames differ only in case or "
                    "Unicode normalisation); merge them into one file",
                )
            )


def _check_pseudonyms(snap: RepoSnapshot, units: list[Unit], explorer: str) -> None:
    taken: dict[str, str] = {u.key: u.path for u in units}
    seen: dict[str, str] = {}
    for unit in units:
        if len(unit.row) < 11 or unit.row[10] is None:
            continue
        pseudonym = unit.row[10]
        key = ascii_lower(pseudonym)
        other = taken.get(key) if taken.get(key) != unit.path else None
        other = other or seen.get(key)
        if other:
            unit.valid = False
            snap.problems.append(
                Problem(
                    unit.path,
                    None,
                    None,
                    "error",
                    "invalid-pseudonym",
                    f"pseudonym '{pseudonym}' is already used by {other}; choose another",
                )
            )
        seen[key] = unit.path
        if is_reserved(pseudonym, explorer):
            snap.problems.append(
                Problem(
                    unit.path,
                    None,
                    None,
                    "warning",
                    "reserved-username",
                    f"pseudonym '{pseudonym}' collides with a site page; the profile is published "
                    f"under /people/{pseudonym}/",
                )
            )


def _read_array(snap: RepoSnapshot, kind: str, path: str | None) -> None:
    if path is None:
        return
    snap.files.append(path)
    text, problem = layout.read_text(snap.data_dir, path)
    if problem is not None:
        snap.problems.append(problem)
        snap.invalid_files.add(path)
        return
    units, problems, complete = parse_array_file(kind, path, text or "")
    snap.units[kind].extend(units)
    snap.problems.extend(problems)
    if not complete or any(p.is_error and not _unit_at(units, p) for p in problems):
        snap.invalid_files.add(path)


def _unit_at(units: list[Unit], problem: Problem) -> bool:
    return any(u.line == problem.line for u in units)


def _read_lines(
    snap: RepoSnapshot,
    kind: str,
    paths: list[str],
    ctx: LineContext,
    parts: Iterable[_FileLines] | None = None,
    spool: RowSpool | None = None,
) -> None:
    """Parse JSONL files into `snap` in path order, shared with a forked child when the files
    are large (forkmap.py: reading is CPU-bound, the machine has more cores); or add
    `parts`, the results of reading `paths` already (`_read_contributors`). With a `spool`,
    the rows go there (rowspool.py)."""
    states: dict[str, FileState] = snap.file_states.setdefault(kind, {})
    units = snap.units[kind]
    if parts is None:
        check_only = not snap.import_rows and kind in UNSHIPPED_KINDS
        parts = fork_map(
            partial(_read_lines_file, snap.data_dir, kind, ctx, spool=spool),
            paths,
            weight=partial(_size, snap.data_dir),
            min_weight=PARALLEL_READ_BYTES,
            ship=_without_rows if check_only else None,
        )
    for result in parts:
        path = result.path
        snap.files.append(path)
        if result.state is not None:
            states[path] = result.state
        snap.problems.extend(result.problems)
        units.extend(result.units)
        if result.spooled is not None:
            snap.spooled[path] = result.spooled
        if not result.complete:
            snap.invalid_files.add(path)
        elif result.export_form:
            snap.export_form.add(path)


class _FileLines(NamedTuple):
    """What reading one JSONL file produced; cheap to pickle (forkmap.py, `Unit.__reduce__`)."""

    path: str
    state: FileState | None
    units: list[Unit]
    problems: list[Problem]
    complete: bool  # every line could be read (else the file is invalid as a whole)
    export_form: bool  # bytes exactly as export writes them (syncstate.py)
    spooled: SpoolRange | None = None  # where `RowSpool.put` left the rows


def _read_lines_file(
    data_dir: Path, kind: str, ctx: LineContext, path: str, spool: RowSpool | None = None
) -> _FileLines:
    st = _stat(data_dir / path)
    raw, problem = layout.read_raw(data_dir, path)
    state = None
    data = None
    if raw is not None:
        if st is not None:
            state = FileState(st[0], st[1], digest(raw))
        data, problem = layout.normalise_utf8(path, raw)
    if problem is not None:
        return _FileLines(path, state, [], [problem], False, False)
    out: list[Unit] = []
    problems: list[Problem] = []
    form: list[bool] | None = [] if kind == "activity" else None
    complete = parse_lines_file(kind, path, data or b"", ctx, out, problems, form)
    export_form = (
        complete
        and form == []
        and data is raw
        and path.startswith(layout.ACTIVITY_FILES_DIR + "/")
        and in_export_form(layout.username_of(path, ".jsonl"), [u.row for u in out])
    )
    spooled = None if spool is None else spool.put(out)
    return _FileLines(path, state, out, problems, complete, export_form, spooled)


def _without_rows(result: _FileLines) -> _FileLines:
    """What a check-only read sends back from the forked child: every unit, its row replaced
    by `UNSHIPPED` (an empty row, that of a line with errors, stays empty)."""
    for unit in result.units:
        if unit.row:
            unit.row = UNSHIPPED
    return result


def _shipped_row(snap: RepoSnapshot, kind: str, unit: Unit, reread: dict[str, _FileLines]) -> Row:
    """`unit.row`, read again from its file when the child left it behind (`_without_rows`).
    A file changed since the first read may no longer hold the line: a fresh object, equal to
    no row, then makes the repeated key a conflict."""
    if unit.row is not UNSHIPPED:
        return unit.row
    if unit.path not in reread:
        reread[unit.path] = _read_lines_file(snap.data_dir, kind, snap.line_context, unit.path)
    for again in reread[unit.path].units:
        if again.line == unit.line and again.key == unit.key:
            return again.row
    return (object(),)


def _size(data_dir: Path, path: str) -> int:
    st = _stat(data_dir / path)
    return 0 if st is None else st[0]


def _dedupe(snap: RepoSnapshot, kind: str, noun: str) -> None:
    """Same key twice: identical rows → one row and a warning; different → error on both."""
    units = snap.units[kind]
    if len(set(map(_KEY, units))) == len(units):
        return  # no key repeats at all (the usual case): the loop below would keep every unit
    first: dict[str, Unit] = {}
    keep: list[Unit] = []
    reread: dict[str, _FileLines] = {}
    for unit in snap.units[kind]:
        if not unit.row:
            keep.append(unit)
            continue
        other = first.get(unit.key)
        if other is None:
            first[unit.key] = unit
            keep.append(unit)
            continue
        label = unit.key.replace("\0", " of ")
        if (
            other.valid
            and unit.valid
            and _shipped_row(snap, kind, other, reread) == _shipped_row(snap, kind, unit, reread)
        ):
            snap.problems.append(
                Problem(
                    unit.path,
                    unit.line,
                    None,
                    "warning",
                    "duplicate-identical",
                    f"duplicate {noun} {label} (identical to {other.path}:{other.line})",
                )
            )
            continue
        unit.valid = False
        other.valid = False
        for a, b in ((unit, other), (other, unit)):
            a_where = f"{b.path}:{b.line}"
            snap.problems.append(
                Problem(
                    a.path,
                    a.line,
                    None,
                    "error",
                    "duplicate-slug",
                    f"conflicting duplicate {noun} {label} (also at {a_where}); keep one of them",
                )
            )
        keep.append(unit)
    snap.units[kind] = keep


def _check_award_triples(snap: RepoSnapshot) -> None:
    """Two awards of the same (badge, contributor, variant) with different slugs (CORE-50)."""
    seen: dict[tuple[str, str, str], Unit] = {}
    for unit in snap.units["contributor_badge"]:
        if not unit.row:
            continue
        triple = (unit.row[1], ascii_lower(unit.row[2]), unit.row[3])
        other = seen.get(triple)
        if other is None:
            seen[triple] = unit
            continue
        for a, b in ((unit, other), (other, unit)):
            a.valid = False
            snap.problems.append(
                Problem(
                    a.path,
                    a.line,
                    None,
                    "error",
                    "duplicate-award",
                    f"badge {triple[0]} variant {triple[2]} is awarded to {unit.row[2]} twice "
                    f"(also at {b.path}:{b.line}); keep one line",
                )
            )


def _badge_variants(
    units: list[Unit], config: Config, declarations: Declarations
) -> dict[str, set[str]]:
    """Variant keys of each badge as the winning definition has them (file < config < plugin)."""
    out: dict[str, set[str]] = {}
    for unit in units:
        if unit.row and len(unit.row) > 3:
            out[unit.key] = set(loads(unit.row[3]))
        else:
            out.setdefault(unit.key, set())
    for definition in (*config.leaderboard.badge_definitions, *declarations.badge_definitions):
        variants = definition.get("variants")
        out[str(definition.get("slug"))] = set(variants) if isinstance(variants, dict) else set()
    return out


def _apply_strict(snap: RepoSnapshot) -> None:
    """`--strict`: warnings become errors and invalidate the unit (or file) they are about."""
    by_path: dict[str, list[Unit]] = {}
    for units in snap.units.values():
        for unit in units:
            by_path.setdefault(unit.path, []).append(unit)
    converted: list[Problem] = []
    for problem in snap.problems:
        if problem.is_error:
            converted.append(problem)
            continue
        converted.append(problem.as_error())
        targets = [
            u
            for u in by_path.get(problem.path, [])
            if u.kind == "contributor" or problem.line is None or u.line == problem.line
        ]
        for unit in targets:
            unit.valid = False
        if not targets and problem.code != "ignored-file":
            snap.invalid_files.add(problem.path)
    snap.problems = converted


def read_profile_for_identities(
    data_dir: Path, config: Config, path: str
) -> tuple[ProfileIdentities | None, str | None, list[Problem]]:
    """One profile's identity inputs and display name (for `leaderboard identities`), with the
    problems reading it found; the same parsing as import, so both see the same claims."""
    profile = _read_profile(data_dir, config, path)
    name = profile.row[1] if profile.identities is not None and len(profile.row) > 1 else None
    return profile.identities, name if isinstance(name, str) else None, profile.problems
