"""The public plugin contract (CORE-21, CORE-26): hook names, declarations and record types.

This is the one file that declares every hook. A plugin author imports from here (or from
`leaderboard.plugins`) and nothing else: the record dataclasses are re-exported so that plugins do
not depend on where the rest of the package keeps them.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from leaderboard.models import (
    Activity,
    ActivityDefinition,
    AggregateDefinition,
    BadgeDefinition,
    Contributor,
    ContributorAggregate,
    ContributorBadge,
    GlobalAggregate,
    RecordBatch,
)
from leaderboard.timeutil import canonical, local_date, minus_days, minus_months, start_of_day

if TYPE_CHECKING:
    from leaderboard.plugins.context import PluginContext

# Hook name -> one-line docstring. Order is the order the runner calls them in (CORE-10).
HOOKS: dict[str, str] = {
    "setup": "Create definitions or plugin tables before scraping; runs once per run, first.",
    "scrape": "Fetch data; write through ctx.db or return records (CORE-26).",
    "aggregate": "Compute plugin aggregates after the standard aggregation (CORE-59…62).",
}

# Static declaration attribute -> one-line docstring (read before import, CORE-10).
DECLARATIONS: dict[str, str] = {
    "activity_definitions": "Activity definitions, inserted or ignored (the data repo's copy wins).",
    "aggregate_definitions": "Contributor aggregate definitions, upserted.",
    "badge_definitions": "Badge definitions, upserted after config definitions.",
    "badge_rules": "Badge rules in the config shape, or custom rules with an evaluator (CORE-72).",
    "config_schema": "A pydantic-style model class or a callable (config) -> list of problems.",
}

# Required identity attributes (CORE-21).
REQUIRED: dict[str, str] = {
    "name": "Non-empty plugin name shown in reports.",
    "version": "Non-empty plugin version string.",
}

# Record `kind` values a hook may return (CORE-26).
RECORD_KINDS: tuple[str, ...] = ("contributor", "activity_definition", "activity")

Record = Contributor | ActivityDefinition | Activity | dict[str, Any]
# A hook may yield `RecordBatch`es among its records: persisted in order, activities in bulk.
HookReturn = (
    Iterable[Record | RecordBatch]
    | AsyncIterable[Record | RecordBatch]
    | Awaitable[Iterable[Record | RecordBatch] | None]
    | None
)


@runtime_checkable
class Plugin(Protocol):
    """What the runner needs from a plugin object; every other member is optional."""

    name: str
    version: str

    def scrape(self, ctx: PluginContext) -> HookReturn:
        """Fetch data (CORE-26)."""
        ...


__all__ = [
    "DECLARATIONS",
    "HOOKS",
    "RECORD_KINDS",
    "REQUIRED",
    "Activity",
    "ActivityDefinition",
    "AggregateDefinition",
    "BadgeDefinition",
    "Contributor",
    "ContributorAggregate",
    "ContributorBadge",
    "GlobalAggregate",
    "HookReturn",
    "Plugin",
    "Record",
    "RecordBatch",
    # time helpers (CORE-12): canonical timestamps and calendar arithmetic in tz
    "canonical",
    "local_date",
    "minus_days",
    "minus_months",
    "start_of_day",
]
