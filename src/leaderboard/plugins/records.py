"""Persisting the records a hook returns (CORE-26): validate, then write in order.

Contributors are inserted or ignored, activity definitions inserted or ignored, activities upserted
on slug. Writes go through the shared query layer (`leaderboard.queries`) when it provides the
function, so normalisation is the same everywhere; the SQL here is the fallback. An invalid record
raises `ValidationError` whose message names the record, which fails the hook (CORE-26).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, is_dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

from leaderboard import jsonfmt
from leaderboard.db import Database
from leaderboard.db.bulk import SchemaObject, drop_schema, restore_schema
from leaderboard.db.schema import COLUMNS
from leaderboard.errors import ValidationError
from leaderboard.models import RecordBatch, as_dict
from leaderboard.plugins.identity_index import index_contributor
from leaderboard.timeutil import canonical, canonicalize
from leaderboard.usernames import username_problem

# Record keys are the table columns (CORE-32): one definition, in db/schema.py.
_CONTRIBUTOR_KEYS = COLUMNS["contributor"]
_DEFINITION_KEYS = COLUMNS["activity_definition"]
_ACTIVITY_KEYS = COLUMNS["activity"]
_KEYSETS = {keys: frozenset(keys) for keys in (_CONTRIBUTOR_KEYS, _DEFINITION_KEYS, _ACTIVITY_KEYS)}
_PLAIN_ACTIVITY = _KEYSETS[_ACTIVITY_KEYS] | {"kind"}
_LOOKUP_CHUNK = 500  # slugs per `IN (…)` lookup, well under SQLite's bound-parameter limit
_INSERT_ACTIVITY = (
    "INSERT INTO activity(slug, contributor, activity_definition, title, occurred_at, link, "
    "text, points, meta, extra) VALUES(?,?,?,?,?,?,?,?,?,?)"
)
_UPSERT_ACTIVITY = (
    f"{_INSERT_ACTIVITY} ON CONFLICT(slug) DO UPDATE SET "
    "contributor=excluded.contributor, activity_definition=excluded.activity_definition, "
    "title=excluded.title, occurred_at=excluded.occurred_at, link=excluded.link, "
    "text=excluded.text, points=excluded.points, meta=excluded.meta, extra=excluded.extra"
)
_INSERT_NEW_ACTIVITY = f"{_INSERT_ACTIVITY} ON CONFLICT(slug) DO NOTHING"
# The `_datarepo_sync` triggers of `activity` (migration 4): a bulk writer sets them aside and
# deletes the header row itself (`_forget_header`), once per write instead of once per row.
_SYNC_TRIGGER_PREFIX = "_datarepo_sync_activity_"
# Writes of fewer rows leave the triggers in place: dropping and creating them again costs about
# what the statement journals of that many rows do (an incremental scrape writes a handful).
_BULK_TRIGGER_ROWS = 64
# A bulk writer also sets `activity`'s secondary indexes aside once the rows it inserted since the
# last settle reach the table's size before them (and at least this many): building an index
# over all rows once costs about 0.9 µs a row, keeping it up to date about 2 µs a row inserted.
_BULK_INDEX_ROWS = 1000
# Rowids below this are allocated as max(rowid) + 1, so a row an insert added has a rowid above
# the table's maximum before it (SQLite picks random free rowids only beyond 2**63 - 1).
_ROWID_LIMIT = 1 << 62


class RecordSink(Protocol):
    """Where a hook's returned records go: the working DB (`RecordWriter`) or a plugin's
    staging (`plugins/concurrent.py`)."""

    def write(self, record: Any) -> None: ...

    def write_many(self, records: Iterable[Any]) -> None: ...


@dataclass
class PersistCounts:
    """What a hook's returned records did to the DB, for the run summary (CORE-11)."""

    contributors_created: int = 0
    definitions_created: int = 0
    activities_inserted: int = 0
    activities_updated: int = 0


def record_kind(record: Any) -> str:
    kind = record.get("kind") if isinstance(record, dict) else getattr(record, "kind", None)
    if kind in ("contributor", "activity_definition", "activity"):
        return str(kind)
    raise ValidationError(
        f"returned record {_describe(record)} has no valid 'kind' (expected contributor, "
        f"activity_definition or activity; got {kind!r})"
    )


def _describe(record: Any) -> str:
    if isinstance(record, dict):
        return str(record.get("slug") or record.get("username") or "{…}")
    return type(record).__name__


def _plain(record: Any) -> dict[str, Any]:
    if type(record) is dict:  # the common case, without as_dict's comprehension
        data = dict(record)
        data.pop("kind", None)
        return data
    if isinstance(record, dict):
        return as_dict(record)
    if is_dataclass(record) and not isinstance(record, type):
        return as_dict(record)
    raise ValidationError(f"returned record {record!r} is neither a dict nor a record dataclass")


def _split_extra(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Known keys stay; unknown ones move into `extra` in their order (CORE-51)."""
    out = {k: data.get(k) for k in keys}
    if out["extra"] is None and data.keys() <= _KEYSETS[keys]:
        return out  # nothing to move (most records): skip the per-key loop
    extra = dict(out.get("extra") or {})
    for key, value in data.items():
        if key not in keys:
            extra[key] = value
    out["extra"] = extra or None
    return out


def _str_or_none(where: str, key: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{where}: {key} must be a string or null (got {value!r})")


def _points(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{where}: points must be an integer or null (got {value!r})")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int):
        raise ValidationError(f"{where}: points must be an integer or null (got {value!r})")
    return value


def _json(value: Any) -> str | None:
    return None if value is None else jsonfmt.dumps_compact(value)


def normalise_contributor(record: Any) -> dict[str, Any]:
    data = _split_extra(_plain(record), _CONTRIBUTOR_KEYS)
    username = data["username"]
    problem = (
        username_problem(username) if isinstance(username, str) else "username must be a string"
    )
    if problem:
        raise ValidationError(f"contributor {username!r}: {problem}")
    where = f"contributor {username}"
    if not isinstance(data["role"], str) or not data["role"]:
        raise ValidationError(f"{where}: role must be a non-empty string (got {data['role']!r})")
    for key in ("name", "title", "avatar_url", "bio", "joining_date", "visibility", "pseudonym"):
        _str_or_none(where, key, data[key])
        if data[key] == "" and key in ("name", "title", "avatar_url", "bio"):
            data[key] = None
    for key in ("social_profiles", "identities"):
        if data[key] is not None and not isinstance(data[key], dict):
            raise ValidationError(f"{where}: {key} must be a mapping or null (got {data[key]!r})")
    if data["bot"] is not None and not isinstance(data["bot"], bool):
        raise ValidationError(f"{where}: bot must be a boolean or null (got {data['bot']!r})")
    if data["visibility"] not in (None, "public", "pseudonymous", "hidden"):
        raise ValidationError(
            f"{where}: visibility must be one of public, pseudonymous, hidden (got {data['visibility']!r})"
        )
    return data


def normalise_definition(record: Any) -> dict[str, Any]:
    data = _split_extra(_plain(record), _DEFINITION_KEYS)
    slug = data["slug"]
    if not isinstance(slug, str) or not slug:
        raise ValidationError(
            f"activity definition: slug must be a non-empty string (got {slug!r})"
        )
    where = f"activity definition {slug}"
    for key in ("name", "description"):
        if not isinstance(data[key], str):
            raise ValidationError(f"{where}: {key} must be a string (got {data[key]!r})")
    _str_or_none(where, "icon", data["icon"])
    data["points"] = _points(where, data["points"])
    return data


# A normalised activity is the row the upsert binds, in `activity` column order, its `meta` and
# `extra` already JSON text: built once per record, compared with the stored row and bound as is.
ActivityRow = tuple[str, str, str, Any, str, Any, Any, Any, str | None, str | None]
_NEEDS_CHECK = (str, type(None))


def _not_a_name(slug: str, key: str, value: Any) -> ValidationError:
    return ValidationError(f"activity {slug}: {key} must be a non-empty string (got {value!r})")


def normalise_activity(record: Any, tz: tzinfo) -> ActivityRow:
    """The `ActivityRow` of a returned activity record; raises ValidationError naming it."""
    if type(record) is dict and record.keys() <= _PLAIN_ACTIVITY and record.get("extra") is None:
        get = record.get  # most records: read once, no intermediate copy
        slug, contributor, definition = get("slug"), get("contributor"), get("activity_definition")
        title, when, link, text = get("title"), get("occurred_at"), get("link"), get("text")
        points, meta, extra = get("points"), get("meta"), None
    else:
        data = _plain(record)
        if "occurred_at" not in data and "occured_at" in data:  # upstream's legacy spelling
            data["occurred_at"] = data.pop("occured_at")
        data = _split_extra(data, _ACTIVITY_KEYS)
        slug, contributor, definition = (
            data["slug"],
            data["contributor"],
            data["activity_definition"],
        )
        title, when, link, text = data["title"], data["occurred_at"], data["link"], data["text"]
        points, meta, extra = data["points"], data["meta"], data["extra"]
    if not isinstance(slug, str) or not slug:
        raise ValidationError(f"activity: slug must be a non-empty string (got {slug!r})")
    # The checks below run for every record a plugin returns (100,000 for a large first scrape):
    # the message naming the record is only built when one fails.
    if not isinstance(contributor, str) or not contributor:
        raise _not_a_name(slug, "contributor", contributor)
    if not isinstance(definition, str) or not definition:
        raise _not_a_name(slug, "activity_definition", definition)
    try:
        if isinstance(when, str):
            occurred = canonicalize(when, tz)
        elif isinstance(when, datetime):
            occurred = canonical(when)
        else:
            raise ValueError
    except ValueError:
        raise ValidationError(
            f"activity {slug}: occurred_at must be a timestamp such as 2024-05-01T12:00:00Z "
            f"(got {when!r})"
        ) from None
    if type(title) not in _NEEDS_CHECK:
        _str_or_none(f"activity {slug}", "title", title)
    if type(link) not in _NEEDS_CHECK:
        _str_or_none(f"activity {slug}", "link", link)
    if type(text) not in _NEEDS_CHECK:
        _str_or_none(f"activity {slug}", "text", text)
    if points is not None and type(points) is not int:
        points = _points(f"activity {slug}", points)
    return (
        slug,
        contributor,
        definition,
        title,
        occurred,
        link,
        text,
        points,
        None if meta is None else jsonfmt.dumps_compact(meta),
        None if extra is None else jsonfmt.dumps_compact(extra),
    )


def flatten(records: Iterable[Any]) -> Iterator[Any]:
    """The records of an iterable whose items may themselves be `RecordBatch`es."""
    for record in records:
        if type(record) is RecordBatch:
            yield from record
        else:
            yield record


def normalise_records(records: Iterable[Any], tz: tzinfo) -> list[tuple[str, Any]]:
    """`normalise_record` of each record (batches flattened), in order."""
    return [normalise_record(record, tz) for record in flatten(records)]


def normalise_record(record: Any, tz: tzinfo) -> tuple[str, Any]:
    """`(kind, row)` of a returned record, validated; raises ValidationError naming it. The row
    is a dict of columns for a contributor or definition, an `ActivityRow` for an activity."""
    kind = record_kind(record)
    if kind == "contributor":
        return kind, normalise_contributor(record)
    if kind == "activity_definition":
        return kind, normalise_definition(record)
    return kind, normalise_activity(record, tz)


class RecordWriter:
    """Writes normalised records and counts what changed."""

    def __init__(
        self, db: Database, tz: tzinfo, *, primary: str = "github", bulk: bool = False
    ) -> None:
        self.db = db
        self.tz = tz
        self.primary = primary
        self.counts = PersistCounts()
        # `bulk`: the caller calls `settle()` before it releases (commits) anything written, so
        # activities may be written with the `activity` table's sync triggers and secondary
        # indexes set aside (the runner's writers: `run_hook`, the scrape scheduler).
        self.bulk = bulk
        self._set_aside: list[SchemaObject] = []
        self._indexes_aside = False
        self._stretch: tuple[int, int] | None = None  # (max rowid at its start, rows inserted)
        # The last bulk write found none of its slugs stored (a first scrape): the next one
        # inserts first and looks slugs up only if some insert was refused.
        self._all_new = True
        # Lookups already answered during this hook call: a plugin returning 100,000 activities
        # for a few hundred people asks the same two questions over and over. Only positive
        # answers are kept (a contributor or definition may be created later in the same call).
        self._owners: dict[str, str] = {}
        self._definitions: set[str] = set()

    def write(self, record: Any) -> None:
        self.apply(*normalise_record(record, self.tz))

    def write_many(self, records: Iterable[Any]) -> None:
        """Persist `records` in order, exactly as `write` on each would, with runs of activities
        written in bulk (one lookup per 500 slugs, one `executemany`): the path for a hook that
        returns a list or yields a `RecordBatch` (CORE-26)."""
        self.apply_many(normalise_records(records, self.tz))

    def apply(self, kind: str, data: Any) -> None:
        """Persist a record already normalised by `normalise_record` (staging replays these)."""
        if kind == "contributor":
            self._contributor(data)
        elif kind == "activity_definition":
            self._definition(data)
        else:
            self._activities([data])

    def apply_many(self, rows: list[tuple[str, Any]]) -> None:
        """`apply` each normalised record in order; consecutive activities go in one bulk write."""
        run: list[ActivityRow] = []
        for kind, data in rows:
            if kind == "activity":
                run.append(data)
                continue
            if run:
                self._activities(run)
                run = []
            self.apply(kind, data)
        if run:
            self._activities(run)

    def _contributor(self, c: dict[str, Any]) -> None:
        if self.db.scalar(
            "SELECT 1 FROM contributor WHERE username = ? COLLATE NOCASE", (c["username"],)
        ):
            return
        insert_contributor(self.db, c)
        index_contributor(self.db, c["username"], c["identities"], self.primary)
        self.counts.contributors_created += 1

    def _definition(self, d: dict[str, Any]) -> None:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO activity_definition(slug, name, description, points, icon, extra) "
            "VALUES(?,?,?,?,?,?)",
            (d["slug"], d["name"], d["description"], d["points"], d["icon"], _json(d["extra"])),
        )
        self.counts.definitions_created += cur.rowcount

    def _owner(self, slug: str, contributor: str, definition: str) -> str:
        """The stored spelling of the activity's contributor (its definition checked too)."""
        owner = self._owners.get(contributor)
        if owner is None:
            owner = self.db.scalar(
                "SELECT username FROM contributor WHERE username = ? COLLATE NOCASE",
                (contributor,),
            )
            if owner is None:
                raise ValidationError(f"activity {slug}: unknown contributor '{contributor}'")
            self._owners[contributor] = owner
        if definition not in self._definitions:
            if not self.db.scalar(
                "SELECT 1 FROM activity_definition WHERE slug = ?", (definition,)
            ):
                raise ValidationError(
                    f"activity {slug}: unknown activity definition '{definition}'"
                )
            self._definitions.add(definition)
        return str(owner)

    def settle(self) -> None:
        """Create again what bulk writes set aside (db/bulk.py). Call it before releasing the
        savepoint or transaction they wrote in (and after rolling one back: then it only
        forgets what the rollback restored), so a committed DB always has its triggers."""
        self._stretch = None
        self._indexes_aside = False
        if self._set_aside:
            dropped, self._set_aside = self._set_aside, []
            restore_schema(self.db, dropped)

    def _set_aside_for(self, writing: int, inserting: int) -> bool:
        """Before writing `writing` activities, `inserting` of them new: drop `activity`'s sync
        triggers (bulk writers only, for writes of at least `_BULK_TRIGGER_ROWS`; see db/bulk.py
        for why a row trigger costs so much), and its secondary indexes once this stretch of
        writes (since the last settle) has inserted about as many rows as the table held when
        it began. True when the triggers were dropped by this call."""
        if not self.bulk or (not self._set_aside and writing < _BULK_TRIGGER_ROWS):
            return False
        if self._stretch is None:
            self._stretch = (int(self.db.scalar("SELECT max(rowid) FROM activity") or 0), 0)
        start, inserted = self._stretch
        self._stretch = (start, inserted + inserting)
        dropped_now = False
        if not self._set_aside:
            self._set_aside = drop_schema(
                self.db,
                "activity",
                indexes=False,
                triggers=lambda name: name.startswith(_SYNC_TRIGGER_PREFIX),
            )
            dropped_now = bool(self._set_aside)
        if not self._indexes_aside and inserted + inserting >= max(_BULK_INDEX_ROWS, start):
            self._set_aside += drop_schema(self.db, "activity", indexes=True, triggers=False)
            self._indexes_aside = True
        return dropped_now

    def _written(self, changed: bool, dropped_now: bool) -> None:
        """After writing activities: what the triggers set aside would have done. A write that
        changed nothing gives back the triggers it dropped, so while they are set aside the
        header row is gone, as any other write to `activity` (which they would no longer see)
        requires."""
        if not self._set_aside:
            return
        if changed:
            self._forget_header()
        elif dropped_now:
            self.settle()

    def _forget_header(self) -> None:
        from leaderboard.datarepo.syncstate import forget_header

        forget_header(self.db, "activity")

    def _stored(self, slugs: list[str], *, rowid: bool = False) -> dict[str, tuple[Any, ...]]:
        """The stored rows of those `slugs` that exist, in column order (the rowid first when
        asked)."""
        found: dict[str, tuple[Any, ...]] = {}
        unique = list(dict.fromkeys(slugs))
        first = "rowid, " if rowid else ""
        key = 1 if rowid else 0
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[start : start + _LOOKUP_CHUNK]
            cur = self.db.conn.execute(
                f"SELECT {first}slug, contributor, activity_definition, title, occurred_at, link, "
                f"text, points, meta, extra FROM activity WHERE slug IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for row in cur:
                found[row[key]] = row
        return found

    def _activities(self, batch: list[ActivityRow]) -> None:
        """Upsert normalised activities in order, skipping rows that would not change; the same
        rows, rowids and counts as one upsert per record, with one lookup per 500 slugs and a
        plain `executemany` insert of the new rows (a first scrape of 100,000 commits is
        mostly these inserts)."""
        # Contributor and definition are checked once per distinct pair, in the order the records
        # name them (the first unknown one is reported); a row is rebuilt only when the stored
        # username is spelled differently (a case-insensitive match).
        if not batch:
            return
        owners, definitions = self._owners, self._definitions
        pairs = {(row[1], row[2]) for row in batch}
        if any(c not in owners or d not in definitions for c, d in pairs):
            for row in batch:  # in order, so the first record naming an unknown one is reported
                self._owner(row[0], row[1], row[2])
        if any(owners[c] != c for c, _ in pairs):
            batch = [
                row if owners[row[1]] == row[1] else (row[0], owners[row[1]], *row[2:])
                for row in batch
            ]
        if self._all_new:
            self._insert_first(batch)
        else:
            self._look_up_first(batch)

    def _look_up_first(self, batch: list[ActivityRow]) -> None:
        current = self._stored([row[0] for row in batch])
        self._all_new = not current
        new: list[ActivityRow] = []
        changed: list[ActivityRow] = []
        for row in batch:
            before = current.get(row[0])
            if before == row:
                continue
            if before is None:
                self.counts.activities_inserted += 1
                new.append(row)
            else:
                self.counts.activities_updated += 1
                changed.append(row)
            current[row[0]] = row  # a later record with the same slug compares with this one
        if not new and not changed:
            return
        dropped_now = self._set_aside_for(len(new) + len(changed), len(new))
        # New slugs first, in order (their rowids are allocated in that order, as one upsert per
        # record would); updates keep their rowid, and the last value of a slug is written last.
        if new:
            self.db.executemany(_INSERT_ACTIVITY, new)
        if changed:
            self.db.executemany(_UPSERT_ACTIVITY, changed)
        self._written(True, dropped_now)

    def _insert_first(self, batch: list[ActivityRow]) -> None:
        """Insert every row whose slug is not stored; look up only when some were (or a slug
        repeats in the batch), then update those in order exactly as `_look_up_first` would."""
        top = self.db.scalar("SELECT max(rowid) FROM activity") or 0
        if top >= _ROWID_LIMIT:
            self._all_new = False
            self._look_up_first(batch)
            return
        dropped_now = self._set_aside_for(len(batch), len(batch))
        added = self.db.executemany(_INSERT_NEW_ACTIVITY, batch).rowcount
        self.counts.activities_inserted += added
        if added == len(batch):
            self._written(True, dropped_now)
            return
        self._all_new = False
        # Rows this insert added have rowids above `top`, and hold their slug's first record.
        stored = self._stored([row[0] for row in batch], rowid=True)
        fresh = {slug for slug, found in stored.items() if found[0] > top}
        current = {slug: found[1:] for slug, found in stored.items() if slug not in fresh}
        changed: list[ActivityRow] = []
        for row in batch:
            slug = row[0]
            if slug in fresh:
                fresh.discard(slug)  # its first record: inserted above
                current[slug] = row
                continue
            before = current.get(slug)
            if before is None:  # DO NOTHING refuses only a slug that is stored
                raise ValidationError(f"activity {slug}: was neither inserted nor found")
            if before == row:
                continue
            self.counts.activities_updated += 1
            current[slug] = row
            changed.append(row)
        if changed:
            self.db.executemany(_UPSERT_ACTIVITY, changed)
        self._written(added > 0 or bool(changed), dropped_now)


def insert_contributor(db: Database, c: dict[str, Any]) -> None:
    """Insert one normalised contributor row (insert-or-ignore, case-insensitive on username)."""
    db.execute(
        "INSERT OR IGNORE INTO contributor(username, name, role, title, avatar_url, bio, "
        "social_profiles, joining_date, meta, visibility, pseudonym, bot, identities, extra) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            c["username"],
            c["name"],
            c["role"],
            c["title"],
            c["avatar_url"],
            c["bio"],
            _json(c["social_profiles"]),
            c["joining_date"],
            _json(c["meta"]),
            c["visibility"],
            c["pseudonym"],
            None if c["bot"] is None else int(c["bot"]),
            _json(c["identities"]),
            _json(c["extra"]),
        ),
    )
