"""`leaderboard merge-contributors FROM INTO` (NEW-03): fold one person's two rows into one.

Runs under the lock: import (so the DB matches the files) → one transaction that moves FROM's
activities, badges and plugin aggregates to INTO and records FROM's accounts as INTO's identities
(so future scrapes resolve to INTO) → aggregate, evaluate, export (FROM's files disappear, INTO's
are rewritten). `--dry-run` imports into an in-memory DB and prints the plan, writing nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaderboard.aggregates.standard import CONTRIBUTOR_DEFINITIONS, PER_DEFINITION_PREFIX
from leaderboard.config.model import IdentityConfig
from leaderboard.db import Database
from leaderboard.errors import InvalidInputError, UsageError
from leaderboard.identities import normalise, rebuild_index

if TYPE_CHECKING:
    from leaderboard.invocation import Common

log = logging.getLogger("leaderboard.merge")


@dataclass
class MergePlan:
    source: str
    target: str
    activities: int = 0
    badges_moved: list[str] = field(default_factory=list)
    badges_merged: list[str] = field(default_factory=list)  # same badge+variant: earlier kept
    aggregates_moved: list[str] = field(default_factory=list)
    aggregate_conflicts: list[str] = field(default_factory=list)  # INTO's row kept
    identities_added: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Merge {self.source} into {self.target}:",
            f"  move {self.activities} activities",
            f"  move {len(self.badges_moved)} badge awards"
            + (f": {', '.join(self.badges_moved)}" if self.badges_moved else ""),
        ]
        for slug in self.badges_merged:
            out.append(f"  badge {slug}: both have it; the earlier award is kept")
        if self.aggregates_moved:
            out.append(f"  move plugin aggregates: {', '.join(self.aggregates_moved)}")
        for slug in self.aggregate_conflicts:
            out.append(f"  aggregate {slug}: both have it; {self.target}'s value is kept")
        out.append(
            "  add identities to "
            + f"{self.target}: {', '.join(self.identities_added) or '(none new)'}"
        )
        out.append(f"  delete contributor {self.source} (its files are removed on export)")
        return out


def _standard(slug: str) -> bool:
    return slug in CONTRIBUTOR_DEFINITIONS or slug.startswith(PER_DEFINITION_PREFIX)


def canonical_username(db: Database, name: str) -> str | None:
    found = db.scalar("SELECT username FROM contributor WHERE username = ?", (name,))
    return None if found is None else str(found)


def _identities(db: Database, username: str) -> dict[str, list[str]]:
    raw = db.scalar("SELECT identities FROM contributor WHERE username = ?", (username,))
    parsed = json.loads(raw) if isinstance(raw, str) else None
    out: dict[str, list[str]] = {}
    for ns, value in (parsed or {}).items():
        values = value if isinstance(value, list) else [value]
        out[ns] = [v for v in values if isinstance(v, str)]
    return out


def _new_identities(
    db: Database, source: str, target: str, identity: IdentityConfig
) -> tuple[dict[str, Any], list[str]]:
    """INTO's `identities` after the merge, and the accounts added (as `ns:value`)."""
    current = _identities(db, target)
    raw = db.scalar("SELECT identities FROM contributor WHERE username = ?", (target,))
    merged: dict[str, Any] = json.loads(raw) if isinstance(raw, str) and raw != "null" else {}
    merged = merged or {}
    wanted = [(ns, v) for ns, values in _identities(db, source).items() for v in values]
    if identity.primary and identity.primary != "none":
        wanted.append((identity.primary, source))
    added: list[str] = []
    for ns, value in wanted:
        have = {normalise(ns, v) for v in current.get(ns, [])}
        if normalise(ns, value) in have:
            continue
        current.setdefault(ns, []).append(value)
        existing = merged.get(ns)
        if existing is None:
            merged[ns] = [value]
        elif isinstance(existing, list):
            existing.append(value)
        else:
            merged[ns] = [existing, value]
        added.append(f"{ns}:{value}")
    return merged, added


def plan_merge(db: Database, source: str, target: str, identity: IdentityConfig) -> MergePlan:
    plan = MergePlan(source, target)
    plan.activities = int(
        db.scalar("SELECT COUNT(*) FROM activity WHERE contributor = ?", (source,)) or 0
    )
    into_badges = {
        (r[0], r[1])
        for r in db.execute(
            "SELECT badge, variant FROM contributor_badge WHERE contributor = ?", (target,)
        )
    }
    for slug, badge, variant in db.execute(
        "SELECT slug, badge, variant FROM contributor_badge WHERE contributor = ? ORDER BY slug",
        (source,),
    ).fetchall():
        (plan.badges_merged if (badge, variant) in into_badges else plan.badges_moved).append(
            f"{badge}/{variant}" if (badge, variant) in into_badges else slug
        )
    into_aggs = {
        r[0]
        for r in db.execute(
            "SELECT aggregate FROM contributor_aggregate WHERE contributor = ?", (target,)
        )
    }
    for (slug,) in db.execute(
        "SELECT aggregate FROM contributor_aggregate WHERE contributor = ? ORDER BY aggregate",
        (source,),
    ).fetchall():
        if _standard(slug):
            continue
        (plan.aggregate_conflicts if slug in into_aggs else plan.aggregates_moved).append(slug)
    plan.identities_added = _new_identities(db, source, target, identity)[1]
    return plan


def apply_merge(db: Database, source: str, target: str, identity: IdentityConfig) -> None:
    """The NEW-03 transaction: everything of FROM moves to INTO, then FROM's row goes."""
    identities, _ = _new_identities(db, source, target, identity)
    with db.transaction():
        db.execute("UPDATE activity SET contributor = ? WHERE contributor = ?", (target, source))
        rows = db.execute(
            "SELECT slug, badge, variant, achieved_on FROM contributor_badge WHERE contributor = ?",
            (source,),
        ).fetchall()
        for slug, badge, variant, achieved_on in rows:
            mine = db.execute(
                "SELECT slug, achieved_on FROM contributor_badge WHERE contributor = ? AND "
                "badge = ? AND variant = ?",
                (target, badge, variant),
            ).fetchone()
            if mine is None:
                db.execute(
                    "UPDATE contributor_badge SET slug = ?, contributor = ? WHERE slug = ?",
                    (f"{badge}__{target}__{variant}", target, slug),
                )
                continue
            if achieved_on < mine[1]:
                db.execute(
                    "UPDATE contributor_badge SET achieved_on = ?, meta = (SELECT meta FROM "
                    "contributor_badge WHERE slug = ?) WHERE slug = ?",
                    (achieved_on, slug, mine[0]),
                )
            db.execute("DELETE FROM contributor_badge WHERE slug = ?", (slug,))
        for (slug,) in db.execute(
            "SELECT aggregate FROM contributor_aggregate WHERE contributor = ?", (source,)
        ).fetchall():
            taken = db.scalar(
                "SELECT 1 FROM contributor_aggregate WHERE contributor = ? AND aggregate = ?",
                (target, slug),
            )
            if _standard(slug) or taken:
                db.execute(
                    "DELETE FROM contributor_aggregate WHERE contributor = ? AND aggregate = ?",
                    (source, slug),
                )
            else:
                db.execute(
                    "UPDATE contributor_aggregate SET contributor = ? WHERE contributor = ? AND "
                    "aggregate = ?",
                    (target, source, slug),
                )
        db.execute(
            "UPDATE contributor SET identities = ? WHERE username = ?",
            (json.dumps(identities, ensure_ascii=False), target),
        )
        db.execute("DELETE FROM contributor_identity WHERE contributor = ?", (source,))
        db.execute("DELETE FROM contributor WHERE username = ?", (source,))
    rebuild_index(db, identity)


def _profile_exists(data_dir: Path, name: str) -> bool:
    folder = data_dir / "contributors"
    lowered = f"{name}.md".lower()
    return folder.is_dir() and any(p.name.lower() == lowered for p in folder.iterdir())


def merge_command(common: Common, *, source: str, target: str, dry_run: bool) -> int:
    from dataclasses import replace

    from leaderboard import lock, pipeline
    from leaderboard.commands import cache_dir_of, data_dir_of, db_path_of, now_of
    from leaderboard.datarepo import export_repo

    if source.lower() == target.lower():
        raise UsageError(f"Cannot merge {source} into itself; name two different contributors")
    data_dir = data_dir_of(common)
    missing = [n for n in (source, target) if not _profile_exists(data_dir, n)]
    if missing:
        raise InvalidInputError(
            "Contributor not found: "
            + ", ".join(f"{n} (no contributors/{n}.md)" for n in missing)
            + "; nothing was changed"
        )
    config, _ = pipeline.load_valid_config(data_dir, common.env, strict=common.strict)
    settings = pipeline.RunSettings(
        data_dir=data_dir,
        db_path=":memory:" if dry_run else db_path_of(common, data_dir),
        now=now_of(common, config.leaderboard.timezone),
        cache_dir=cache_dir_of(common, data_dir),
        env=common.env,
        phases=("import",),
        offline=True if dry_run else common.offline,
        strict=common.strict,
        command="merge-contributors",
    )
    identity = config.leaderboard.identity
    with lock.locked(data_dir, "merge-contributors", started_at=common.started):
        prepared = pipeline.prepare(settings)
        db = Database.memory() if dry_run else Database.open(settings.db_path)
        try:
            summary = pipeline.run_phases(settings, prepared, db)
            if not summary.ok:
                return 1
            src = canonical_username(db, source)
            dst = canonical_username(db, target)
            if src is None or dst is None:
                raise InvalidInputError(f"Contributor not found after import: {source}/{target}")
            plan = plan_merge(db, src, dst, identity)
            for line in plan.lines():
                print(line)
            if dry_run:
                print("Dry run: nothing was changed.")
                return 0
            apply_merge(db, src, dst, identity)
            rest = replace(settings, phases=("aggregate", "evaluate"))
            summary = pipeline.run_phases(rest, prepared, db)
            summary.log(log)
            if not summary.ok:
                return 1
            # Export with this invocation's import snapshot, so FROM's files (fully imported
            # above) may be deleted; `run export` alone would keep them as stale.
            stats = export_repo(
                db,
                data_dir,
                tz=config.tz,
                imported=prepared.snapshot,
                default_role=config.leaderboard.default_role,
            )
            for warning in stats.warnings:
                log.warning("%s", warning)
            print(
                f"Merged {src} into {dst}: {len(stats.written)} files written, "
                f"{len(stats.deleted)} deleted"
            )
            return 0
        finally:
            db.close()
            prepared.release()  # the GC freeze of `prepare`
