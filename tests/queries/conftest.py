"""Fixtures: an empty working DB and an empty public-shaped DB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from querydb import PUBLIC_INDEXES, PUBLIC_SCHEMA

from leaderboard.db import Database


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database.memory()
    yield database
    database.close()


@pytest.fixture
def public_db() -> Iterator[Database]:
    """An empty DB shaped like the public DB of NEW-05 (not migrated: it is not a working DB)."""
    database = Database.open(":memory:", migrate_schema=False)
    database.conn.executescript(PUBLIC_SCHEMA + PUBLIC_INDEXES)  # the real schema and its view
    yield database
    database.close()
