"""What the per-contributor JSONL files last held, so unchanged work can be skipped (CORE-80).

A second `run` with no data change must not parse, upsert and re-render 130,000 activities. The
working DB therefore remembers, in `_datarepo_sync` (migration 4), for each record kind whose
rows export writes to per-contributor JSONL files (activities, contributor aggregates, contributor
badges):

- every file of the kind as export last left it: size, sha256 of its bytes, and the validation
  key under which it was last read without any problem (or NULL). No modification times: the
  working DB stays byte-identical across machines for identical inputs (CORE-81);
- a header row (`path = ''`) meaning "the table's rows are exactly what these files hold".
  Triggers delete the header on any INSERT, UPDATE or DELETE of the kind's table, whoever writes.

The reader skips a kind only when its header is present, the files are byte-identical (sha256,
not just stat) to the recorded ones, and each was validated under the same validation key: same
package version, time zone, contributors and definitions, and a `now` no earlier than then (the
only time-dependent check is the future-activity warning). Importing such files again would
change nothing and report nothing, so it is skipped; export skips a kind when its header is still
present and its files are unchanged. Anything else takes the full path.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from leaderboard import __version__
from leaderboard.db import Database

SYNCED_KINDS = ("activity", "contributor_aggregate", "contributor_badge")
TABLE = "_datarepo_sync"


@dataclass(frozen=True, slots=True)
class FileState:
    """One data file as last seen: size, mtime (in memory only, 0 when loaded from the DB),
    content hash, and the key it was validated under."""

    size: int
    mtime_ns: int
    digest: str
    validated: str | None = None


@dataclass
class SyncState:
    """The recorded files of each synced kind, and the kinds whose header is present."""

    files: dict[str, dict[str, FileState]] = field(default_factory=dict)
    synced: set[str] = field(default_factory=set)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def validation_key(parts: list[str]) -> str:
    """A hash of everything line validation depends on besides the file's bytes and `now`."""
    h = hashlib.sha256(__version__.encode("utf-8"))
    for part in parts:
        h.update(b"\0")
        h.update(part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def validated_value(key: str, now_text: str) -> str:
    return f"{key} {now_text}"


def still_valid(validated: str | None, key: str, now_text: str) -> bool:
    """Validated under `key` at a `now` no later than this one (no new future activities)."""
    if not validated:
        return False
    recorded_key, _, recorded_now = validated.partition(" ")
    return recorded_key == key and recorded_now <= now_text


def load_state(db_path: str | None) -> SyncState | None:
    """The recorded state of the working DB at `db_path`, read-only; None when there is none.

    Used before the run opens the DB for writing, so it never creates or migrates a file.
    """
    return Database.peek(db_path, load_state_db)


_TRIGGERS = 3 * len(SYNCED_KINDS)


def _watched(db: Database) -> bool:
    """The table exists and every invalidating trigger is in place. A migration that rebuilds
    a record table drops its triggers; then nothing recorded can be trusted."""
    if not db.table_exists(TABLE):
        return False
    count = db.scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
        (f"{TABLE}_%",),
    )
    return int(count) == _TRIGGERS


def load_state_db(db: Database) -> SyncState | None:
    if not _watched(db):
        return None
    state = SyncState()
    for kind, path, size, dig, validated in db.execute(
        f"SELECT kind, path, size, digest, validated FROM {TABLE}"
    ):
        if path == "":
            state.synced.add(kind)
        else:
            state.files.setdefault(kind, {})[path] = FileState(size, 0, dig, validated)
    return state


def synced_kinds(db: Database) -> set[str]:
    """Kinds whose header row is present right now (no write to their table since)."""
    if not _watched(db):
        return set()
    return {r[0] for r in db.execute(f"SELECT kind FROM {TABLE} WHERE path = ''")}


def forget_header(db: Database, kind: str) -> None:
    """What the triggers do on a write to `kind`'s table, for writers that drop them for speed
    (importer._bulk_insert)."""
    if db.table_exists(TABLE):
        db.execute(f"DELETE FROM {TABLE} WHERE kind = ? AND path = ''", (kind,))


def stat_of(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def record_kind(db: Database, kind: str, files: dict[str, FileState], synced: bool) -> None:
    """Replace what is recorded for `kind`; the header only when `synced`."""
    with db.transaction():
        db.execute(f"DELETE FROM {TABLE} WHERE kind = ?", (kind,))
        if not synced:
            return
        db.executemany(
            f"INSERT INTO {TABLE}(kind, path, size, digest, validated) VALUES (?, ?, ?, ?, ?)",
            [(kind, path, s.size, s.digest, s.validated) for path, s in sorted(files.items())],
        )
        db.execute(f"INSERT INTO {TABLE}(kind, path) VALUES (?, '')", (kind,))


def mark_validated(db: Database, kind: str, files: dict[str, FileState]) -> None:
    """Record that these files (same bytes as recorded) were just validated without problems."""
    rows = [(s.validated, kind, path, s.digest) for path, s in sorted(files.items()) if s.validated]
    if not rows or not db.table_exists(TABLE):
        return
    with db.transaction():
        db.executemany(
            f"UPDATE {TABLE} SET validated = ? WHERE kind = ? AND path = ? AND digest = ?",
            rows,
        )
