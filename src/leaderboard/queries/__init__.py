"""The shared query layer (CORE-30, CORE-74…CORE-77): one module per table namespace.

Plugins reach it as `ctx.queries` (this module object), e.g.
`ctx.queries.contributors.get(ctx.db, "alice")`; the site builder, JSON API and MCP server use the
same functions, so numbers agree everywhere. Every function takes the `Database` first and works on
the working DB and on the public DB (NEW-05); writes are refused on the public DB.
"""

from __future__ import annotations

from leaderboard.queries import (
    activities,
    activity_definitions,
    activity_lists,
    aggregate_definitions,
    badge_definitions,
    contributor_aggregates,
    contributor_badges,
    contributors,
    global_aggregates,
    leaderboards,
    standing,
)
from leaderboard.queries.dbinfo import is_public, store_config, store_scoring
from leaderboard.queries.types import DaySeries, Leaderboard, LeaderboardEntry

__all__ = [
    "DaySeries",
    "Leaderboard",
    "LeaderboardEntry",
    "activities",
    "activity_definitions",
    "activity_lists",
    "aggregate_definitions",
    "badge_definitions",
    "contributor_aggregates",
    "contributor_badges",
    "contributors",
    "global_aggregates",
    "is_public",
    "leaderboards",
    "standing",
    "store_config",
    "store_scoring",
]
