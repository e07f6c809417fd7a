"""Pure ranking rules (CORE-76): order, ranks and rank changes. No database access here."""

from __future__ import annotations

from collections.abc import Mapping

from leaderboard.queries.rows import username_key


def order(points: Mapping[str, int]) -> list[str]:
    """Usernames by points descending, then username (ASCII-case-insensitive, then bytes)."""
    return sorted(points, key=lambda u: (-points[u], *username_key(u)))


def ranks(points: Mapping[str, int]) -> dict[str, int]:
    """1-based positions in `order` (no shared ranks)."""
    return {u: i for i, u in enumerate(order(points), start=1)}


def rank_change(
    rank: int, previous_rank: int | None, has_earlier_activity: bool
) -> tuple[str, int | None]:
    """(`up`|`down`|`same`|`new`|`back`, rank_delta) for one entry."""
    if previous_rank is None:
        return ("back" if has_earlier_activity else "new", None)
    delta = previous_rank - rank
    if delta > 0:
        return ("up", delta)
    if delta < 0:
        return ("down", delta)
    return ("same", 0)
