"""The standard aggregation step of the aggregate phase (CORE-59…CORE-62)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from leaderboard.aggregates.shared import activity_snapshot
from leaderboard.aggregates.standard import compute_standard
from leaderboard.aggregates.store import sync_contributor_rows, sync_definitions, sync_globals
from leaderboard.db import Database
from leaderboard.gcpause import gc_paused
from leaderboard.timeutil import canonical

DATA_UPDATED_AT = "data_updated_at"


@dataclass(frozen=True, slots=True)
class AggregationStats:
    """Rows written or deleted by one standard aggregation, per table."""

    global_changed: int = 0
    global_deleted: int = 0
    definitions_changed: int = 0
    definitions_deleted: int = 0
    contributor_changed: int = 0
    contributor_deleted: int = 0

    @property
    def changed(self) -> int:
        return self.global_changed + self.definitions_changed + self.contributor_changed

    @property
    def deleted(self) -> int:
        return self.global_deleted + self.definitions_deleted + self.contributor_deleted

    @property
    def any_change(self) -> bool:
        return bool(self.changed or self.deleted)


def mark_data_updated(db: Database, now: datetime) -> None:
    """Record that data rows changed in this run: `_leaderboard_meta.data_updated_at` = now.

    Called by standard aggregation when it changed rows, and by the runner when import or
    scrape changed rows (CORE-62, CORE-33).
    """
    db.set_meta(DATA_UPDATED_AT, canonical(now))


def run_standard_aggregation(
    db: Database,
    *,
    now: datetime,
    tz: tzinfo,
    daily_caps: Mapping[str, int] | None = None,
) -> AggregationStats:
    """Compute and store every standard aggregate, in one transaction.

    Inputs: the working DB (contributors, activity definitions, activities), `now` (aware) and
    `tz`, and optional `daily_caps` (NEW-25, `leaderboard.scoring.daily_caps`). Effects: upserts
    the rows of CORE-59…CORE-61 whose value or meta changed (CORE-62), deletes stale standard
    rows, and sets `data_updated_at` when anything changed. The activity snapshot it reads is
    kept for badge evaluation (`aggregates.shared`). Output: counts of rows changed and deleted.
    """
    now_text = canonical(now)
    with db.transaction(), gc_paused():
        definitions = [
            (str(s), str(n))
            for s, n in db.execute("SELECT slug, name FROM activity_definition").fetchall()
        ]
        contributor_count = int(db.scalar("SELECT COUNT(*) FROM contributor") or 0)
        snapshot = activity_snapshot(db, tz=tz, daily_caps=daily_caps)
        wanted = compute_standard(definitions, contributor_count, snapshot, now=now, tz=tz)
        g = sync_globals(db, wanted.globals, now_text)
        d = sync_definitions(db, wanted.definitions)
        c = sync_contributor_rows(db, wanted.contributors, now_text)
        stats = AggregationStats(g.changed, g.deleted, d.changed, d.deleted, c.changed, c.deleted)
        if stats.any_change:
            mark_data_updated(db, now)
    return stats
