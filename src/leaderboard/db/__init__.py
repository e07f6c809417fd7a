"""The working database: schema, migrations and the connection handle (CORE-30…CORE-37)."""

from leaderboard.db.database import Database
from leaderboard.db.migrations import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Database"]
