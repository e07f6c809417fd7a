"""The database the MCP server serves, and what it knows about the organisation (ECO-02).

- Public view (default): the NEW-05 transformation of the working DB, written to a file in a
  private temporary directory (mode 0700, removed at exit) and rebuilt when the source file's
  modification time changes (checked at most every 10 s). A file rather than memory (ECO-02 says
  "in-memory copy"): per-request connections can then read it concurrently without a shared
  cache, and a large organisation's copy stays in the page cache instead of the server's RSS.
  Nothing is written next to the source.
- A DB that is already public is served as is; `--include-private` serves the working DB.
- A missing DB with a known data dir: its files are imported into a temporary working DB first.

Every request opens its own read-only connection (`mode=ro`, `PRAGMA query_only = 1`).
"""

from __future__ import annotations

import atexit
import logging
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from leaderboard.db import Database
from leaderboard.errors import InvalidInputError
from leaderboard.jsonfmt import loads
from leaderboard.mcp.envelope import ToolError
from leaderboard.publicdb import build_public_db, is_public_db, public_meta
from leaderboard.timeutil import get_zone

if TYPE_CHECKING:
    from leaderboard.config.model import Config, RoleConfig

log = logging.getLogger("leaderboard")
REFRESH_SECONDS = 10.0
# Covering indexes for the server's private copy only (the published public DB is untouched):
# window sums read the narrow index instead of the wide activity rows, one contributor's newest
# activities and dates are an index range, and `get_activity` finds a slug without a scan (the
# published file has no slug index, CORE-80). They index `_activity`, the table behind the
# public DB's `activity` view, whose contributor and definition are integer keys the view
# resolves by rowid.
SERVING_INDEXES = (
    "CREATE INDEX IF NOT EXISTS mcp_activity_window ON _activity"
    "(occurred_at, contributor, activity_definition, effective_points, slug)",
    "CREATE INDEX IF NOT EXISTS mcp_activity_person ON _activity"
    "(contributor, occurred_at, activity_definition, effective_points, slug)",
    "CREATE INDEX IF NOT EXISTS mcp_activity_slug ON _activity(slug)",
)


@dataclass(frozen=True)
class Organisation:
    """Facts about the organisation the tools and instructions need."""

    name: str
    timezone: str
    hidden_roles: tuple[str, ...] = ()
    roles: Mapping[str, RoleConfig] = field(default_factory=dict)
    site_url: str | None = None
    config: Config | None = None

    @property
    def tz(self) -> ZoneInfo:
        return get_zone(self.timezone)


def organisation_of(config: Config | None, db: Database) -> Organisation:
    """From the config when known; else from a public DB's recorded keys; else defaults."""
    if config is not None:
        return Organisation(
            name=config.org.name,
            timezone=config.leaderboard.timezone,
            hidden_roles=tuple(config.leaderboard.hidden_roles),
            roles=dict(config.leaderboard.roles),
            site_url=config.meta.site_url,
            config=config,
        )
    meta = public_meta(db) if is_public_db(db) else {}
    hidden_text = meta.get("hidden_roles")
    hidden = loads(hidden_text) if hidden_text else []
    return Organisation(
        name="the organisation",
        timezone=meta.get("timezone") or "UTC",
        hidden_roles=tuple(str(r) for r in hidden),
        site_url=meta.get("site_url"),
    )


def open_readonly(path: Path) -> Database:
    """A read-only connection (URI `mode=ro` plus `query_only`), checked to be a SQLite DB."""
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
        check_same_thread=False,
    )  # fmt: skip
    try:
        conn.execute("PRAGMA query_only = 1")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return Database(conn, str(path))


class ServedDatabase:
    """The file every request reads, kept in step with its source."""

    def __init__(
        self,
        source: Path,
        *,
        public_view: bool,
        config: Config | None,
        now: datetime | None,
        workdir: Path | None = None,
    ) -> None:
        self.source = source
        self.public_view = public_view
        self.config = config
        self.fixed_now = now
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="leaderboard-mcp-"))
        atexit.register(self.close)  # also on SystemExit from a signal handler
        self.generation = 0
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._mtime: float | None = None
        self.path = source
        check = check_source(source)
        if public_view:
            self._rebuild(check)
        else:
            self._mtime = check
        self.organisation = self._organisation()

    # -- building -------------------------------------------------------------------------------

    def _organisation(self) -> Organisation:
        db = open_readonly(self.path)
        try:
            return organisation_of(self.config, db)
        finally:
            db.close()

    def _rebuild(self, mtime: float) -> None:
        """Write generation n+1 of the public view and switch to it."""
        working = open_readonly(self.source)
        try:
            target = self.workdir / f"public-{self.generation + 1}.db"
            build_public_db(
                working, target, config=self._config(), now=self.fixed_now or datetime.now(UTC)
            )
        finally:
            working.close()
        conn = sqlite3.connect(target, isolation_level=None)
        try:
            for statement in SERVING_INDEXES:
                conn.execute(statement)
            conn.execute("ANALYZE")
        finally:
            conn.close()
        old = self.path if self.path != self.source else None
        self.path = target
        self.generation += 1
        self._mtime = mtime
        if old is not None:
            old.unlink(missing_ok=True)  # open connections keep reading the unlinked file

    def _config(self) -> Config:
        if self.config is None:
            raise InvalidInputError(
                "A private working DB needs its data dir's config.yaml to build the public view "
                "(pass --data-dir, or --include-private to serve it unfiltered)"
            )
        return self.config

    def refresh_due(self) -> bool:
        return time.monotonic() - self._checked >= REFRESH_SECONDS

    def refresh(self, *, force: bool = False) -> None:
        """Follow the source (checked at most every 10 s): rebuild the public view when it
        changed; when it is served directly, start a new generation (so cached answers go)."""
        clock = time.monotonic()
        if not force and clock - self._checked < REFRESH_SECONDS:
            return
        with self._lock:
            if not force and clock - self._checked < REFRESH_SECONDS:
                return
            self._checked = clock
            if not self.public_view:
                self._follow_direct()
                return
            try:
                mtime = check_source(self.source)
            except InvalidInputError as exc:
                log.warning("%s; still serving the last good copy", exc)
                return
            if mtime == self._mtime:
                return
            try:
                self._rebuild(mtime)
                log.info("Source DB changed: public view rebuilt (generation %d)", self.generation)
            except (sqlite3.DatabaseError, InvalidInputError, OSError) as exc:
                log.warning(
                    "Could not rebuild the public view (%s); serving the last good copy", exc
                )

    def _follow_direct(self) -> None:
        try:
            mtime: float | None = self.source.stat().st_mtime
        except OSError:
            mtime = None
        if mtime != self._mtime:
            self._mtime = mtime
            self.generation += 1

    # -- per request --------------------------------------------------------------------------

    def connect(self) -> Database:
        """A fresh read-only connection for one request (the caller closes it)."""
        self.refresh()
        try:
            return open_readonly(self.path)
        except sqlite3.DatabaseError as exc:
            raise ToolError(f"Database unavailable: {self.path.name}: {exc}") from None

    def now(self) -> datetime:
        """`--now` when given, else the clock at each call (ECO-02)."""
        return self.fixed_now or datetime.now(UTC)

    def close(self) -> None:
        if self.workdir.name.startswith("leaderboard-mcp-"):
            shutil.rmtree(self.workdir, ignore_errors=True)


def check_source(path: Path) -> float:
    """The source's modification time; exit-3 errors for a missing or non-SQLite file."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise InvalidInputError(f"Database not found: {path}") from None
    try:
        db = open_readonly(path)
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(f"Not a readable SQLite database: {path} ({exc})") from None
    try:
        if not db.table_exists("contributor") or not db.table_exists("activity"):
            raise InvalidInputError(f"Not a leaderboard database (no contributor table): {path}")
    finally:
        db.close()
    return mtime


def is_public_file(path: Path) -> bool:
    db = open_readonly(path)
    try:
        return is_public_db(db)
    finally:
        db.close()


def describe(served: ServedDatabase) -> dict[str, Any]:
    """What the start-up log line says about the served view."""
    return {
        "db": str(served.source),
        "view": "public" if served.public_view else "as is",
        "generation": served.generation,
    }
