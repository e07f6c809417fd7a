"""pytest fixtures for plugin tests (CORE-83), registered through the `pytest11` entry point."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaderboard.db import Database
from leaderboard.plugins.context import PluginContext
from leaderboard.testing import make_context, memory_db


@pytest.fixture
def lb_db() -> Iterator[Database]:
    """A fresh migrated in-memory database, closed after the test."""
    db = memory_db()
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def lb_context(lb_db: Database, tmp_path: Path) -> PluginContext:
    """A `PluginContext` on `lb_db` with a fixed now, a temporary data dir and no network."""
    return make_context(db=lb_db, data_dir=tmp_path)
