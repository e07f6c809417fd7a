"""An in-memory snapshot of the public DB (NEW-05) that every page context is computed from.

The site reads the public DB once, in a handful of ordered bulk queries, and then computes pages
from plain Python objects; the activities are held as integer columns (`ActivityLog`), whose
strings are read back by row key only for the activities a page lists, so 1.3 million activities
cost tens of megabytes (CORE-80) and the build stays linear (no per-contributor scans).
Population rules (CORE-74) are attributes of `Person`.

The public DB has `contributor.is_bot` and `activity.effective_points`; when a plain working-schema
DB is given instead (tests, or before the public DB exists) the same values are derived here with
the CORE-58 and CORE-74 rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from leaderboard.config.model import Config
from leaderboard.db.database import Database
from leaderboard.site.activitylog import Act, ActivityLog
from leaderboard.timeutil import canonical as _canonical

__all__ = [
    "Act",
    "ActivityLog",
    "Aggregate",
    "Award",
    "BadgeDef",
    "Definition",
    "Person",
    "Snapshot",
    "load_snapshot",
]


@dataclass(slots=True)
class Person:
    """A listed contributor as the site sees it."""

    username: str
    name: str | None
    role: str
    title: str | None
    avatar_url: str | None
    bio: str | None
    social_profiles: dict[str, Any]
    joining_date: str | None
    is_bot: bool
    hidden_role: bool
    pseudonymous: bool

    @property
    def display_name(self) -> str:
        """WEB-05: `name` when non-empty, else the username (the pseudonym when pseudonymous)."""
        return self.name if self.name and self.name.strip() else self.username

    @property
    def ranked(self) -> bool:
        return not self.hidden_role and not self.is_bot


@dataclass(slots=True)
class Definition:
    slug: str
    name: str
    description: str
    points: int | None
    icon: str | None


@dataclass(slots=True)
class BadgeDef:
    slug: str
    name: str
    description: str
    variants: list[tuple[str, dict[str, Any]]]  # CORE-66 order


@dataclass(slots=True)
class Award:
    slug: str
    badge: str
    contributor: str
    variant: str
    achieved_on: str


@dataclass(slots=True)
class Aggregate:
    slug: str
    name: str
    description: str | None
    value: Any
    hidden: bool


@dataclass
class Snapshot:
    """Everything the site shows, loaded from one DB."""

    tz: tzinfo
    now: datetime
    people: dict[str, Person]  # by username, sorted
    definitions: dict[str, Definition]  # by slug, sorted
    log: ActivityLog  # the activities at or before now, as columns
    badges: dict[str, BadgeDef]  # by slug
    awards: list[Award]  # achieved_on desc, then slug
    global_aggregates: dict[str, Aggregate]
    aggregate_defs: dict[str, Aggregate]  # contributor aggregate definitions (value unused)
    contributor_aggregates: dict[str, dict[str, Any]]  # contributor → shown slug → value
    meta: dict[str, str]  # _leaderboard_public / _leaderboard_meta keys

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


def _json(value: Any) -> Any:
    if value is None or not isinstance(value, str | bytes):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _columns(db: Database, table: str) -> set[str]:
    return {row["name"] for row in db.query(f"PRAGMA table_info({table})")}


def _variants(variants: Any) -> list[tuple[str, dict[str, Any]]]:
    """CORE-66 order, from the one shared implementation."""
    from leaderboard.badges.variants import ordered_variants

    return ordered_variants(variants) if isinstance(variants, dict) else []


def _meta(db: Database) -> dict[str, str]:
    meta: dict[str, str] = {}
    for table in ("_leaderboard_meta", "_leaderboard_public"):
        if db.table_exists(table):
            for row in db.query(f"SELECT key, value FROM {table} ORDER BY key"):
                if row["value"] is not None:
                    meta[row["key"]] = str(row["value"])
    return meta


def load_snapshot(
    db: Database, config: Config, now: datetime, *, pseudonyms: set[str] | None = None
) -> Snapshot:
    """Read the whole public DB into a `Snapshot` (ordered, deterministic).

    `pseudonyms` names the published usernames that are pseudonyms (the public DB itself does
    not say so); their profiles are `noindex` and left out of the sitemap (NEW-04)."""
    tz = config.tz
    meta = _meta(db)
    hidden_roles = set(config.leaderboard.hidden_roles)
    bot_roles = set(config.leaderboard.bots.roles)
    pseudonymous = set(pseudonyms or ())
    cols = _columns(db, "contributor")
    people: dict[str, Person] = {}
    for row in db.query("SELECT * FROM contributor ORDER BY username"):
        if row.get("visibility") == "hidden":
            continue  # a working-schema DB: hidden contributors are never published (NEW-04)
        if "is_bot" in cols:
            is_bot = bool(row["is_bot"])
        else:
            bot = row.get("bot")
            is_bot = bool(bot) if bot is not None else row["role"] in bot_roles
        socials = _json(row.get("social_profiles"))
        people[row["username"]] = Person(
            username=row["username"],
            name=row.get("name"),
            role=row["role"],
            title=row.get("title"),
            avatar_url=row.get("avatar_url"),
            bio=row.get("bio"),
            social_profiles=socials if isinstance(socials, dict) else {},
            joining_date=row.get("joining_date"),
            is_bot=is_bot,
            hidden_role=row["role"] in hidden_roles,
            pseudonymous=row["username"] in pseudonymous or row.get("visibility") == "pseudonymous",
        )
    definitions = {
        r["slug"]: Definition(r["slug"], r["name"], r["description"], r["points"], r["icon"])
        for r in db.query(
            "SELECT slug, name, description, points, icon FROM activity_definition ORDER BY slug"
        )
    }
    points_sql = (
        "a.effective_points"
        if "effective_points" in _columns(db, "activity")
        else "COALESCE(a.points, d.points, 0)"
    )
    log = ActivityLog.load(db, list(people), list(definitions), points_sql, _canonical(now), tz)
    badges = {
        r["slug"]: BadgeDef(r["slug"], r["name"], r["description"], _variants(_json(r["variants"])))
        for r in db.query(
            "SELECT slug, name, description, variants FROM badge_definition ORDER BY slug"
        )
    }
    awards = [
        Award(r["slug"], r["badge"], r["contributor"], r["variant"], r["achieved_on"])
        for r in db.query(
            "SELECT slug, badge, contributor, variant, achieved_on FROM contributor_badge "
            "ORDER BY achieved_on DESC, slug"
        )
        if r["contributor"] in people
    ]
    global_aggregates = {
        r["slug"]: Aggregate(
            r["slug"], r["name"], r["description"], _json(r["value"]), bool(r["hidden"])
        )
        for r in db.query(
            "SELECT slug, name, description, value, hidden FROM global_aggregate ORDER BY slug"
        )
    }
    aggregate_defs = {
        r["slug"]: Aggregate(r["slug"], r["name"], r["description"], None, bool(r["hidden"]))
        for r in db.query(
            "SELECT slug, name, description, hidden FROM contributor_aggregate_definition ORDER BY slug"
        )
    }
    # only the aggregates a profile shows (`leaderboard.contributor_aggregates`): all of them
    # are a million parsed JSON values at 15,000 contributors (CORE-80)
    shown = json.dumps(sorted(set(config.leaderboard.contributor_aggregates)))
    contributor_aggregates: dict[str, dict[str, Any]] = {}
    for aggregate, contributor, value in db.execute(
        "SELECT aggregate, contributor, value FROM contributor_aggregate "
        "WHERE aggregate IN (SELECT value FROM json_each(?)) ORDER BY contributor, aggregate",
        (shown,),
    ):
        if contributor in people:
            contributor_aggregates.setdefault(contributor, {})[aggregate] = _json(value)
    return Snapshot(
        tz=tz,
        now=now,
        people=people,
        definitions=definitions,
        log=log,
        badges=badges,
        awards=awards,
        global_aggregates=global_aggregates,
        aggregate_defs=aggregate_defs,
        contributor_aggregates=contributor_aggregates,
        meta=meta,
    )
