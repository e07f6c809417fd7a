"""Standard aggregation (CORE-58…CORE-62): global and per-contributor aggregates over the working DB.

Public API: `run_standard_aggregation(db, now=, tz=) -> AggregationStats`,
`mark_data_updated(db, now)`, `round2(x)`, and the activity snapshot used by badge rules.
"""

from leaderboard.aggregates.rounding import round2
from leaderboard.aggregates.run import AggregationStats, mark_data_updated, run_standard_aggregation

__all__ = ["AggregationStats", "mark_data_updated", "round2", "run_standard_aggregation"]
