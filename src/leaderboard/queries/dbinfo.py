"""What kind of database a query runs on, and the scoring settings stored in it (NEW-05, NEW-25).

The query layer serves the working DB and the public DB. The public DB is recognised by its
`_leaderboard_public` table; it has `is_bot` instead of `visibility`/`bot`, no `extra` columns, and an
`activity.effective_points` column with caps already applied. The working DB keeps the run's
time zone, daily caps and population rules in `_leaderboard_meta` (written by the runner through
`store_config`), so a plugin calling `ctx.queries` gets the same numbers as the site without
passing settings around.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, tzinfo

from leaderboard.config.model import Config
from leaderboard.db import Database
from leaderboard.errors import LeaderboardError
from leaderboard.points import check_daily_caps
from leaderboard.population import PUBLIC_TABLE, Population
from leaderboard.timeutil import get_zone

TIMEZONE_KEY = "timezone"
CAPS_KEY = "daily_caps"


def is_public(db: Database) -> bool:
    """True for a public (privacy-filtered) DB."""
    return db.table_exists(PUBLIC_TABLE)


def public_value(db: Database, key: str) -> str | None:
    value = db.scalar(f"SELECT value FROM {PUBLIC_TABLE} WHERE key = ?", (key,))
    return None if value is None else str(value)


def timezone(db: Database, tz: tzinfo | None = None) -> tzinfo:
    """`tz` when given; else the zone recorded in the DB; else UTC."""
    if tz is not None:
        return tz
    if is_public(db):
        name = public_value(db, TIMEZONE_KEY)
    elif db.table_exists("_leaderboard_meta"):
        name = db.get_meta(TIMEZONE_KEY)
    else:
        name = None
    return get_zone(name) if name else UTC


def daily_caps(db: Database, caps: Mapping[str, int] | None = None) -> dict[str, int]:
    """Caps to apply on the working DB: `caps` when given, else those stored by the runner."""
    if caps is not None:
        return dict(caps)
    if is_public(db) or not db.table_exists("_leaderboard_meta"):
        return {}
    text = db.get_meta(CAPS_KEY)
    return check_daily_caps(json.loads(text)) if text else {}


def store_scoring(db: Database, *, timezone: str, caps: Mapping[str, int] | None = None) -> None:
    """Record the run's time zone and daily caps in the working DB (call once per run)."""
    db.set_meta(TIMEZONE_KEY, timezone)
    db.set_meta(CAPS_KEY, json.dumps(check_daily_caps(caps or {}), sort_keys=True))


def store_config(db: Database, config: Config) -> None:
    """Record the time zone, daily caps and population rules of `config` in the working DB.

    Afterwards `timezone(db)`, `daily_caps(db)` and `Population.from_db(db)` answer like the
    config, so plugins using `ctx.queries` get the site's numbers without passing settings.
    """
    lb = config.leaderboard
    store_scoring(db, timezone=lb.timezone, caps=lb.daily_caps)
    for key, value in Population.from_config(config).rules().items():
        db.set_meta(key, value)


def require_working(db: Database, what: str) -> None:
    """Writes go to the working DB only; the public DB is a published artefact."""
    if is_public(db):
        raise LeaderboardError(
            f"cannot {what}: this is the public database (read-only)",
            hint="write to the working DB (.leaderboard.db) and rebuild the site",
        )
