"""Static definitions of the dummy plugin (ECO-35), in the file shapes of CORE-43/47/49."""

from __future__ import annotations

from typing import Any

from leaderboard.plugins.api import ActivityDefinition, AggregateDefinition

ACTIVITY_DEFINITIONS: list[ActivityDefinition] = [
    ActivityDefinition("pr_opened", "PR Opened", "Opened a pull request", 5, "git-pull-request"),
    ActivityDefinition("pr_merged", "PR Merged", "Pull request was merged", 10, "git-merge"),
    ActivityDefinition("pr_reviewed", "PR Reviewed", "Reviewed a pull request", 3, "eye"),
    ActivityDefinition("issue_opened", "Issue Opened", "Opened an issue", 5, "circle-dot"),
    ActivityDefinition("issue_closed", "Issue Closed", "Closed an issue", 8, "circle-check"),
    ActivityDefinition(
        "issue_commented", "Issue Commented", "Commented on an issue", 1, "message-square"
    ),
    ActivityDefinition(
        "commit_pushed", "Commit Pushed", "Pushed commits to repository", 2, "git-commit-horizontal"
    ),
    ActivityDefinition(
        "release_published", "Release Published", "Published a new release", 20, "package"
    ),
    ActivityDefinition("docs_updated", "Docs Updated", "Updated documentation", 5, "book-open"),
]

ACTIVITY_TYPES: tuple[str, ...] = tuple(d.slug for d in ACTIVITY_DEFINITIONS)
POINTS: dict[str, int] = {d.slug: int(d.points or 0) for d in ACTIVITY_DEFINITIONS}

AGGREGATE_DEFINITIONS: list[AggregateDefinition] = [
    AggregateDefinition("pr_merged_count", "PRs Merged", "Number of merged pull requests"),
    AggregateDefinition(
        "code_review_participation", "Code Review Participation", "Number of pull request reviews"
    ),
]

# Aggregate slug -> the activity definition it counts.
AGGREGATE_SOURCES: dict[str, str] = {
    "pr_merged_count": "pr_merged",
    "code_review_participation": "pr_reviewed",
}

TIERS: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")


def svg_url(variant: str) -> str:
    return f"https://api.dicebear.com/7.x/shapes/svg?seed={variant}"


def _badge(slug: str, name: str, description: str, variant_texts: list[str]) -> dict[str, Any]:
    variants = {
        tier: {"description": text, "svg_url": svg_url(tier), "order": i}
        for i, (tier, text) in enumerate(zip(TIERS, variant_texts, strict=False), start=1)
    }
    return {"slug": slug, "name": name, "description": description, "variants": variants}


# The first three are the demo config's badges (CORE-79); their texts must match it exactly.
BADGE_DEFINITIONS: list[dict[str, Any]] = [
    _badge(
        "activity_milestone",
        "Activity Milestone",
        "Awarded for reaching activity milestones",
        ["10+ activities", "50+ activities", "100+ activities", "500+ activities"],
    ),
    _badge(
        "points_milestone",
        "Points Milestone",
        "Awarded for reaching points milestones",
        ["100+ points", "500+ points", "1,000+ points", "5,000+ points"],
    ),
    _badge(
        "consistency_champion",
        "Consistency Champion",
        "Awarded for maintaining activity streaks",
        ["7 day streak", "14 day streak", "30 day streak", "90 day streak"],
    ),
    _badge(
        "pr_consistency",
        "PR Consistency",
        "Awarded for pull request activity on consecutive days",
        ["5 day PR streak", "10 day PR streak", "21 day PR streak"],
    ),
    _badge(
        "review_champion",
        "Review Champion",
        "Awarded for reviewing pull requests week after week",
        ["4 weeks of reviews", "8 weeks of reviews", "12 weeks of reviews"],
    ),
]

# Rules for the two badges only this plugin defines (the demo config has the other three).
BADGE_RULES: list[dict[str, Any]] = [
    {
        "type": "streak",
        "badge_slug": "pr_consistency",
        "enabled": True,
        "streak_type": "daily",
        "activity_definitions": ["^pr_(opened|merged)$"],
        "thresholds": [
            {"variant": "bronze", "days": 5},
            {"variant": "silver", "days": 10},
            {"variant": "gold", "days": 21},
        ],
    },
    {
        "type": "streak",
        "badge_slug": "review_champion",
        "enabled": True,
        "streak_type": "weekly",
        "activity_definitions": ["^pr_reviewed$"],
        "thresholds": [
            {"variant": "bronze", "days": 4},
            {"variant": "silver", "days": 8},
            {"variant": "gold", "days": 12},
        ],
    },
]
