"""What a rule reads about one contributor (CORE-67…CORE-72).

The activity history is the contributor's `Timeline` from the shared activity snapshot, cut at
now (activities after now are left out, CORE-12), so every rule is a pure function over one
contributor's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leaderboard.aggregates.snapshot import Timeline


def empty_timeline(username: str) -> Timeline:
    """The history of a contributor without activities."""
    return Timeline(username, (), (), (), ())


@dataclass(slots=True)
class Subject:
    """Everything a rule may read about one contributor at evaluation time."""

    contributor: dict[str, Any]  # the full row only when a custom rule runs; else the username
    aggregates: Mapping[str, Any]  # aggregate slug → parsed value object
    history: Timeline
    activities: list[dict[str, Any]] | None = None  # full rows, newest first (custom rules only)

    @property
    def username(self) -> str:
        return str(self.contributor["username"])
