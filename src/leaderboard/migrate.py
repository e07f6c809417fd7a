"""`leaderboard migrate-legacy` (ECO-58…ECO-61): upstream's older layout into the current one.

The conversion runs on a scratch copy of the data repository's current-layout files: legacy
profiles are copied in, the copy is read and imported into an in-memory DB exactly as `run
import` would, the legacy activities, definitions and stub profiles are added with the ECO-60
rules, the normal exporter writes the copy, and the Slack queue is converted next to it. Only when
all of that succeeded are the differences applied to the data dir, file by file, with the atomic
changed-only writer — so a problem anywhere leaves the data dir untouched, `--dry-run` reports
exactly what a real run would write, and a second run finds no difference at all.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from leaderboard import jsonfmt
from leaderboard.config.model import Config
from leaderboard.datarepo import export_repo, import_snapshot, layout, read_repo
from leaderboard.datarepo.atomic import write_if_changed
from leaderboard.datarepo.importer import upsert_sql
from leaderboard.datarepo.legacy import (
    PENDING_DIR,
    SEED_DEFINITIONS,
    SLACKBOT,
    LegacyActivity,
    LegacyData,
    definition_for,
    read_legacy,
    read_pending,
)
from leaderboard.datarepo.snapshot import COLUMNS
from leaderboard.datarepo.values import column_text
from leaderboard.db import Database
from leaderboard.declarations import Declarations
from leaderboard.errors import InvalidInputError
from leaderboard.problems import Problem
from leaderboard.usernames import ascii_lower

log = logging.getLogger("leaderboard.migrate")

# What the scratch copy holds: the current layout (CORE-38) that conversion may change.
COPIED = (
    layout.CONTRIBUTORS_DIR,
    layout.ACTIVITIES_DIR,
    layout.AGGREGATES_DIR,
    layout.BADGES_DIR,
    PENDING_DIR,
)


@dataclass
class SourceCounts:
    read: int = 0
    new: int = 0
    present: int = 0  # already in the current layout, identical
    conflicts: int = 0


@dataclass
class MigrationReport:
    """What a migration found and did; `lines()` is what the command prints."""

    files_read: int = 0
    sources: dict[str, SourceCounts] = field(default_factory=dict)
    definitions_created: list[str] = field(default_factory=list)
    stubs_created: list[str] = field(default_factory=list)
    profiles_copied: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    queue_read: int = 0
    queue_moved: int = 0
    queue_present: int = 0
    queue_dropped: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    legacy_removed: list[str] = field(default_factory=list)
    legacy_kept: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def lines(self, *, dry_run: bool, remove_legacy: bool) -> list[str]:
        would = "would be " if dry_run else ""
        out = [f"Legacy files read: {self.files_read}"]
        for source, c in sorted(self.sources.items()):
            out.append(
                f"Activities from {source}: {c.read} read = {c.new} converted + {c.present} "
                f"already present + {c.conflicts} conflicting"
            )
        out.append(
            f"Definitions created: {len(self.definitions_created)}"
            + (f" ({', '.join(self.definitions_created)})" if self.definitions_created else "")
        )
        out.append(
            f"Stub contributors created: {len(self.stubs_created)}"
            + (f" ({', '.join(self.stubs_created)})" if self.stubs_created else "")
        )
        out.append(f"Profiles copied from data/contributors/: {len(self.profiles_copied)}")
        out.append(f"Conflicts (the current layout wins): {len(self.conflicts)}")
        out.extend(f"  {c}" for c in self.conflicts)
        out.append(
            f"Slack queue: {self.queue_read} messages read = {self.queue_moved} moved + "
            f"{self.queue_present} already queued + "
            f"{sum(int(d.split()[0]) for d in self.queue_dropped)} dropped"
        )
        out.extend(f"  dropped: {d}" for d in self.queue_dropped)
        for verb, paths in (("created", self.created), ("rewritten", self.written)):
            out.extend(f"{would}{verb}: {p}" for p in paths)
        out.extend(f"{would}deleted: {p}" for p in self.deleted)
        out.extend(f"{would}removed (legacy): {p}" for p in self.legacy_removed)
        out.append(
            f"Files: {len(self.created)} {would}created, {len(self.written)} {would}rewritten, "
            f"{len(self.deleted)} {would}deleted, {self.unchanged} unchanged"
        )
        if self.legacy_kept and not remove_legacy:
            out.append(
                f"{len(self.legacy_kept)} legacy file(s) kept; check the result, then run again "
                "with --remove-legacy to delete them"
            )
        elif self.legacy_kept:
            out.append(
                f"{len(self.legacy_kept)} legacy file(s) kept because they hold conflicting data: "
                + ", ".join(self.legacy_kept)
            )
        return out


@contextmanager
def _scratch(data_dir: Path) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="leaderboard-migrate-"))
    try:
        for rel in COPIED:
            source = data_dir / rel
            if source.is_dir():
                shutil.copytree(source, root / rel, symlinks=False, dirs_exist_ok=True)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _listing(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for rel in COPIED:
        base = root / rel
        if not base.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                path = Path(dirpath) / name
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def _merge_seed_definitions(scratch: Path, legacy: LegacyData, report: MigrationReport) -> None:
    """The seed generator's root `activity_definitions.json` moves into
    `activities/definitions.json`; an entry already there wins (a differing one is a conflict)."""
    if not legacy.seed_definitions:
        return
    target = scratch / layout.ACTIVITY_DEFINITIONS
    current: list[Any] = []
    if target.is_file():
        try:
            current = jsonfmt.loads(target.read_text(encoding="utf-8"))
        except ValueError:
            return  # reported by the reader below, with line and column
        if not isinstance(current, list):
            return
    by_slug = {d.get("slug"): d for d in current if isinstance(d, dict)}
    added = False
    for obj, line in legacy.seed_definitions:
        there = by_slug.get(obj["slug"])
        if there is None:
            current.append(obj)
            by_slug[obj["slug"]] = obj
            added = True
        elif there != obj:
            report.conflicts.append(
                f"{SEED_DEFINITIONS}:{line}: definition {obj['slug']} differs from "
                f"{layout.ACTIVITY_DEFINITIONS}; that one is kept"
            )
    if added:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(jsonfmt.dumps_pretty(current), encoding="utf-8")


def _copy_profiles(
    data_dir: Path, scratch: Path, legacy: LegacyData, report: MigrationReport
) -> set[str]:
    """Legacy profiles go to `contributors/` unless a current one exists; returns the legacy
    files whose content differs from the current profile (kept even with --remove-legacy)."""
    differing: set[str] = set()
    directory = scratch / layout.CONTRIBUTORS_DIR
    # Usernames are unique ASCII-case-insensitively (CORE-57): `Bob.md` is `bob.md`'s profile.
    current = {ascii_lower(p.name): p for p in directory.glob("*.md")} if directory.is_dir() else {}
    for rel in legacy.profile_files:
        name = rel.rsplit("/", 1)[-1]
        raw = (data_dir / rel).read_bytes()
        there = current.get(ascii_lower(name))
        if there is None:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / name).write_bytes(raw)
            current[ascii_lower(name)] = directory / name
            report.profiles_copied.append(name)
        elif there.read_bytes() != raw:
            differing.add(rel)
            report.conflicts.append(
                f"{rel}: differs from {layout.CONTRIBUTORS_DIR}/{there.name}; that one is kept"
            )
    return differing


def _existing_definitions(db: Database) -> set[str]:
    return {str(r[0]) for r in db.execute("SELECT slug FROM activity_definition")}


def _owners(db: Database) -> dict[str, str]:
    """ASCII-lower-cased username → canonical spelling (SQLite NOCASE, CORE-57)."""
    return {
        ascii_lower(str(r[0])): str(r[0]) for r in db.execute("SELECT username FROM contributor")
    }


def _row(a: LegacyActivity, owner: str) -> tuple[Any, ...]:
    return (
        a.slug,
        owner,
        a.definition,
        a.title,
        a.occurred_at,
        a.link,
        a.text,
        a.points,
        a.meta,
        a.extra,
    )


def _stored(db: Database, slug: str) -> tuple[Any, ...] | None:
    row = db.conn.execute(
        "SELECT slug, contributor, activity_definition, title, occurred_at, link, text, points, "
        "meta, extra FROM activity WHERE slug = ?",
        (slug,),
    ).fetchone()
    if row is None:
        return None
    values = list(row)
    values[8] = column_text(values[8])
    values[9] = column_text(values[9])
    if values[9] == "{}":
        values[9] = None
    return tuple(values)


def _convert(
    db: Database, legacy: LegacyData, report: MigrationReport, default_role: str
) -> set[str]:
    """Definitions, stub profiles and activities into `db` (ECO-60); returns the legacy files
    holding an activity that conflicts with the current layout."""
    defined = _existing_definitions(db)
    for slug in sorted({a.definition for a in legacy.activities} - defined):
        name, description, points, icon = definition_for(slug)
        db.execute(
            "INSERT INTO activity_definition(slug, name, description, points, icon) "
            "VALUES(?,?,?,?,?)",
            (slug, name, description, points, icon),
        )
        report.definitions_created.append(slug)
    owners = _owners(db)
    for login in sorted({a.contributor for a in legacy.activities}, key=ascii_lower):
        if ascii_lower(login) in owners:
            continue
        bot = ascii_lower(login).endswith("[bot]")
        stub: dict[str, Any] = dict.fromkeys(COLUMNS["contributor"])
        stub.update({"username": login, "role": "bot" if bot else default_role})
        if bot:
            stub["bot"] = 1
        db.execute(upsert_sql("contributor"), tuple(stub.values()))
        owners[ascii_lower(login)] = login
        report.stubs_created.append(login)
    conflicting: set[str] = set()
    insert = upsert_sql("activity")
    for a in legacy.activities:
        counts = report.sources.setdefault(a.source, SourceCounts())
        counts.read += 1
        row = _row(a, owners[ascii_lower(a.contributor)])
        stored = _stored(db, a.slug)
        if stored is None:
            db.execute(insert, row)
            counts.new += 1
        elif stored == row:
            counts.present += 1
        else:
            counts.conflicts += 1
            conflicting.add(a.path)
            fields = [
                name for name, x, y in zip(COLUMNS["activity"], stored, row, strict=True) if x != y
            ]
            report.conflicts.append(
                f"{a.path}:{a.line}: activity {a.slug} differs from the current layout in "
                f"{', '.join(fields)}; the current one is kept"
            )
    return conflicting


def _convert_queue(scratch: Path, legacy: LegacyData, report: MigrationReport) -> set[str]:
    """`slack/pending/<user id>.jsonl`, lines ordered by id (ECO-61); messages already queued
    win. Returns the legacy queue files with conflicting messages."""
    conflicting: set[str] = set()
    by_user: dict[str, list[Any]] = {}
    for message in legacy.queue:
        report.queue_read += 1
        by_user.setdefault(message.user_id, []).append(message)
    for user, messages in sorted(by_user.items()):
        if user == SLACKBOT:
            files = sorted({m.path for m in messages})
            report.queue_dropped.append(
                f"{len(messages)} message(s) of {SLACKBOT} ({', '.join(files)})"
            )
            continue
        rel = f"{PENDING_DIR}/{user}.jsonl"
        queued = read_pending(scratch, rel, legacy) if (scratch / rel).is_file() else {}
        before = dict(queued)
        for m in messages:
            line = m.line_object()
            there = queued.get(m.id)
            if there is None:
                queued[m.id] = line
                report.queue_moved += 1
            elif there == line:
                report.queue_present += 1
            else:
                conflicting.add(m.path)
                report.conflicts.append(
                    f"{m.path}:{m.line}: Slack message {m.id} differs from the one queued in "
                    f"{rel}; that one is kept"
                )
        if queued != before or not (scratch / rel).is_file():
            text = "".join(jsonfmt.dumps_compact(queued[i]) + "\n" for i in sorted(queued))
            write_if_changed(scratch / rel, text.encode("utf-8"))
    return conflicting


def _problems_error(problems: list[Problem], what: str) -> InvalidInputError:
    errors = sorted((p for p in problems if p.is_error), key=Problem.sort_key)
    return InvalidInputError(f"{len(errors)} problem(s) in {what}: nothing was written", errors)


def migrate_legacy(
    data_dir: Path,
    *,
    config: Config,
    declarations: Declarations,
    now: Any,
    renames: dict[str, str],
    default_role: str,
    dry_run: bool,
    remove_legacy: bool,
) -> MigrationReport:
    """Convert the legacy layout under `data_dir` (the caller holds the lock unless dry-run).

    Raises InvalidInputError (exit 3) listing every problem when legacy input or the current
    layout cannot be read; in that case nothing was written.
    """
    report = MigrationReport()
    legacy = read_legacy(data_dir, tz=config.tz, renames=renames)
    report.files_read = legacy.files_read
    report.warnings.extend(p for p in legacy.problems if not p.is_error)
    if any(p.is_error for p in legacy.problems):
        raise _problems_error(legacy.problems, "the legacy files")
    with _scratch(data_dir) as scratch:
        before = _listing(scratch)
        keep = _copy_profiles(data_dir, scratch, legacy, report)
        _merge_seed_definitions(scratch, legacy, report)
        snapshot = read_repo(scratch, config=config, declarations=declarations, now=now)
        # A copied legacy profile is named where the user can find it.
        copied = {
            f"{layout.CONTRIBUTORS_DIR}/{n}": f"data/contributors/{n}"
            for n in report.profiles_copied
        }
        problems = [replace(p, path=copied.get(p.path, p.path)) for p in snapshot.problems]
        report.warnings.extend(p for p in problems if not p.is_error)
        if snapshot.has_errors():
            raise _problems_error(problems, "the current-layout files")
        db = Database.memory()
        try:
            import_snapshot(db, snapshot, declarations=declarations, config=config)
            with db.transaction():
                keep |= _convert(db, legacy, report, default_role)
            export_repo(
                db,
                scratch,
                tz=config.tz,
                imported=snapshot,
                default_role=config.leaderboard.default_role,
            )
        finally:
            db.close()
        keep |= _convert_queue(scratch, legacy, report)
        if any(p.is_error for p in legacy.problems):  # an unreadable slack/pending file
            raise _problems_error(legacy.problems, "the Slack queue files")
        after = _listing(scratch)
        for rel in sorted(after):
            if rel not in before:
                report.created.append(rel)
            elif before[rel] != after[rel]:
                report.written.append(rel)
            else:
                report.unchanged += 1
        report.deleted = sorted(rel for rel in before if rel not in after)
        converted = [
            *legacy.activity_files,
            *legacy.queue_files,
            *legacy.profile_files,
            *([legacy.seed_file] if legacy.seed_file else []),
        ]
        report.legacy_kept = [rel for rel in converted if rel in keep or not remove_legacy]
        if remove_legacy:
            report.legacy_removed = [rel for rel in converted if rel not in keep]
        if dry_run:
            return report
        for rel in [*report.created, *report.written]:
            write_if_changed(data_dir / rel, after[rel])
        for rel in report.deleted:
            (data_dir / rel).unlink(missing_ok=True)
    for rel in report.legacy_removed:
        (data_dir / rel).unlink(missing_ok=True)
    if report.legacy_removed:
        _remove_empty_legacy_dirs(data_dir)
    return report


def _remove_empty_legacy_dirs(data_dir: Path) -> None:
    root = data_dir / "data"
    if not root.is_dir():
        return
    for dirpath, _dirs, _files in sorted(os.walk(root), key=lambda t: -len(t[0])):
        path = Path(dirpath)
        try:
            if not any(path.iterdir()):
                path.rmdir()
        except OSError:
            continue


def parse_renames(pairs: tuple[str, ...], modern_github_slugs: bool) -> dict[str, str]:
    """`--map-definition OLD=NEW` pairs (and the `--modern-github-slugs` shorthand)."""
    from leaderboard.datarepo.legacy import MODERN_GITHUB_SLUGS
    from leaderboard.errors import UsageError

    renames = dict(MODERN_GITHUB_SLUGS) if modern_github_slugs else {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UsageError(f"--map-definition expects OLD=NEW (got {pair!r})")
        renames[old.strip()] = new.strip()
    return renames
