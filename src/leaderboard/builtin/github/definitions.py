"""Activity and aggregate definitions of the GitHub plugin (ECO-38, ECO-49, NEW-30)."""

from __future__ import annotations

from leaderboard.builtin.github.settings import GithubSettings
from leaderboard.plugins.api import ActivityDefinition, AggregateDefinition

# (slug, name, description, points, icon) in ECO-38 order; `commited` is upstream's spelling.
ACTIVITY_DEFINITIONS: tuple[tuple[str, str, str, int | None, str | None], ...] = (
    ("commented", "Commented", "Commented on an Issue/PR", 0, "message-circle"),
    ("issue_assigned", "Issue Assigned", "Got an issue assigned", 1, "user-round-check"),
    ("pr_reviewed", "PR Reviewed", "Reviewed a Pull Request", 2, "eye"),
    ("issue_opened", "Issue Opened", "Raised an Issue", 2, "circle-dot"),
    ("pr_opened", "PR Opened", "Opened a Pull Request", 1, "git-pull-request-create-arrow"),
    ("pr_merged", "PR Merged", "Merged a Pull Request", 5, "git-merge"),
    ("pr_collaborated", "PR Collaborated", "Collaborated on a Pull Request", 2, None),
    ("issue_closed", "Issue Closed", "Closed an Issue", 0, None),
    ("commited", "Commit Created", "Pushed a commit", None, "git-commit-horizontal"),
)

DISCUSSION_DEFINITIONS: tuple[tuple[str, str, str, int | None, str | None], ...] = (
    ("discussion_opened", "Discussion Opened", "Opened a discussion", 2, "messages-square"),
    ("discussion_answered", "Discussion Answered", "Answered a discussion", 3, "circle-check"),
)

TAT = "pr_avg_turn_around_time"
TAT_NAME = "Avg PR Turn Around Time"
TAT_DESCRIPTION = "Average time taken for PRs to get merged"

AGGREGATE_DEFINITIONS: list[AggregateDefinition] = [
    AggregateDefinition(TAT, TAT_NAME, TAT_DESCRIPTION)
]


def activity_definitions(settings: GithubSettings) -> list[ActivityDefinition]:
    """The definitions this config declares: disabled slugs left out, overrides applied."""
    table = ACTIVITY_DEFINITIONS + (DISCUSSION_DEFINITIONS if settings.discussions else ())
    out: list[ActivityDefinition] = []
    for slug, name, description, points, icon in table:
        o = settings.overrides.get(slug) or {}
        if o.get("disabled"):
            continue
        out.append(
            ActivityDefinition(
                slug,
                o.get("name") or name,
                o.get("description") or description,
                o.get("points", points),
                o.get("icon", icon),
            )
        )
    return out
