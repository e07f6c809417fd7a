"""The public database (NEW-05): the single privacy-filtered copy everything published reads.

The working DB is the maintainers' truth; nothing leaves the machine except what this module
copies. Hidden contributors (NEW-04) and every row pointing at them are left out, pseudonymous
ones are rewritten under their pseudonym, private columns (`identities`, `extra`, `visibility`,
`pseudonym`, `bot`) and private tables are never created, and standard global aggregates are
recomputed so that counts do not reveal hidden people.

The file is built deterministically (rows in primary-key order, fixed page size, VACUUM), so
identical inputs give identical bytes, and it replaces the target atomically and only when its
bytes changed (NEW-09).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from leaderboard import __version__
from leaderboard.catalogue import GLOBAL_SLUGS
from leaderboard.config.model import Config
from leaderboard.db.database import Database, sorter_threads
from leaderboard.db.migrations import SCHEMA_VERSION
from leaderboard.db.schema import ACTIVITY_FIELDS
from leaderboard.errors import InvalidInputError
from leaderboard.jsonfmt import dumps_compact, loads
from leaderboard.points import apply_daily_caps, effective_points
from leaderboard.timeutil import canonical, date_text, local_date, minus_days

PAGE_SIZE = 4096

# Activities are most of the file (CORE-80: ≤ 300 bytes each, indexes included), so they are
# stored in `_activity` with integer keys: `contributor` and `activity_definition` hold the rowid
# of the `contributor` and `activity_definition` rows (those two tables keep a rowid for it,
# assigned 1…n in key order by the inserts: with no gaps, even a VACUUM that renumbered rows
# would give the same numbers), and no index enforces slug uniqueness (the working DB's primary
# key already did; a slug index cost 68 bytes an activity). Rows are stored in (occurred_at,
# slug) order, so the newest activities share the last pages. The view `activity` gives the
# documented columns (CORE-32, NEW-05) with readable strings; the explorer's examples and every
# reader query it, and SQLite flattens it into two rowid lookups per row.
#
# The other tables are WITHOUT ROWID: their primary key is the table b-tree itself, so a lookup
# by key is one descent instead of two, and the schema stays small enough for page 1 (the
# explorer reads the schema on every page load).
PUBLIC_SCHEMA = """
CREATE TABLE contributor (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  name TEXT,
  role TEXT NOT NULL,
  title TEXT,
  avatar_url TEXT,
  bio TEXT,
  social_profiles JSON,
  joining_date TEXT,
  meta JSON,
  is_bot INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE activity_definition (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  points INTEGER,
  icon TEXT
);
CREATE TABLE _activity (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL,
  contributor INTEGER NOT NULL,
  activity_definition INTEGER NOT NULL,
  title TEXT,
  occurred_at TEXT NOT NULL,
  link TEXT,
  text TEXT,
  points INTEGER,
  meta JSON,
  effective_points INTEGER NOT NULL DEFAULT 0
);
"""
_ACTIVITY_VIEW = (
    "SELECT a.slug AS slug, c.username AS contributor, d.slug AS activity_definition, "
    "a.title AS title, a.occurred_at AS occurred_at, a.link AS link, a.text AS text, "
    "a.points AS points, a.meta AS meta, a.effective_points AS effective_points "
    "FROM _activity a JOIN contributor c ON c.rowid = a.contributor "
    "JOIN activity_definition d ON d.rowid = a.activity_definition"
)
PUBLIC_SCHEMA += f"CREATE VIEW activity AS {_ACTIVITY_VIEW};"
PUBLIC_SCHEMA += """
CREATE TABLE global_aggregate (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  value JSON NOT NULL,
  hidden INTEGER NOT NULL DEFAULT 0,
  meta JSON
) WITHOUT ROWID;
CREATE TABLE contributor_aggregate_definition (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  hidden INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE contributor_aggregate (
  aggregate TEXT NOT NULL REFERENCES contributor_aggregate_definition(slug),
  contributor TEXT NOT NULL REFERENCES contributor(username) ON UPDATE CASCADE,
  value JSON NOT NULL,
  meta JSON,
  PRIMARY KEY (aggregate, contributor)
) WITHOUT ROWID;
CREATE TABLE badge_definition (
  slug TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  variants JSON NOT NULL
) WITHOUT ROWID;
CREATE TABLE contributor_badge (
  slug TEXT PRIMARY KEY,
  badge TEXT NOT NULL REFERENCES badge_definition(slug),
  contributor TEXT NOT NULL REFERENCES contributor(username) ON UPDATE CASCADE,
  variant TEXT NOT NULL,
  achieved_on TEXT NOT NULL,
  meta JSON
) WITHOUT ROWID;
CREATE TABLE _leaderboard_public (
  key TEXT PRIMARY KEY,
  value TEXT
) WITHOUT ROWID;
"""

# The indexes the published queries use, and no more (CORE-80: ≤ 300 bytes per activity, the
# Data Explorer's examples within their byte budgets). Measured with EXPLAIN QUERY PLAN:
# - "Recent activity" walks `idx_activity_occurred_at` backwards and reads 20 rows, which sit on
#   the table's last pages (rows are stored in time order);
# - "Top 10 by points" and "Activity per contributor" scan `idx_activity_contributor`, which
#   covers (contributor, activity_definition, points) as integers: 14 bytes an activity, in
#   group order; the JSON API's and the MCP server's per-contributor lookups use its prefix;
# - "Badge holders" walks `idx_contributor_badge_achieved_on`, which covers the columns it shows:
#   it must read every badge of the latest day to order them by slug, and looking each up in the
#   table cost a range request apiece (10×: 838 badges on the last day, 195 page reads and 9 s in
#   the browser; covered, 25 reads, for 1.2 MB more, 0.3% of the DB).
# Left out of the CORE-34 set: `idx_activity_definition` (no published query filters on it),
# `idx_contributor_aggregate_aggregate` and `idx_contributor_badge_badge` (prefixes of the
# primary key and of the unique index, which serve the same lookups).
PUBLIC_INDEXES = """
CREATE INDEX idx_activity_occurred_at ON _activity(occurred_at);
CREATE INDEX idx_activity_contributor ON _activity(contributor, activity_definition, points);
CREATE INDEX idx_contributor_aggregate_contributor ON contributor_aggregate(contributor);
CREATE UNIQUE INDEX idx_contributor_badge_unique ON contributor_badge(badge, contributor, variant);
CREATE INDEX idx_contributor_badge_contributor ON contributor_badge(contributor);
CREATE INDEX idx_contributor_badge_achieved_on
  ON contributor_badge(achieved_on, badge, contributor, variant);
"""

PUBLIC_TABLES: tuple[str, ...] = (
    "contributor",
    "activity_definition",
    "activity",
    "global_aggregate",
    "contributor_aggregate_definition",
    "contributor_aggregate",
    "badge_definition",
    "contributor_badge",
)

STANDARD_GLOBAL_SLUGS = frozenset(GLOBAL_SLUGS)


# -- visibility (NEW-04) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """Who is published how: `hidden` holds ASCII-lower-cased usernames, `pseudonyms` maps a
    username (as stored) to its pseudonym."""

    hidden: frozenset[str]
    pseudonyms: dict[str, str]

    def is_hidden(self, username: str) -> bool:
        return _fold(username) in self.hidden

    def public_name(self, username: str) -> str:
        return self.pseudonyms.get(username, username)


def _fold(text: str) -> str:
    """SQLite NOCASE folding: ASCII letters only."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def effective_visibility(stated: str | None, config: Config) -> str:
    """`public`, `pseudonymous` or `hidden`: the front matter's value, else the configured default."""
    value = stated or config.leaderboard.privacy.default_visibility or "public"
    return value if value in ("public", "pseudonymous", "hidden") else "public"


def derived_pseudonym(username: str, salt: str, digits: int = 8) -> str:
    """`contributor-<hex>` from sha256("<salt>:<ascii-lower username>") (NEW-04)."""
    digest = hashlib.sha256(f"{salt}:{_fold(username)}".encode()).hexdigest()
    return f"contributor-{digest[:digits]}"


def privacy_salt(config: Config) -> str:
    return config.leaderboard.privacy.salt or config.org.name


def assign_pseudonyms(
    contributors: Sequence[tuple[str, str | None, str | None]], *, salt: str, config: Config
) -> Visibility:
    """Compute the visibility plan from `(username, visibility, pseudonym)` rows.

    A derived pseudonym that would collide with a username, an explicit pseudonym or another
    derived pseudonym uses 12 hex digits instead of 8 (NEW-04). Explicit pseudonyms that collide
    are an input error (validation reports them with file and line; this is the last guard).
    """
    hidden: set[str] = set()
    pseudo_rows: list[tuple[str, str | None]] = []
    for username, visibility, pseudonym in contributors:
        kind = effective_visibility(visibility, config)
        if kind == "hidden":
            hidden.add(_fold(username))
        elif kind == "pseudonymous":
            pseudo_rows.append((username, pseudonym or None))
    taken = {_fold(u) for u, _, _ in contributors}
    explicit: dict[str, str] = {}
    for username, pseudonym in pseudo_rows:
        if pseudonym is None:
            continue
        key = _fold(pseudonym)
        if (key in taken and key != _fold(username)) or key in explicit:
            raise InvalidInputError(
                f"contributors/{username}.md: pseudonym '{pseudonym}' is already used by another "
                "contributor; choose a unique pseudonym (run leaderboard validate)"
            )
        explicit[key] = username
    reserved = taken | set(explicit)
    short = {u: derived_pseudonym(u, salt) for u, p in pseudo_rows if p is None}
    counts: dict[str, int] = {}
    for name in short.values():
        counts[_fold(name)] = counts.get(_fold(name), 0) + 1
    mapping: dict[str, str] = {}
    for username, pseudonym in pseudo_rows:
        if pseudonym is not None:
            mapping[username] = pseudonym
            continue
        name = short[username]
        if _fold(name) in reserved or counts[_fold(name)] > 1:
            name = derived_pseudonym(username, salt, 12)
        mapping[username] = name
    return Visibility(frozenset(hidden), mapping)


def plan_visibility(working: Database, config: Config) -> Visibility:
    rows = working.conn.execute(
        "SELECT username, visibility, pseudonym FROM contributor ORDER BY username"
    ).fetchall()
    return assign_pseudonyms(rows, salt=privacy_salt(config), config=config)


def published_people(working: Database, config: Config) -> list[tuple[str, str, str | None]]:
    """(username, display name, avatar URL) of every contributor as the public DB will list them
    (pseudonyms for pseudonymous people, hidden ones left out): lets the build start drawing
    avatars before the public DB exists."""
    plan = plan_visibility(working, config)
    out: list[tuple[str, str, str | None]] = []
    for username, name, avatar_url in working.conn.execute(
        "SELECT username, name, avatar_url FROM contributor ORDER BY username"
    ):
        if plan.is_hidden(username):
            continue
        pseudonym = plan.pseudonyms.get(username)
        if pseudonym is not None:
            out.append((pseudonym, pseudonym, None))
        else:
            out.append((username, name or username, avatar_url))
    return out


def is_bot(bot: int | None, role: str, config: Config) -> bool:
    """CORE-74: an explicit `bot` flag wins, else a bot role makes a bot."""
    if bot is not None:
        return bool(bot)
    return role in config.leaderboard.bots.roles


# -- building --------------------------------------------------------------------------------


def build_public_db(
    working: Database,
    target: Path,
    *,
    config: Config,
    now: datetime,
    site_url: str | None = None,
    durable: bool = True,
) -> Path:
    """Write the public DB for `working` to `target` (atomic; untouched when the bytes agree).

    `site_url` overrides `meta.site_url` for the `_leaderboard_public.site_url` key (the build's
    `--site-url`). Without `durable` (a build's own temporary copy, deleted when the build ends)
    SQLite neither syncs the file nor journals the VACUUM: same bytes, no waiting on the disk
    (the rollback journal of a VACUUM is a second copy of the whole file). Returns `target`.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute(f"PRAGMA threads = {sorter_threads()}")  # its indexes and VACUUM sort
            if not durable:
                conn.execute("PRAGMA synchronous = OFF")
            populate_public(conn, working, config=config, now=now, site_url=site_url)
            if not durable:
                conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("VACUUM")
        finally:
            conn.close()
        if target.exists() and _same_bytes(target, tmp):
            tmp.unlink()
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def public_db_in_memory(
    working: Database, *, config: Config, now: datetime, site_url: str | None = None
) -> Database:
    """The same transformation into an in-memory `Database` (the MCP server's public view)."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    populate_public(conn, working, config=config, now=now, site_url=site_url)
    conn.execute("PRAGMA query_only = 1")
    return Database(conn, ":memory:")


def populate_public(
    conn: sqlite3.Connection,
    working: Database,
    *,
    config: Config,
    now: datetime,
    site_url: str | None = None,
) -> None:
    """Create the public schema on the empty connection `conn` and fill it from `working`."""
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA foreign_keys = OFF")
    plan = plan_visibility(working, config)
    # ATTACH is not allowed inside a transaction, and one transaction keeps the header's
    # change counter (and so the file's bytes) what it always was
    uri = None if config.leaderboard.daily_caps else _attachable(working)
    if uri is not None:
        conn.execute("ATTACH DATABASE ? AS w", (uri,))
    conn.execute("BEGIN")
    for stmt in _statements(PUBLIC_SCHEMA):
        conn.execute(stmt)
    _copy_contributors(conn, working, plan, config)
    _copy_plain(
        conn, working, "activity_definition", ("slug", "name", "description", "points", "icon")
    )
    _copy_activities(conn, working, plan, config)
    _copy_plain(
        conn, working, "contributor_aggregate_definition", ("slug", "name", "description", "hidden")
    )
    _copy_contributor_aggregates(conn, working, plan)
    _copy_plain(conn, working, "badge_definition", ("slug", "name", "description", "variants"))
    _copy_badges(conn, working, plan)
    _write_global_aggregates(conn, working, config, now)
    _write_public_meta(conn, working, config, now, site_url, plan)
    for stmt in _statements(PUBLIC_INDEXES):
        conn.execute(stmt)
    conn.execute("COMMIT")
    if uri is not None:
        conn.execute("DETACH DATABASE w")


def _statements(script: str) -> list[str]:
    """Statements with whitespace squeezed: SQLite stores the CREATE text verbatim in the schema,
    and a schema that fits in page 1 saves the explorer several requests on every load."""
    out = []
    for stmt in script.split(";"):
        text = " ".join(stmt.split())
        for sep in (", ", " (", "( ", " )"):
            text = text.replace(sep, sep.strip())
        if text:
            out.append(text)
    return out


def _insert(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _copy_plain(
    conn: sqlite3.Connection, working: Database, table: str, columns: Sequence[str]
) -> None:
    rows = working.conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    rows.sort(key=lambda r: r[0])
    _insert(conn, table, columns, rows)


_CONTRIBUTOR_COLUMNS = (
    "username",
    "name",
    "role",
    "title",
    "avatar_url",
    "bio",
    "social_profiles",
    "joining_date",
    "meta",
    "is_bot",
)


def _copy_contributors(
    conn: sqlite3.Connection, working: Database, plan: Visibility, config: Config
) -> None:
    rows = []
    for row in working.conn.execute(
        "SELECT username, name, role, title, avatar_url, bio, social_profiles, joining_date, meta, bot "
        "FROM contributor"
    ):
        username, role, bot = row[0], row[2], row[9]
        if plan.is_hidden(username):
            continue
        flag = int(is_bot(bot, role, config))
        pseudonym = plan.pseudonyms.get(username)
        if pseudonym is not None:
            rows.append((pseudonym, pseudonym, role, None, None, None, None, None, None, flag))
        else:
            rows.append((*row[:9], flag))
    rows.sort(key=lambda r: _fold(r[0]))
    _insert(conn, "contributor", _CONTRIBUTOR_COLUMNS, rows)


_ACTIVITY_COLUMNS = (*ACTIVITY_FIELDS, "effective_points")


def _attachable(working: Database) -> str | None:
    """A read-only URI for ATTACHing the working DB file (None for in-memory DBs)."""
    path = getattr(working, "path", None)
    if not path or path == ":memory:" or not Path(path).is_file():
        return None
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def _attached(conn: sqlite3.Connection) -> bool:
    return any(row[1] == "w" for row in conn.execute("PRAGMA database_list"))


def _copy_activities_sql(conn: sqlite3.Connection, plan: Visibility) -> None:
    """The same rows as `_copy_activities` without a Python loop over public activities.

    Without daily caps a public activity is copied as is, with `COALESCE(points, definition
    points, 0)` as its effective points (`points.effective_points`). Hidden contributors
    (NOCASE, like `Visibility.is_hidden`) are left out, pseudonymous ones (exact username, like
    `Visibility.pseudonyms`) are rewritten in Python. Everything is staged and stored by
    `_store_staged`, like the row copy, so both give the same bytes.
    """
    # the working DB is attached as `w` by `populate_public`
    conn.execute("CREATE TEMP TABLE skip_hidden (u TEXT PRIMARY KEY COLLATE NOCASE)")
    conn.execute("CREATE TEMP TABLE skip_pseudo (u TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO skip_hidden VALUES (?)", [(u,) for u in plan.hidden])
    conn.executemany("INSERT INTO skip_pseudo VALUES (?)", [(u,) for u in sorted(plan.pseudonyms)])
    cols = ", ".join(_ACTIVITY_COLUMNS)
    _create_staged(conn)
    conn.execute(
        f"INSERT INTO staged ({cols}) "
        "SELECT a.slug, a.contributor, a.activity_definition, a.title, a.occurred_at, a.link, "
        "a.text, a.points, a.meta, COALESCE(a.points, d.points, 0) FROM w.activity a "
        "LEFT JOIN w.activity_definition d ON d.slug = a.activity_definition "
        "WHERE a.contributor COLLATE NOCASE NOT IN (SELECT u FROM skip_hidden) "
        "AND a.contributor COLLATE BINARY NOT IN (SELECT u FROM skip_pseudo)"
    )
    if plan.pseudonyms:
        names = {
            slug: name
            for slug, name in conn.execute("SELECT slug, name FROM w.activity_definition")
        }
        rows = []
        for slug, contributor, definition, occurred_at, points, effective in conn.execute(
            "SELECT a.slug, a.contributor, a.activity_definition, a.occurred_at, a.points, "
            "COALESCE(a.points, d.points, 0) FROM w.activity a "
            "LEFT JOIN w.activity_definition d ON d.slug = a.activity_definition "
            "WHERE a.contributor COLLATE BINARY IN (SELECT u FROM skip_pseudo) "
            "AND a.contributor COLLATE NOCASE NOT IN (SELECT u FROM skip_hidden)"
        ):
            pseudonym = plan.pseudonyms[contributor]
            new_slug = f"{pseudonym}-{hashlib.sha256(slug.encode()).hexdigest()[:12]}"
            name = names.get(definition, definition)
            rows.append(
                (new_slug, pseudonym, definition, name, occurred_at, None, None, points, None,
                 effective)
            )  # fmt: skip
        _insert(conn, "staged", _ACTIVITY_COLUMNS, rows)
    _store_staged(conn)
    for table in ("skip_hidden", "skip_pseudo"):
        conn.execute(f"DROP TABLE temp.{table}")


def _create_staged(conn: sqlite3.Connection) -> None:
    """`temp.staged`: public activities with the view's columns, before the integer keys."""
    conn.execute(
        "CREATE TEMP TABLE staged (slug TEXT, contributor TEXT, activity_definition TEXT, "
        "title TEXT, occurred_at TEXT, link TEXT, text TEXT, points INTEGER, meta TEXT, "
        "effective_points INTEGER)"
    )


def _store_staged(conn: sqlite3.Connection) -> None:
    """Move `temp.staged` into `_activity` in (occurred_at, slug) order, names replaced by the
    rowids of their `contributor` and `activity_definition` rows (both already filled)."""
    conn.execute(
        "INSERT INTO main._activity (slug, contributor, activity_definition, title, occurred_at, "
        "link, text, points, meta, effective_points) "
        "SELECT s.slug, c.rowid, d.rowid, s.title, s.occurred_at, s.link, s.text, s.points, "
        "s.meta, s.effective_points FROM staged s "
        "JOIN main.contributor c ON c.username = s.contributor "
        "JOIN main.activity_definition d ON d.slug = s.activity_definition "
        "ORDER BY s.occurred_at, s.slug"
    )
    conn.execute("DROP TABLE temp.staged")


def _copy_activities(
    conn: sqlite3.Connection, working: Database, plan: Visibility, config: Config
) -> None:
    if _attached(conn):
        _copy_activities_sql(conn, plan)
        return
    definitions = {
        slug: (name, points)
        for slug, name, points in working.conn.execute(
            "SELECT slug, name, points FROM activity_definition"
        )
    }
    source = [
        row
        for row in working.conn.execute(
            "SELECT slug, contributor, activity_definition, title, occurred_at, link, text, points, meta "
            "FROM activity"
        )
        if not plan.is_hidden(row[1])
    ]
    earned = {r[0]: effective_points(r[7], definitions.get(r[2], (r[2], None))[1]) for r in source}
    caps = config.leaderboard.daily_caps
    if caps:
        earned = apply_daily_caps(
            (
                {
                    "slug": r[0],
                    "contributor": r[1],
                    "activity_definition": r[2],
                    "occurred_at": r[4],
                    "points": earned[r[0]],
                }
                for r in source
            ),
            caps,
            config.tz,
        )
    rows = []
    for slug, contributor, definition, title, occurred_at, link, text, points, meta in source:
        pseudonym = plan.pseudonyms.get(contributor)
        if pseudonym is None:
            rows.append(
                (
                    slug,
                    contributor,
                    definition,
                    title,
                    occurred_at,
                    link,
                    text,
                    points,
                    meta,
                    earned[slug],
                )
            )
            continue
        new_slug = f"{pseudonym}-{hashlib.sha256(slug.encode()).hexdigest()[:12]}"
        name = definitions.get(definition, (definition, None))[0]
        rows.append(
            (
                new_slug,
                pseudonym,
                definition,
                name,
                occurred_at,
                None,
                None,
                points,
                None,
                earned[slug],
            )
        )
    _create_staged(conn)
    _insert(conn, "staged", _ACTIVITY_COLUMNS, rows)
    _store_staged(conn)


def _copy_contributor_aggregates(
    conn: sqlite3.Connection, working: Database, plan: Visibility
) -> None:
    rows = [
        (aggregate, plan.public_name(contributor), value, meta)
        for aggregate, contributor, value, meta in working.conn.execute(
            "SELECT aggregate, contributor, value, meta FROM contributor_aggregate"
        )
        if not plan.is_hidden(contributor)
    ]
    rows.sort(key=lambda r: (r[0], _fold(r[1])))
    _insert(conn, "contributor_aggregate", ("aggregate", "contributor", "value", "meta"), rows)


def _copy_badges(conn: sqlite3.Connection, working: Database, plan: Visibility) -> None:
    rows = []
    for slug, badge, contributor, variant, achieved_on, meta in working.conn.execute(
        "SELECT slug, badge, contributor, variant, achieved_on, meta FROM contributor_badge"
    ):
        if plan.is_hidden(contributor):
            continue
        pseudonym = plan.pseudonyms.get(contributor)
        if pseudonym is not None:
            slug, contributor = f"{badge}__{pseudonym}__{variant}", pseudonym
        rows.append((slug, badge, contributor, variant, achieved_on, meta))
    rows.sort(key=lambda r: r[0])
    _insert(
        conn,
        "contributor_badge",
        ("slug", "badge", "contributor", "variant", "achieved_on", "meta"),
        rows,
    )


def _number(value: int) -> str:
    return dumps_compact({"type": "number", "value": value, "format": "integer"})


def _write_global_aggregates(
    conn: sqlite3.Connection, working: Database, config: Config, now: datetime
) -> None:
    """Recompute CORE-59 over the public rows; copy plugin global aggregates unchanged.

    `calculated_at` follows CORE-62: a value equal to the working DB's keeps its timestamp, so an
    unchanged public DB stays byte-identical from one build to the next.
    """
    tz = config.tz
    stored = {
        slug: (value, meta)
        for slug, value, meta in working.conn.execute(
            "SELECT slug, value, meta FROM global_aggregate"
        )
    }
    start = minus_days(now, 30, tz)
    wanted: list[tuple[str, str, str, str, dict[str, Any]]] = []

    def scalar(sql: str, params: Sequence[Any] = ()) -> int:
        return int(conn.execute(sql, params).fetchone()[0])

    wanted.append(
        (
            "total_contributors",
            "Total Contributors",
            "Total number of contributors",
            _number(scalar("SELECT COUNT(*) FROM contributor")),
            {},
        )
    )
    wanted.append(
        (
            "total_activities",
            "Total Activities",
            "Total number of activities",
            _number(scalar("SELECT COUNT(*) FROM _activity")),
            {},
        )
    )
    # these read `_activity`'s integer keys (one key per name), not the view's joined names
    active = scalar(
        "SELECT COUNT(DISTINCT contributor) FROM _activity "
        "WHERE occurred_at >= ? AND occurred_at <= ?",
        (canonical(start), canonical(now)),
    )
    wanted.append(
        (
            "active_contributors_last_30d",
            "Active Contributors (Last 30 Days)",
            "Number of contributors with activity in the last 30 days",
            _number(active),
            {
                "period_start": date_text(local_date(start, tz)),
                "period_end": date_text(local_date(now, tz)),
            },
        )
    )
    counts = dict(
        conn.execute(
            "SELECT d.slug, n FROM (SELECT activity_definition AS k, COUNT(*) AS n FROM _activity "
            "GROUP BY activity_definition) JOIN activity_definition d ON d.rowid = k"
        )
    )
    for slug, name in conn.execute(
        "SELECT slug, name FROM activity_definition ORDER BY slug"
    ).fetchall():
        wanted.append(
            (
                f"activity_count:{slug}",
                f"{name} Count",
                f"Total number of {name} activities",
                _number(int(counts.get(slug, 0))),
                {"activity_definition": slug},
            )
        )
    rows: list[tuple[Any, ...]] = []
    for slug, name, description, value, extra_meta in wanted:
        calculated_at = canonical(now)
        previous = stored.get(slug)
        if previous is not None and previous[0] == value and previous[1]:
            try:
                old_meta = loads(previous[1])
            except ValueError:
                old_meta = None
            if isinstance(old_meta, dict) and "calculated_at" in old_meta:
                rest = {k: v for k, v in old_meta.items() if k != "calculated_at"}
                if rest == extra_meta:
                    calculated_at = str(old_meta["calculated_at"])
        if "activity_definition" in extra_meta:
            meta = {
                "activity_definition": extra_meta["activity_definition"],
                "calculated_at": calculated_at,
            }
        else:
            meta = {"calculated_at": calculated_at, **extra_meta}
        rows.append((slug, name, description, value, 0, dumps_compact(meta)))
    standard = {r[0] for r in rows}
    for row in working.conn.execute(
        "SELECT slug, name, description, value, hidden, meta FROM global_aggregate"
    ):
        if (
            row[0] in standard
            or row[0] in STANDARD_GLOBAL_SLUGS
            or row[0].startswith("activity_count:")
        ):
            continue
        rows.append(tuple(row))
    rows.sort(key=lambda r: r[0])
    _insert(
        conn, "global_aggregate", ("slug", "name", "description", "value", "hidden", "meta"), rows
    )


def _write_public_meta(
    conn: sqlite3.Connection,
    working: Database,
    config: Config,
    now: datetime,
    site_url: str | None,
    plan: Visibility,
) -> None:
    data_updated_at = None
    if working.table_exists("_leaderboard_meta"):
        data_updated_at = working.get_meta("data_updated_at")
    url = site_url if site_url is not None else config.meta.site_url
    items = {
        "bot_roles": dumps_compact(list(config.leaderboard.bots.roles)),
        "data_updated_at": data_updated_at,
        "generated_at": canonical(now),
        "hidden_roles": dumps_compact(list(config.leaderboard.hidden_roles)),
        "package_version": __version__,
        "pseudonyms": dumps_compact(sorted(plan.pseudonyms.values(), key=_fold)),
        "schema_version": str(SCHEMA_VERSION),
        "site_url": url.rstrip("/") if url else None,
        "timezone": config.leaderboard.timezone,
    }
    _insert(conn, "_leaderboard_public", ("key", "value"), sorted(items.items()))


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return _sha256(a) == _sha256(b)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def keyed_activities(db: Database) -> str:
    """A FROM-clause subquery of the activities with the documented columns plus `key`, an
    integer that finds the row again by one b-tree descent (the site reads the strings of the
    few activities a page shows by it).

    In a public DB `activity` is a view, which has no rowid (SQLite answers NULL, not an
    error), so the key is `_activity.id`; in a working DB it is the table's rowid. SQLite
    flattens either subquery into the outer query.
    """
    if db.table_exists("_activity"):
        return f"(SELECT a.id AS key, {_ACTIVITY_VIEW.removeprefix('SELECT ')})"
    return "(SELECT rowid AS key, * FROM activity)"


def public_meta(db: Database) -> dict[str, str | None]:
    """The `_leaderboard_public` keys of a public DB ({} for a working DB)."""
    if not db.table_exists("_leaderboard_public"):
        return {}
    return {str(k): v for k, v in db.conn.execute("SELECT key, value FROM _leaderboard_public")}


def is_public_db(db: Database) -> bool:
    return db.table_exists("_leaderboard_public")


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file (the explorer's cache-busting token is its first 16 digits)."""
    return _sha256(path)
