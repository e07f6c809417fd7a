"""The demo `config.yaml` (CORE-79), written in the YAML style of CORE-42.

The badge definitions are the dummy plugin's own first three, so the demo's texts and the
plugin's static definitions can never drift apart.
"""

from __future__ import annotations

import copy
from typing import Any

from leaderboard.builtin.dummy.definitions import BADGE_DEFINITIONS

LOGO = "https://api.dicebear.com/7.x/shapes/svg?seed=example"
_DEMO_BADGES = ("activity_milestone", "points_milestone", "consistency_champion")


def _thresholds(key: str, values: list[int]) -> list[dict[str, Any]]:
    tiers = ("bronze", "silver", "gold", "platinum")
    return [{"variant": tier, key: value} for tier, value in zip(tiers, values, strict=True)]


def demo_config(*, contributors: int, days: int, seed: int) -> dict[str, Any]:
    """The CORE-79 config as a mapping, in key order."""
    badges = [copy.deepcopy(d) for d in BADGE_DEFINITIONS if d["slug"] in _DEMO_BADGES]
    return {
        "org": {
            "name": "Example Organization",
            "description": "An example organization for local development and demos",
            "url": "https://example.org",
            "logo_url": LOGO,
            "start_date": "2020-01-01",
            "socials": {"github": "https://github.com/example-org"},
        },
        "meta": {
            "title": "Example Organization Leaderboard",
            "description": "Contributor leaderboard for Example Organization",
            "image_url": LOGO,
            "site_url": "http://localhost:8000",
            "favicon_url": LOGO,
        },
        "leaderboard": {
            "timezone": "UTC",
            "data_source": "https://github.com/example-org/leaderboard-data",
            "roles": {
                "maintainer": {"name": "Maintainer", "description": "Core maintainers"},
                "contributor": {"name": "Contributor", "description": "Community contributors"},
                "intern": {"name": "Intern", "description": "Interns"},
                "bot": {"name": "Bot", "description": "Automation accounts", "hidden": True},
            },
            "top_contributors": ["pr_merged", "pr_reviewed", "issue_opened"],
            "leaderboard": {
                "all_contributors": {
                    "activity_definitions": [
                        "pr_opened",
                        "pr_merged",
                        "pr_reviewed",
                        "issue_opened",
                    ],
                },
            },
            "social_profiles": {
                "github": {"icon": "github"},
                "twitter": {"icon": "twitter"},
                "linkedin": {"icon": "linkedin"},
                "website": {"icon": "globe"},
            },
            "plugins": {
                "dummy": {
                    "name": "Dummy data",
                    "source": "dummy",
                    "config": {
                        "contributors": {
                            "count": contributors,
                            "minActivitiesPerContributor": 5,
                            "maxActivitiesPerContributor": 100,
                        },
                        "activities": {"daysBack": days, "seed": seed},
                        "organization": {
                            "name": "example-org",
                            "repoNames": ["main-app", "docs", "api", "cli", "website"],
                        },
                    },
                },
            },
            "badges": {
                "definitions": badges,
                "rules": [
                    {
                        "type": "threshold",
                        "badge_slug": "activity_milestone",
                        "aggregate_slug": "activity_count",
                        "thresholds": _thresholds("value", [10, 50, 100, 500]),
                    },
                    {
                        "type": "threshold",
                        "badge_slug": "points_milestone",
                        "aggregate_slug": "total_activity_points",
                        "thresholds": _thresholds("value", [100, 500, 1000, 5000]),
                    },
                    {
                        "type": "streak",
                        "badge_slug": "consistency_champion",
                        "streak_type": "daily",
                        "thresholds": _thresholds("days", [7, 14, 30, 90]),
                    },
                ],
            },
        },
    }


def render_demo_config(*, contributors: int, days: int, seed: int) -> str:
    """The demo `config.yaml` text: block style, every definition written out in full."""
    from leaderboard.datarepo.yamlstyle import dump_mapping

    return dump_mapping(demo_config(contributors=contributors, days=days, seed=seed))
