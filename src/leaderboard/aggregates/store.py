"""Writing standard aggregate rows so that unchanged data produces unchanged rows (CORE-62).

A row is rewritten only when its value or its meta without `calculated_at` differs from what is
stored; it then gets `calculated_at` = now. Otherwise the stored `calculated_at` is kept, so the
exported files do not change on a run without data changes. Standard rows that no longer apply
are deleted; plugin rows and `extra` columns are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from leaderboard.aggregates.standard import (
    CALCULATED_AT,
    PER_DEFINITION_PREFIX,
    ContributorRow,
    DefinitionRow,
    GlobalRow,
    MetaShape,
)
from leaderboard.catalogue import CONTRIBUTOR_DEFINITIONS, GLOBAL_SLUGS
from leaderboard.db import Database
from leaderboard.db.database import BULK_ROWS
from leaderboard.jsonfmt import JsonError, dumps_compact, loads

_STANDARD_FILTER = "({col} IN ({names}) OR substr({col}, 1, {n}) = '{prefix}')"


def _standard_filter(column: str, names: Iterable[str]) -> str:
    quoted = ", ".join("'" + s + "'" for s in names)
    return _STANDARD_FILTER.format(
        col=column, names=quoted, n=len(PER_DEFINITION_PREFIX), prefix=PER_DEFINITION_PREFIX
    )


def _parse(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return loads(text)
    except JsonError:
        return None


def _same_json(stored: str | None, wanted: str) -> bool:
    """Compare JSON texts by value and key order; the fast path is plain text equality."""
    if stored == wanted:
        return True
    parsed = _parse(stored)
    return parsed is not None and dumps_compact(parsed) == wanted


def _stored_calculated_at(stored_meta: str | None) -> str | None:
    parsed = _parse(stored_meta)
    if isinstance(parsed, dict):
        value = parsed.get(CALCULATED_AT)
        return value if isinstance(value, str) else None
    return None


def _decide(
    stored_value: str | None,
    stored_meta: str | None,
    value_text: str,
    meta: MetaShape,
    now_text: str,
) -> str | None:
    """The meta text to write, or None when value and meta (minus calculated_at) are unchanged.

    The fast path is the row exactly as we last wrote it: equal value text and a meta text of
    the same shape. Rows written by hand or by another tool are compared by value.
    """
    if stored_value is not None and _same_json(stored_value, value_text):
        if meta.kept_calculated_at(stored_meta) is not None:
            return None
        kept = _stored_calculated_at(stored_meta)
        if kept is not None and _same_json(stored_meta, meta.text(kept)):
            return None
    return meta.text(now_text)


@dataclass(slots=True)
class SyncCounts:
    changed: int = 0
    deleted: int = 0


def sync_globals(db: Database, rows: list[GlobalRow], now_text: str) -> SyncCounts:
    """Upsert the standard global aggregates and delete stale per-definition ones."""
    counts = SyncCounts()
    existing = {
        r[0]: r
        for r in db.execute(
            "SELECT slug, name, description, value, hidden, meta FROM global_aggregate WHERE "
            + _standard_filter("slug", GLOBAL_SLUGS)
        ).fetchall()
    }
    writes: list[tuple[Any, ...]] = []
    for row in rows:
        value_text = row.value
        old = existing.pop(row.slug, None)
        meta_text = _decide(
            old[3] if old else None, old[5] if old else None, value_text, row.meta, now_text
        )
        if meta_text is None:
            assert old is not None
            if (old[1], old[2], old[4]) == (row.name, row.description, 0):
                continue
            meta_text = old[5]
        writes.append((row.slug, row.name, row.description, value_text, meta_text))
    db.executemany(
        "INSERT INTO global_aggregate(slug, name, description, value, hidden, meta) "
        "VALUES(?, ?, ?, ?, 0, ?) ON CONFLICT(slug) DO UPDATE SET name = excluded.name, "
        "description = excluded.description, value = excluded.value, hidden = 0, "
        "meta = excluded.meta",
        writes,
    )
    counts.changed = len(writes)
    stale = sorted(existing)
    db.executemany("DELETE FROM global_aggregate WHERE slug = ?", [(s,) for s in stale])
    counts.deleted = len(stale)
    return counts


def sync_definitions(db: Database, rows: list[DefinitionRow]) -> SyncCounts:
    """Upsert the standard contributor aggregate definitions (hidden 0), keeping `extra`.

    Per-definition rows whose activity definition no longer exists are deleted together with
    their contributor rows (which are stale by construction).
    """
    counts = SyncCounts()
    existing = {
        r[0]: r
        for r in db.execute(
            "SELECT slug, name, description, hidden FROM contributor_aggregate_definition WHERE "
            + _standard_filter("slug", CONTRIBUTOR_DEFINITIONS)
        ).fetchall()
    }
    writes = []
    for row in rows:
        old = existing.pop(row.slug, None)
        if old is not None and (old[1], old[2], old[3]) == (row.name, row.description, 0):
            continue
        writes.append((row.slug, row.name, row.description))
    db.executemany(
        "INSERT INTO contributor_aggregate_definition(slug, name, description, hidden) "
        "VALUES(?, ?, ?, 0) ON CONFLICT(slug) DO UPDATE SET name = excluded.name, "
        "description = excluded.description, hidden = 0",
        writes,
    )
    counts.changed = len(writes)
    stale = [(s,) for s in sorted(existing) if s.startswith(PER_DEFINITION_PREFIX)]
    db.executemany("DELETE FROM contributor_aggregate WHERE aggregate = ?", stale)
    db.executemany("DELETE FROM contributor_aggregate_definition WHERE slug = ?", stale)
    counts.deleted = len(stale)
    return counts


def _empty(db: Database, table: str) -> bool:
    return not db.scalar(f"SELECT EXISTS(SELECT 1 FROM {table})")


def sync_contributor_rows(db: Database, rows: list[ContributorRow], now_text: str) -> SyncCounts:
    """Upsert standard contributor aggregates; delete the standard rows that no longer apply."""
    counts = SyncCounts()
    existing = {
        (r[0], r[1]): (r[2], r[3])
        for r in db.execute(
            "SELECT aggregate, contributor, value, meta FROM contributor_aggregate WHERE "
            + _standard_filter("aggregate", CONTRIBUTOR_DEFINITIONS)
        ).fetchall()
    }
    writes = []
    pop = existing.pop
    # Stored metas repeat (one calculated_at per run that changed them): check each text once.
    as_written: dict[tuple[str, str, str | None], bool] = {}
    # New rows share one meta text per shape (CORE-80: 143,000 rows, 14 shapes at 10x).
    fresh: dict[MetaShape, str] = {}
    for row in rows:
        if not existing:  # nothing stored to compare with: the row is new
            meta_text = fresh.get(row.meta)
            if meta_text is None:
                meta_text = fresh[row.meta] = row.meta.text(now_text)
            writes.append((row.aggregate, row.contributor, row.value, meta_text))
            continue
        old = pop((row.aggregate, row.contributor), None)
        if old is not None and old[0] == row.value:
            key = (row.meta.prefix, row.meta.suffix, old[1])
            same = as_written.get(key)
            if same is None:
                same = as_written[key] = row.meta.kept_calculated_at(old[1]) is not None
            if same:
                continue  # the row as we wrote it last time: the common case
        meta_text = _decide(
            old[0] if old else None, old[1] if old else None, row.value, row.meta, now_text
        )
        if meta_text is not None:
            writes.append((row.aggregate, row.contributor, row.value, meta_text))
    upsert = (
        "INSERT INTO contributor_aggregate(aggregate, contributor, value, meta) "
        "VALUES(?, ?, ?, ?) ON CONFLICT(aggregate, contributor) DO UPDATE SET "
        "value = excluded.value, meta = excluded.meta"
    )
    if len(writes) >= BULK_ROWS and not existing and _empty(db, "contributor_aggregate"):
        # The first aggregation into a new working DB (CORE-80: 14,000 rows at 1x): the two
        # secondary indexes built once after the rows, the sync-state trigger's effect applied
        # once (0.13 -> 0.04 s of CPU at 1x).
        from leaderboard.datarepo.syncstate import forget_header

        with db.secondary_indexes_dropped("contributor_aggregate"):
            db.executemany(upsert, writes)
        forget_header(db, "contributor_aggregate")
    else:
        db.executemany(upsert, writes)
    counts.changed = len(writes)
    stale = sorted(existing)
    db.executemany(
        "DELETE FROM contributor_aggregate WHERE aggregate = ? AND contributor = ?", stale
    )
    counts.deleted = len(stale)
    return counts
