"""A small, real fixture organisation for the site tests: config, working DB, data dir.

Built in code (not through the importer) so the site tests depend only on the DB schema. The data
covers the populations of CORE-74 (a hidden role, a bot, a pseudonymous and a hidden contributor),
a reserved username, and an XSS corpus in names, bios, titles, links and activity text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leaderboard.config.model import (
    Config,
    LeaderboardConfig,
    MetaConfig,
    OrgConfig,
    RoleConfig,
    SiteConfig,
)
from leaderboard.db.database import Database
from leaderboard.timeutil import canonical

NOW = datetime(2026, 4, 12, 18, 0, tzinfo=UTC)

XSS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    "<svg onload=window.__xss=3><circle r=5 /></svg>",
    '<a href="javascript:window.__xss=4">click</a>',
    '"><script>window.__xss=5</script>',
]


RULES = [
    {
        "type": "threshold",
        "badge_slug": "merger",
        "aggregate_slug": "pr_merged_count",
        "thresholds": [
            {"variant": "bronze", "value": 5},
            {"variant": "silver", "value": 20},
            {"variant": "gold", "value": 50},
        ],
    },
    {
        "type": "streak",
        "badge_slug": "merger",
        "streak_type": "weekly",
        "activity_definitions": ["pr_.*"],
        "thresholds": [{"variant": "gold", "days": 10}],
    },
]


def make_config(**site: object) -> Config:
    roles = {
        "core": RoleConfig("Core Team", "Maintainers of the project"),
        "contributor": RoleConfig("Contributor", "Community contributors"),
        "intern": RoleConfig("Intern", "Hidden interns", hidden=True),
        "bot": RoleConfig("Bot", "Automation accounts"),
    }
    lb = LeaderboardConfig(
        timezone="Asia/Kolkata",
        data_source="https://github.com/example-org/leaderboard-data",
        data_branch="main",
        data_update_frequency="0 */6 * * *",
        roles=roles,
        top_contributors=("pr_merged", "issue_opened"),
        social_profiles={"github": {"icon": "github"}, "linkedin": {"icon": "linkedin"}},
        all_contributors_definitions=("pr_merged", "pr_reviewed", "issue_opened"),
        badge_definitions=[],
        badge_rules=RULES,
        daily_caps={"comment": 5},
        site=SiteConfig(**site) if site else SiteConfig(),  # type: ignore[arg-type]
    )
    return Config(
        org=OrgConfig(
            name="Example Org",
            description="Building open tools together.",
            url="https://example.org",
            logo_url="https://example.org/logo.png",
            start_date="2020-01-15",
            socials={"github": "https://github.com/example-org", "email": "team@example.org"},
        ),
        meta=MetaConfig(
            title="Example Org Leaderboard",
            description="Contributions to Example Org.",
            image_url="https://example.org/og.png",
            site_url="https://example.github.io/board",
            favicon_url="https://example.org/favicon.ico",
            badge_label="Example Org",
        ),
        leaderboard=lb,
        raw={},
    )


PEOPLE = [
    # username, name, role, visibility, bot, bio
    ("alice", "Alice Liddell", "core", None, None, "Maintainer. Loves **Python**.\n\n" + XSS[0]),
    ("bob", "Bob " + XSS[4], "contributor", None, None, XSS[1] + " " + XSS[3]),
    ("carol", "Carol", "contributor", None, None, XSS[2]),
    ("dave", None, "contributor", None, None, None),
    ("erin", "Erin Intern", "intern", None, None, "Learning."),
    ("renovate[bot]", "Renovate", "contributor", None, 1, None),
    ("mallory", "Mallory", "contributor", "pseudonymous", None, "secret bio"),
    ("ghost", "Ghost", "contributor", "hidden", None, "never shown"),
    ("docs", "Doc Writer", "contributor", None, None, "Writes docs."),
]

DEFS = [
    ("pr_merged", "PR Merged", "A pull request was merged", 10, "git_merge"),
    ("pr_reviewed", "PR Reviewed", "Reviewed a pull request", 5, "eye"),
    ("issue_opened", "Issue Opened", "Opened an issue", 2, "CircleDot"),
    ("comment", "Comment", "Commented", 0, "not-a-real-icon"),
]


def populate(db: Database) -> None:
    with db.transaction():
        for username, name, role, vis, bot, bio in PEOPLE:
            db.execute(
                "INSERT INTO contributor(username, name, role, title, avatar_url, bio, "
                "social_profiles, joining_date, visibility, bot) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    username, name, role, "Engineer " + XSS[0] if username == "alice" else None,
                    f"https://avatars.example.org/{username}.png", bio,
                    json.dumps({"github": f"https://github.com/{username}", "linkedin": "javascript:alert(1)"}),
                    "2021-03-01", vis, bot,
                ),
            )  # fmt: skip
        for d in DEFS:
            db.execute(
                "INSERT INTO activity_definition(slug, name, description, points, icon) VALUES (?,?,?,?,?)",
                d,
            )
        plan = {
            "alice": (60, 3), "bob": (40, 5), "carol": (25, 7), "dave": (6, 20), "erin": (10, 9),
            "renovate[bot]": (30, 2), "mallory": (12, 11), "ghost": (8, 6), "docs": (5, 30),
        }  # fmt: skip
        defs = [d[0] for d in DEFS]
        n = 0
        for username, (count, step) in plan.items():
            for i in range(count):
                occurred = NOW - timedelta(hours=7 + i * step * 24 + (n % 13))
                d = defs[(i + len(username)) % len(defs)]
                text = XSS[i % len(XSS)] if username == "bob" and i < 5 else f"Work item {i}"
                title = XSS[i % len(XSS)] if username == "carol" and i < 3 else f"{d} #{i}"
                link = (
                    "javascript:alert(1)"
                    if username == "bob" and i == 0
                    else f"https://github.com/example-org/repo/pull/{n}"
                )
                db.execute(
                    "INSERT INTO activity(slug, contributor, activity_definition, title, occurred_at, link, text, points) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    (
                        f"{username}-{i}",
                        username,
                        d,
                        title,
                        canonical(occurred),
                        link,
                        text,
                        None if i % 7 else 3,
                    ),
                )
                n += 1
        db.execute(
            "INSERT INTO contributor_aggregate_definition(slug, name, description) VALUES (?,?,?)",
            ("pr_merged_count", "Merged PRs", "Pull requests merged"),
        )
        variants = {
            "bronze": {
                "description": "Merge 5 PRs",
                "svg_url": "https://example.org/b/bronze.svg",
                "order": 1,
            },
            "silver": {
                "description": "Merge 20 PRs",
                "svg_url": "https://example.org/b/silver.svg",
                "order": 2,
            },
            "gold": {"description": "Merge 50 PRs", "svg_url": "", "order": 3},
        }
        db.execute(
            "INSERT INTO badge_definition(slug, name, description, variants) VALUES (?,?,?,?)",
            ("merger", "Merger", "Merge pull requests " + XSS[2], json.dumps(variants)),
        )
        db.execute(
            "INSERT INTO badge_definition(slug, name, description, variants) VALUES (?,?,?,?)",
            (
                "early",
                "Early Bird",
                "Active before 8am",
                json.dumps({"bronze": {"description": "Once"}}),
            ),
        )
        awards = [
            ("merger", "alice", "bronze", "2025-06-01"), ("merger", "alice", "silver", "2026-01-10"),
            ("merger", "bob", "bronze", "2026-02-01"), ("early", "carol", "bronze", "2026-03-03"),
            ("early", "erin", "bronze", "2026-03-04"), ("merger", "mallory", "bronze", "2026-03-05"),
        ]  # fmt: skip
        for badge, who, variant, on in awards:
            db.execute(
                "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on) VALUES (?,?,?,?,?)",
                (f"{badge}__{who}__{variant}", badge, who, variant, on),
            )
        db.set_meta("data_updated_at", "2026-04-12T06:00:00.000Z")


def make_data_dir(root: Path) -> tuple[Path, Path]:
    """A data dir with a working DB, `theme.css` and an `assets/` tree; returns (data dir, db)."""
    data = root / "data"
    (data / "assets" / "img").mkdir(parents=True)
    (data / "assets" / "img" / "logo.txt").write_text("logo\n")
    (data / "theme.css").write_text(":root { --primary: #7c3aed; }\n")
    (data / "config.yaml").write_text("# the tests pass a Config object\n")
    db_path = data / ".leaderboard.db"
    db = Database.open(db_path)
    populate(db)
    db.close()
    return data, db_path
