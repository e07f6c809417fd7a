"""Builder of small working DBs for badge tests: contributors, activities, badges, then evaluate."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from leaderboard.aggregates import run_standard_aggregation
from leaderboard.badges.evaluate import EvaluationStats, evaluate
from leaderboard.db import Database

TIERS = ("bronze", "silver", "gold", "platinum")


class BadgeWorld:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._n = 0

    def contributor(self, username: str) -> BadgeWorld:
        self.db.execute(
            "INSERT INTO contributor(username, role) VALUES(?, 'contributor')", (username,)
        )
        return self

    def definition(self, slug: str, points: int | None = 1) -> BadgeWorld:
        self.db.execute(
            "INSERT INTO activity_definition(slug, name, description, points) VALUES(?, ?, '', ?)",
            (slug, slug.replace("_", " ").title(), points),
        )
        return self

    def activity(
        self, who: str, definition: str, at: str, points: int | None = None, slug: str | None = None
    ) -> BadgeWorld:
        self._n += 1
        self.db.execute(
            "INSERT INTO activity(slug, contributor, activity_definition, occurred_at, points) "
            "VALUES(?, ?, ?, ?, ?)",
            (slug or f"act-{self._n:05d}", who, definition, at, points),
        )
        return self

    def badge(self, slug: str, variants: tuple[str, ...] = TIERS) -> BadgeWorld:
        spec = {v: {"description": v, "svg_url": f"/{v}.svg"} for v in variants}
        self.db.execute(
            "INSERT INTO badge_definition(slug, name, description, variants) VALUES(?, ?, '', ?)",
            (slug, slug, json.dumps(spec)),
        )
        return self

    def aggregate(self, who: str, slug: str, value: Any) -> BadgeWorld:
        self.db.execute(
            "INSERT OR IGNORE INTO contributor_aggregate_definition(slug, name) VALUES(?, ?)",
            (slug, slug),
        )
        self.db.execute(
            "INSERT OR REPLACE INTO contributor_aggregate(aggregate, contributor, value) "
            "VALUES(?, ?, ?)",
            (slug, who, json.dumps(value)),
        )
        return self

    def run(
        self,
        rules: list[dict[str, Any]],
        *,
        now: datetime,
        tz: tzinfo,
        source: str = "config",
        aggregate: bool = True,
    ) -> EvaluationStats:
        if aggregate:
            run_standard_aggregation(self.db, now=now, tz=tz)
        return evaluate(self.db, rules, now=now, tz=tz, logger=None, source=source)

    def awards(self, who: str | None = None) -> dict[tuple[str, str, str], str]:
        """(badge, contributor, variant) → achieved_on."""
        rows = self.db.execute(
            "SELECT badge, contributor, variant, achieved_on FROM contributor_badge"
        ).fetchall()
        return {(b, c, v): d for b, c, v, d in rows if who is None or c == who}

    def dates(self, who: str, badge: str) -> dict[str, str]:
        """variant → achieved_on for one contributor and badge."""
        return {v: d for (b, c, v), d in self.awards(who).items() if b == badge}

    def meta(self, who: str, badge: str, variant: str) -> str:
        return str(
            self.db.scalar(
                "SELECT meta FROM contributor_badge WHERE contributor=? AND badge=? AND variant=?",
                (who, badge, variant),
            )
        )
