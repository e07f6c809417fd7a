"""The standard aggregates of CORE-60: slugs, names and descriptions, in the spec's order.

Data only, with no imports: the aggregation (`aggregates.standard`), the data repository (which
recognises and imports their definitions) and `merge` all read this one list, and importing it
loads no package that could import them back.
"""

from __future__ import annotations

# slug → (name, description)
CONTRIBUTOR_DEFINITIONS: dict[str, tuple[str, str]] = {
    "total_activity_points": (
        "Total Activity Points",
        "Sum of all activity points for the contributor",
    ),
    "activity_count": ("Activity Count", "Total number of activities by the contributor"),
    "first_activity_date": ("First Activity Date", "Date of the contributor's first activity"),
    "last_activity_date": ("Last Activity Date", "Date of the contributor's most recent activity"),
    "active_days": ("Active Days", "Number of unique days with activity"),
    "avg_points_per_activity": (
        "Average Points Per Activity",
        "Average points earned per activity",
    ),
}
GLOBAL_SLUGS = ("total_contributors", "total_activities", "active_contributors_last_30d")
