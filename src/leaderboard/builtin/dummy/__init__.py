"""The dummy plugin (ECO-34…ECO-36): seeded, offline, realistic GitHub-like demo data.

Written against the public plugin API only, like any third-party plugin. Registered as the
entry point `dummy` → `leaderboard.builtin.dummy:plugin`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from leaderboard import __version__
from leaderboard.builtin.dummy.definitions import (
    ACTIVITY_DEFINITIONS,
    AGGREGATE_DEFINITIONS,
    AGGREGATE_SOURCES,
    BADGE_DEFINITIONS,
    BADGE_RULES,
)
from leaderboard.builtin.dummy.generate import generate_activities, generate_contributors
from leaderboard.builtin.dummy.settings import config_problems, parse
from leaderboard.plugins.api import Record, canonical
from leaderboard.plugins.context import PluginContext


def generate(ctx: PluginContext) -> list[Record]:
    """Contributors (generation order), then activities sorted by time, from one seeded RNG."""
    settings = parse(ctx.config)
    rng = random.Random(settings.seed)
    contributors = generate_contributors(rng, settings, ctx.now, ctx.tz)
    activities = generate_activities(
        rng, settings, [c.username for c in contributors], ctx.now, ctx.tz
    )
    return [*contributors, *activities]


class DummyPlugin:
    """The plugin object: static declarations plus `scrape` and `aggregate`."""

    name = "dummy"
    version = __version__
    activity_definitions = ACTIVITY_DEFINITIONS
    aggregate_definitions = AGGREGATE_DEFINITIONS
    badge_definitions = BADGE_DEFINITIONS
    badge_rules = BADGE_RULES

    @staticmethod
    def config_schema(config: dict[str, Any]) -> list[str]:
        """ECO-34 checks: positive counts, min ≤ max, a non-empty repository list."""
        return config_problems(config)

    def scrape(self, ctx: PluginContext) -> Iterator[Record]:
        """Return the generated records; the runner inserts contributors (existing profiles win)
        and upserts activities on slug, so a re-run with the same seed and now adds nothing."""
        records = generate(ctx)
        people = sum(1 for r in records if getattr(r, "kind", "") == "contributor")
        ctx.logger.info(
            "Generated dummy data",
            {
                "contributors": people,
                "activities": len(records) - people,
                "seed": parse(ctx.config).seed,
            },
        )
        return iter(records)

    def aggregate(self, ctx: PluginContext) -> None:
        """pr_merged_count and code_review_participation for every contributor (ECO-35)."""
        for slug, definition in AGGREGATE_SOURCES.items():
            rows = ctx.db.query(
                "SELECT c.username AS username, COUNT(a.slug) AS n FROM contributor c "
                "LEFT JOIN activity a ON a.contributor = c.username AND a.activity_definition = ? "
                "AND a.occurred_at <= ? GROUP BY c.username ORDER BY c.username",
                (definition, canonical(ctx.now)),
            )
            ctx.db.executemany(
                "INSERT INTO contributor_aggregate(aggregate, contributor, value) VALUES(?,?,?) "
                "ON CONFLICT(aggregate, contributor) DO UPDATE SET value = excluded.value",
                [
                    (
                        slug,
                        r["username"],
                        f'{{"type":"number","value":{r["n"]},"format":"integer"}}',
                    )
                    for r in rows
                ],
            )


plugin = DummyPlugin()

__all__ = ["DummyPlugin", "generate", "plugin"]
