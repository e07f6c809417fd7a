"""`queries.standing`: one contributor's position among a whole population (ECO-18).

Unlike a leaderboard (CORE-76), which lists only contributors active in the window, a standing
ranks every member of the population, those without activity at 0 points, in the CORE-76 order
(points descending, then username) — "where do I stand among all of us?".
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import contributors, leaderboards
from leaderboard.queries.ranking import ranks
from leaderboard.queries.scored import Instant


def standing(
    db: Database, username: str, start: Instant, end: Instant, population: Population, *,
    now: Instant = None, tz: tzinfo | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """`{username, rank, points, of}` for a member of `population`; None for a non-member.

    `username` must be the stored spelling.
    """
    members = contributors.usernames(db, population)
    if username not in members:
        return None
    totals = leaderboards.window_totals(db, start, end, population, now=now, tz=tz)
    points = {u: totals.get(u, (0, 0))[0] for u in members}
    return {
        "username": username,
        "rank": ranks(points)[username],
        "points": points[username],
        "of": len(members),
    }
