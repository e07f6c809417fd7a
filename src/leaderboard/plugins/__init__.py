"""The plugin system (CORE-21…CORE-30): contract, loading, context and isolated hook runs.

Plugin authors need only `leaderboard.plugins.api` (re-exported here) and, for tests,
`leaderboard.testing`.
"""

from leaderboard.plugins.api import (
    DECLARATIONS,
    HOOKS,
    Activity,
    ActivityDefinition,
    AggregateDefinition,
    BadgeDefinition,
    Contributor,
    ContributorAggregate,
    ContributorBadge,
    GlobalAggregate,
    Plugin,
    RecordBatch,
)

__all__ = [
    "DECLARATIONS",
    "HOOKS",
    "Activity",
    "ActivityDefinition",
    "AggregateDefinition",
    "BadgeDefinition",
    "Contributor",
    "ContributorAggregate",
    "ContributorBadge",
    "GlobalAggregate",
    "Plugin",
    "RecordBatch",
]
