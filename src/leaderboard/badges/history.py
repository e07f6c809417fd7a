"""Each contributor's activity history as rules see it (CORE-67…CORE-72).

Built once per evaluation pass from the sorted activity snapshot (activities after now are
left out, CORE-12), so every rule is a pure function over one contributor's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any, NamedTuple

from leaderboard.aggregates.localdays import LocalDays
from leaderboard.aggregates.snapshot import ActivityRow


class Item(NamedTuple):
    """One activity of a history: canonical instant, slug, definition, effective points, tz date."""

    occurred_at: str
    slug: str
    definition: str
    points: int
    date: date


@dataclass(slots=True)
class History:
    """A contributor's activities in (occurred_at, slug) order, none after now."""

    username: str
    items: list[Item] = field(default_factory=list)


@dataclass(slots=True)
class Subject:
    """Everything a rule may read about one contributor at evaluation time."""

    contributor: dict[str, Any]
    aggregates: Mapping[str, Any]  # aggregate slug → parsed value object
    history: History
    activities: list[dict[str, Any]] | None = None  # full rows, newest first (custom rules only)

    @property
    def username(self) -> str:
        return str(self.contributor["username"])


def build_histories(rows: Iterable[ActivityRow], tz: tzinfo) -> dict[str, History]:
    """Group sorted snapshot rows into histories (one pass), with their dates in tz."""
    rows = list(rows)
    stamps = [r.occurred_at for r in rows]
    days = LocalDays(tz, (min(stamps), max(stamps)) if stamps else ())
    out: dict[str, History] = {}
    current: History | None = None
    for r in rows:
        if current is None or current.username != r.contributor:
            current = out.setdefault(r.contributor, History(r.contributor))
        current.items.append(
            Item(r.occurred_at, r.slug, r.definition, r.points, days.date_of(r.occurred_at))
        )
    return out
