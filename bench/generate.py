"""Synthetic data repository shaped like a real organisation (CORE-80's reference input).

Shape: a long tail of one-time contributors, a core of a few dozen people with thousands of
activities each, comments and reviews dominating, several years of history, a few bots.
Deterministic for a seed: the same arguments write byte-identical files.

    python bench/generate.py OUT_DIR [--scale 1] [--seed 7] [--now 2026-11-01T12:00:00Z]

Scale 1 = 1,500 contributors / ~130,000 activities; scale 10 = 15,000 / ~1.3 million.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEFINITIONS = [
    # slug, name, description, points, icon, weight (share of activities)
    (
        "comment_created",
        "Commented",
        "Commented on an issue or pull request",
        1,
        "message-square",
        30,
    ),
    ("pr_reviewed", "PR Reviewed", "Reviewed a pull request", 3, "eye", 22),
    (
        "commit_pushed",
        "Commit Pushed",
        "Pushed a commit to the default branch",
        2,
        "git-commit-horizontal",
        14,
    ),
    ("pr_opened", "PR Opened", "Opened a pull request", 5, "git-pull-request", 8),
    ("pr_merged", "PR Merged", "Pull request was merged", 10, "git-merge", 7),
    ("issue_opened", "Issue Opened", "Opened an issue", 5, "circle-dot", 6),
    ("issue_closed", "Issue Closed", "Closed an issue", 3, "circle-check", 4),
    ("eod_update", "EOD Update", "Posted an end-of-day update", 2, "calendar-check", 4),
    ("pr_collaborated", "PR Collaborated", "Co-authored a pull request", 2, "users", 2),
    ("issue_assigned", "Issue Assigned", "Was assigned an issue", 1, "user-check", 2),
    ("docs_updated", "Docs Updated", "Updated documentation", 4, "book-open", 0.7),
    ("release_published", "Release Published", "Published a release", 20, "package", 0.3),
]

FIRST = [
    "ada",
    "alan",
    "grace",
    "linus",
    "guido",
    "anita",
    "barbara",
    "ken",
    "dennis",
    "margaret",
    "katherine",
    "tim",
    "vint",
    "radia",
    "frances",
    "john",
    "hedy",
    "shafi",
    "sophie",
    "raj",
    "priya",
    "arjun",
    "meera",
    "kiran",
    "li",
    "wei",
    "yuki",
    "hiro",
    "olga",
    "ivan",
    "zoë",
    "josé",
]
LAST = [
    "lovelace",
    "turing",
    "hopper",
    "torvalds",
    "rossum",
    "borg",
    "liskov",
    "thompson",
    "ritchie",
    "hamilton",
    "johnson",
    "berners",
    "cerf",
    "perlman",
    "allen",
    "mccarthy",
    "lamarr",
    "goldwasser",
    "wilson",
    "patel",
    "sharma",
    "nair",
    "menon",
    "chen",
    "zhang",
    "tanaka",
    "sato",
    "petrova",
]
REPOS = ["care", "care_fe", "leaderboard", "ayushma", "teleicu", "docs", "infra", "mobile"]


def _config(scale: int) -> str:
    rules = []
    for slug, agg, values in [
        ("activity_milestone", "activity_count", [10, 50, 100, 500]),
        ("points_milestone", "total_activity_points", [100, 500, 1000, 5000]),
        ("review_star", "activity_count:pr_reviewed", [10, 100, 500]),
        ("merge_master", "activity_count:pr_merged", [5, 50, 200]),
        ("regular", "active_days", [10, 50, 200]),
    ]:
        thresholds = ", ".join(f"{{variant: v{i + 1}, value: {v}}}" for i, v in enumerate(values))
        rules.append(
            f"      - {{type: threshold, badge_slug: {slug}, aggregate_slug: {agg}, thresholds: [{thresholds}]}}"
        )
    rules += [
        "      - {type: streak, badge_slug: daily_streak, streak_type: daily, thresholds: [{variant: v1, days: 7}, {variant: v2, days: 30}]}",
        "      - {type: streak, badge_slug: weekly_reviewer, streak_type: weekly, activity_definitions: [pr_reviewed], thresholds: [{variant: v1, days: 4}, {variant: v2, days: 12}]}",
        "      - {type: streak, badge_slug: monthly_regular, streak_type: monthly, thresholds: [{variant: v1, days: 3}, {variant: v2, days: 12}]}",
        "      - {type: growth, badge_slug: rising, aggregate_slug: activity_count, period: month, thresholds: [{variant: v1, percentage_increase: 50}]}",
        "      - {type: composite, badge_slug: all_rounder, operator: AND, variant: v1, conditions: [{aggregate_slug: 'activity_count:pr_merged', operator: '>=', value: 10}, {aggregate_slug: 'activity_count:pr_reviewed', operator: '>=', value: 20}]}",
    ]
    slugs = [
        "activity_milestone",
        "points_milestone",
        "review_star",
        "merge_master",
        "regular",
        "daily_streak",
        "weekly_reviewer",
        "monthly_regular",
        "rising",
        "all_rounder",
    ]
    defs = []
    for slug in slugs:
        variants = ", ".join(
            f"v{i}: {{description: Tier {i}, svg_url: 'https://example.org/{slug}-{i}.svg', order: {i}}}"
            for i in range(1, 5)
        )
        defs.append(
            f"      - {{slug: {slug}, name: '{slug.replace('_', ' ').title()}', description: 'Benchmark badge {slug}', variants: {{{variants}}}}}"
        )
    return "\n".join(
        [
            "org:",
            f"  name: Bench Org x{scale}",
            "  description: Synthetic organisation for benchmarks",
            "  url: https://example.org",
            "  logo_url: /assets/logo.svg",
            "  start_date: '2019-01-01'",
            "  socials:",
            "    github: https://github.com/bench-org",
            "meta:",
            "  title: Bench Leaderboard",
            "  description: Benchmark site",
            "  site_url: https://bench.example.org",
            "leaderboard:",
            "  timezone: Asia/Kolkata",
            "  data_source: https://github.com/bench-org/leaderboard-data",
            "  roles:",
            "    core: {name: Core Team}",
            "    contributor: {name: Contributor}",
            "    intern: {name: Intern}",
            "    bot: {name: Bot, hidden: true}",
            "  top_contributors: [pr_merged, pr_reviewed, issue_opened]",
            "  leaderboard:",
            "    all_contributors:",
            "      activity_definitions: [pr_opened, pr_merged, pr_reviewed, issue_opened]",
            "  badges:",
            "    definitions:",
            *defs,
            "    rules:",
            *rules,
            "",
        ]
    )


def generate(
    out: Path,
    *,
    scale: int = 1,
    seed: int = 7,
    now: datetime,
    contributors: int | None = None,
    activities: int | None = None,
) -> dict[str, int]:
    """Write the data repository; `contributors`/`activities` override the scale's counts (the
    shape stays: the core and the regulars are the same shares of the people)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "contributors").mkdir(parents=True)
    (out / "activities" / "contributors").mkdir(parents=True)
    (out / "config.yaml").write_text(_config(scale), encoding="utf-8")
    definitions = [
        {"slug": s, "name": n, "description": d, "points": p, "icon": i}
        for s, n, d, p, i, _ in sorted(DEFINITIONS)
    ]
    (out / "activities" / "definitions.json").write_text(
        json.dumps(definitions, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    slugs = [d[0] for d in DEFINITIONS]
    weights = [d[5] for d in DEFINITIONS]
    n_contributors = contributors or 1500 * scale
    # Activity budget: a core of a few dozen with thousands each, a band of regulars, and a long
    # tail of occasional contributors (most with one to three activities).
    if contributors is None:
        core, regulars = 40 * scale, 300 * scale
    else:
        core, regulars = max(1, contributors * 40 // 1500), contributors * 300 // 1500
    counts = []
    for rank in range(n_contributors):
        if rank < core:
            counts.append(rng.randint(1000, 3000))
        elif rank < core + regulars:
            counts.append(min(600, int(rng.paretovariate(1.3) * 40)))
        else:
            counts.append(min(60, int(rng.paretovariate(1.6))))
    target = activities or 130_000 * scale
    tail = sum(counts[core:])
    factor = (target - tail) / sum(counts[:core])
    counts[:core] = [max(1, round(c * factor)) for c in counts[:core]]
    users: set[str] = set()
    history_days = 5 * 365
    start = now - timedelta(days=history_days)
    total = 0
    for rank in range(n_contributors):
        while True:
            name = f"{rng.choice(FIRST)}-{rng.choice(LAST)}"
            username = name if rng.random() < 0.5 else f"{name}{rng.randint(1, 9999)}"
            if username.lower() not in users:
                break
        is_bot = rank in (3, 45, 200) or rank % 500 == 499
        if is_bot:
            username = f"{username}[bot]"
        users.add(username.lower())
        role = (
            "bot"
            if is_bot
            else "core"
            if rank < core
            else "intern"
            if rank % 7 == 0
            else "contributor"
        )
        first, _, last = name.partition("-")
        front = [
            "---",
            f"name: {first.title()} {last.title()}",
            f"role: {role}",
            f"title: {'Automation' if is_bot else rng.choice(['Engineer', 'Designer', 'Student', 'Doctor'])}",
            f"avatar_url: 'https://avatars.example.org/{username}.png'",
            "social_profiles:",
            f"  github: 'https://github.com/{username}'",
            f"joining_date: '{(start + timedelta(days=rng.randint(0, history_days))).date().isoformat()}'",
        ]
        if is_bot:
            front.append("bot: true")
        front.append("---")
        bio = (
            ""
            if rank % 3
            else f"Hi, I am {first.title()}. I work on **{rng.choice(REPOS)}**.\n\nI like open source."
        )
        (out / "contributors" / f"{username}.md").write_text(
            "\n".join(front) + "\n" + bio + "\n", encoding="utf-8"
        )
        # Core contributors span the whole history; the tail is bursty and recent-ish.
        span = history_days if rank < core else rng.randint(7, history_days)
        begin = now - timedelta(days=span)
        rows = []
        for i in range(counts[rank]):
            when = begin + timedelta(seconds=rng.random() * span * 86400)
            slug_def = rng.choices(slugs, weights)[0]
            repo = rng.choice(REPOS)
            number = rng.randint(1, 12000)
            ms = int(when.timestamp() * 1000)
            rows.append(
                {
                    "slug": f"{slug_def}_{repo}#{number}_{username}_{ms}_{i}",
                    "contributor": username,
                    "activity_definition": slug_def,
                    "title": f"{slug_def.replace('_', ' ')} #{number}",
                    "occurred_at": when.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{when.microsecond // 1000:03d}Z",
                    "link": f"https://github.com/bench-org/{repo}/pull/{number}",
                    "text": None if rng.random() < 0.7 else f"Looks good — thanks! ({number})",
                    "points": None,
                    "meta": {"repo": repo} if rng.random() < 0.5 else None,
                }
            )
        rows.sort(key=lambda r: (r["occurred_at"], r["slug"]))
        with (out / "activities" / "contributors" / f"{username}.jsonl").open(
            "w", encoding="utf-8"
        ) as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        total += len(rows)
    return {"contributors": n_contributors, "activities": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--now", default="2026-11-01T12:00:00Z")
    parser.add_argument("--contributors", type=int, help="instead of 1,500 × scale")
    parser.add_argument("--activities", type=int, help="instead of 130,000 × scale")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")).astimezone(UTC)
    stats = generate(
        args.out,
        scale=args.scale,
        seed=args.seed,
        now=now,
        contributors=args.contributors,
        activities=args.activities,
    )
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
