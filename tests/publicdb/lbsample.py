"""Small real working databases and configs for public-DB, explorer and serve tests.

`make_config` builds the typed `Config` directly (the config loader is another module's job);
`fill_working` writes a deterministic organisation: public, pseudonymous and hidden people, a
bot, badges, aggregates and `n_activities` activities spread over a year.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from leaderboard.config.model import (
    Config,
    LeaderboardConfig,
    MetaConfig,
    OrgConfig,
    PrivacyConfig,
    RoleConfig,
)
from leaderboard.db.database import Database
from leaderboard.jsonfmt import dumps_compact
from leaderboard.timeutil import canonical

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
HIDDEN = "zzhiddenperson"  # a unique token so a byte grep is meaningful
PSEUDO = "quietpseudoperson"


def make_config(**leaderboard: Any) -> Config:
    base = LeaderboardConfig(
        timezone="Asia/Kolkata",
        roles={
            "core": RoleConfig("Core"),
            "contributor": RoleConfig("Contributor"),
            "intern": RoleConfig("Intern", hidden=True),
            "bot": RoleConfig("Bot"),
        },
        privacy=PrivacyConfig(),
    )
    if leaderboard:
        base = replace(base, **leaderboard)
    return Config(
        org=OrgConfig(name="Acme", description="Acme org", url="https://acme.test", logo_url=""),
        meta=MetaConfig(
            title="Acme",
            description="",
            image_url="",
            site_url="https://acme.test/lb",
            favicon_url="",
            badge_label="Acme",
        ),
        leaderboard=base,
        raw={},
    )


DEFINITIONS = [
    ("pr_opened", "PR opened", "Opened a pull request", 10, "git-pull-request"),
    ("pr_merged", "PR merged", "Merged a pull request", 20, "git-merge"),
    ("issue_opened", "Issue opened", "Opened an issue", 5, "circle-dot"),
    ("comment", "Comment", "Commented", 1, "message-square"),
    ("review", "Review", "Reviewed a pull request", None, "eye"),
]


def fill_working(
    db: Database, *, n_activities: int = 200, n_people: int = 20, seed: int = 7
) -> None:
    """Write a deterministic organisation into the migrated working DB `db`."""
    rng = random.Random(seed)
    people: list[tuple[Any, ...]] = []
    for i in range(n_people):
        people.append(
            (
                f"user{i:03d}",
                f"User {i}",
                "core" if i < 3 else "contributor",
                f"Engineer {i}",
                f"https://avatars.test/u{i}.png",
                f"Bio of user {i}",
                dumps_compact({"github": f"https://github.com/user{i:03d}"}),
                "2024-01-01",
                dumps_compact({"team": "a"}),
                None,
                None,
                None,
                dumps_compact({"github": [f"user{i:03d}"]}),
                dumps_compact({"secret_field": "x"}),
            )
        )
    people.append(
        (
            HIDDEN,
            "Hidden Person",
            "contributor",
            "Secret title",
            "https://avatars.test/h.png",
            "hidden bio",
            dumps_compact({"github": f"https://github.com/{HIDDEN}"}),
            "2024-02-02",
            None,
            "hidden",
            None,
            None,
            dumps_compact({"email": [f"{HIDDEN}@mail.test"]}),
            None,
        )
    )
    people.append(
        (
            PSEUDO,
            "Quiet Pseudo Name",
            "contributor",
            "Quiet title",
            "https://avatars.test/q.png",
            "quiet bio",
            dumps_compact({"github": f"https://github.com/{PSEUDO}"}),
            "2024-03-03",
            dumps_compact({"k": PSEUDO}),
            "pseudonymous",
            None,
            None,
            None,
            None,
        )
    )
    people.append(
        (
            "Mixed-Case",
            "Mixed",
            "intern",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    )
    people.append(
        (
            "dependabot[bot]",
            "dependabot",
            "bot",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    )
    people.append(
        (
            "flaggedbot",
            "Flagged",
            "contributor",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            1,
            None,
            None,
        )
    )
    db.executemany("INSERT INTO contributor VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", people)
    db.executemany(
        "INSERT INTO activity_definition(slug, name, description, points, icon) VALUES (?,?,?,?,?)",
        DEFINITIONS,
    )
    usernames = [p[0] for p in people]
    weights = [50 if i < 3 else 1 + (i % 5) for i in range(len(usernames))]
    rows = []
    for n in range(n_activities):
        who = rng.choices(usernames, weights)[0]
        definition = rng.choice(DEFINITIONS)[0]
        when = NOW - timedelta(seconds=rng.randrange(0, 365 * 86400))
        points = rng.choice([None, None, None, 3, 0])
        rows.append(
            (
                f"{definition}-{who}-{n}",
                who,
                definition,
                f"Work item {n} by {who}",
                canonical(when),
                f"https://github.com/acme/repo/pull/{n}",
                f"Long text {n} " * 5,
                points,
                dumps_compact({"repo": "acme/repo", "author": who}),
                None,
            )
        )
    # Guarantee the hidden and pseudonymous people have activities.
    for who in (HIDDEN, PSEUDO):
        rows.append(
            (
                f"pr_opened-{who}-x",
                who,
                "pr_opened",
                f"Special work by {who}",
                canonical(NOW - timedelta(days=2)),
                f"https://github.com/{who}/x",
                f"text {who}",
                None,
                dumps_compact({"author": who}),
                None,
            )
        )
    db.executemany("INSERT INTO activity VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany(
        "INSERT INTO contributor_aggregate_definition(slug, name, description, hidden) VALUES (?,?,?,0)",
        [("activity_count", "Activity Count", "Total number of activities by the contributor")],
    )
    db.execute(
        "INSERT INTO contributor_aggregate(aggregate, contributor, value, meta) "
        "SELECT 'activity_count', contributor, "
        '\'{"type":"number","value":\' || COUNT(*) || \',"format":"integer"}\', '
        '\'{"calculated_at":"2025-03-01T00:00:00.000Z"}\' FROM activity GROUP BY contributor'
    )
    db.execute(
        "INSERT INTO badge_definition(slug, name, description, variants) VALUES (?,?,?,?)",
        ("first", "First", "First activity", dumps_compact({"bronze": {"description": "1"}})),
    )
    db.executemany(
        "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on, meta) "
        "VALUES (?,?,?,?,?,?)",
        [
            (
                f"first__{u}__bronze",
                "first",
                u,
                "bronze",
                "2024-05-05",
                dumps_compact({"rule_type": "threshold", "auto_awarded": True}),
            )
            for u in (HIDDEN, PSEUDO, "user000")
        ],
    )
    db.executemany(
        "INSERT INTO global_aggregate(slug, name, description, value, hidden, meta) VALUES (?,?,?,?,?,?)",
        [
            (
                "total_contributors",
                "Total Contributors",
                "Total number of contributors",
                dumps_compact({"type": "number", "value": len(people), "format": "integer"}),
                0,
                dumps_compact({"calculated_at": "2025-01-01T00:00:00.000Z"}),
            ),
            (
                "plugin_stat",
                "Plugin stat",
                None,
                dumps_compact({"type": "string", "value": "ok"}),
                0,
                None,
            ),
        ],
    )
    db.executemany(
        "INSERT INTO contributor_identity(namespace, value, contributor, explicit) VALUES (?,?,?,1)",
        [("email", f"{HIDDEN}@mail.test", HIDDEN)],
    )
    db.execute(
        "INSERT INTO unresolved_identity(namespace, value, plugin, count) VALUES ('github', ?, 'x', 1)",
        (f"{HIDDEN}-alt",),
    )
    db.set_meta("data_updated_at", "2025-02-28T10:00:00.000Z")
