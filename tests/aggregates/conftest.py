"""Fresh in-memory databases for aggregation tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aggworld import AggWorld

from leaderboard.db import Database


@pytest.fixture
def world() -> Iterator[AggWorld]:
    db = Database.memory()
    try:
        yield AggWorld(db)
    finally:
        db.close()
