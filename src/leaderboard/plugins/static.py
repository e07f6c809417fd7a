"""Applying static definitions at the start of setup (CORE-10, CORE-25).

Order is precedence: config badge definitions first, then each plugin's lists in config order, so
the last writer wins for badges and aggregate definitions; activity definitions are only inserted
(the data repo's copy wins, so edited points survive).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from leaderboard import jsonfmt
from leaderboard.config.model import Config
from leaderboard.db import Database
from leaderboard.models import as_dict

_DEF_KEYS = ("slug", "name", "description", "points", "icon")
_AGG_KEYS = ("slug", "name", "description", "hidden")
_BADGE_KEYS = ("slug", "name", "description", "variants")


def _plain(item: Any) -> dict[str, Any]:
    return dict(item) if isinstance(item, dict) else as_dict(item)


def _extra(data: dict[str, Any], known: tuple[str, ...]) -> str | None:
    extra = dict(data.get("extra") or {})
    extra.update({k: v for k, v in data.items() if k not in known and k != "extra"})
    return jsonfmt.dumps_compact(extra) if extra else None


def insert_activity_definition(db: Database, item: Any) -> bool:
    d = _plain(item)
    cur = db.execute(
        "INSERT OR IGNORE INTO activity_definition(slug, name, description, points, icon, extra) "
        "VALUES(?,?,?,?,?,?)",
        (
            d["slug"],
            d["name"],
            d["description"],
            d.get("points"),
            d.get("icon"),
            _extra(d, _DEF_KEYS),
        ),
    )
    return cur.rowcount > 0


def upsert_aggregate_definition(db: Database, item: Any) -> None:
    d = _plain(item)
    db.execute(
        "INSERT INTO contributor_aggregate_definition(slug, name, description, hidden, extra) "
        "VALUES(?,?,?,?,?) ON CONFLICT(slug) DO UPDATE SET name=excluded.name, "
        "description=excluded.description, hidden=excluded.hidden, extra=excluded.extra "
        "WHERE name IS NOT excluded.name OR description IS NOT excluded.description "
        "OR hidden IS NOT excluded.hidden OR extra IS NOT excluded.extra",
        (
            d["slug"],
            d["name"],
            d.get("description"),
            int(bool(d.get("hidden"))),
            _extra(d, _AGG_KEYS),
        ),
    )


def upsert_badge_definition(db: Database, item: Any) -> None:
    d = _plain(item)
    db.execute(
        "INSERT INTO badge_definition(slug, name, description, variants, extra) VALUES(?,?,?,?,?) "
        "ON CONFLICT(slug) DO UPDATE SET name=excluded.name, description=excluded.description, "
        "variants=excluded.variants, extra=excluded.extra "
        "WHERE name IS NOT excluded.name OR description IS NOT excluded.description "
        "OR variants IS NOT excluded.variants OR extra IS NOT excluded.extra",
        (
            d["slug"],
            d["name"],
            d["description"],
            jsonfmt.dumps_compact(d["variants"]),
            _extra(d, _BADGE_KEYS),
        ),
    )


def apply_plugin_definitions(db: Database, plugin: Any) -> None:
    """One plugin's static lists: activity definitions insert-or-ignore, the others upsert."""
    for item in getattr(plugin, "activity_definitions", None) or []:
        insert_activity_definition(db, item)
    for item in getattr(plugin, "aggregate_definitions", None) or []:
        upsert_aggregate_definition(db, item)
    for item in getattr(plugin, "badge_definitions", None) or []:
        upsert_badge_definition(db, item)


def upsert_static_definitions(db: Database, config: Config, loaded: Iterable[Any]) -> None:
    """Config badge definitions, then every loaded plugin's static lists, in config order."""
    for defn in config.leaderboard.badge_definitions:
        upsert_badge_definition(db, defn)
    for item in loaded:
        plugin = getattr(item, "plugin", None)
        if plugin is not None:
            apply_plugin_definitions(db, plugin)
