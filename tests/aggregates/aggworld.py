"""Builder of small in-memory working DBs for aggregation tests."""

from __future__ import annotations

from leaderboard.db import Database


class AggWorld:
    """Builder for a working DB with contributors, definitions and activities."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._n = 0

    def contributor(self, username: str, role: str = "contributor") -> AggWorld:
        self.db.execute("INSERT INTO contributor(username, role) VALUES(?, ?)", (username, role))
        return self

    def definition(self, slug: str, name: str, points: int | None = None) -> AggWorld:
        self.db.execute(
            "INSERT INTO activity_definition(slug, name, description, points) VALUES(?, ?, '', ?)",
            (slug, name, points),
        )
        return self

    def activity(
        self,
        who: str,
        definition: str,
        at: str,
        points: int | None = None,
        slug: str | None = None,
    ) -> AggWorld:
        self._n += 1
        self.db.execute(
            "INSERT INTO activity(slug, contributor, activity_definition, occurred_at, points) "
            "VALUES(?, ?, ?, ?, ?)",
            (slug or f"act-{self._n:04d}", who, definition, at, points),
        )
        return self

    def global_row(self, slug: str) -> dict[str, str] | None:
        return self.db.query_one("SELECT value, meta FROM global_aggregate WHERE slug = ?", (slug,))

    def contributor_row(self, who: str, slug: str) -> dict[str, str] | None:
        return self.db.query_one(
            "SELECT value, meta FROM contributor_aggregate WHERE contributor = ? AND aggregate = ?",
            (who, slug),
        )
