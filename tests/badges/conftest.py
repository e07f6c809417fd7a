"""Fresh in-memory databases for badge tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from badgeworld import BadgeWorld

from leaderboard.db import Database


@pytest.fixture
def world() -> Iterator[BadgeWorld]:
    db = Database.memory()
    try:
        yield BadgeWorld(db)
    finally:
        db.close()
