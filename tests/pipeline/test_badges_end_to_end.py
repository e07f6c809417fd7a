"""Aggregation and badges through `leaderboard run`, in a zone where UTC and local days differ.

Asia/Kolkata is UTC+05:30. Expected dates are computed by hand in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path

from e2e import Runner, tree, write, write_config

RULES = """  badges:
    definitions:
      - slug: active
        name: Active
        description: Activity milestones
        variants:
          bronze: {description: 2+, svg_url: 'https://example.org/b.svg', order: 1}
          silver: {description: 3+, svg_url: 'https://example.org/s.svg', order: 2}
      - slug: streak
        name: Streak
        description: Daily streaks
        variants:
          two: {description: 2 days, svg_url: 'https://example.org/2.svg'}
      - slug: allround
        name: All-round
        description: Merged and busy
        variants:
          yes: {description: both, svg_url: 'https://example.org/y.svg'}
    rules:
      - {type: threshold, badge_slug: active, aggregate_slug: activity_count,
         thresholds: [{variant: bronze, value: 2}, {variant: silver, value: 3}]}
      - {type: streak, badge_slug: streak, streak_type: daily, thresholds: [{variant: two, days: 2}]}
      - {type: composite, badge_slug: allround, operator: AND, variant: 'yes',
         conditions: [{aggregate_slug: 'activity_count:pr_merged', operator: '>=', value: 1},
                      {aggregate_slug: activity_count, operator: '>=', value: 3}]}
"""

DEFINITIONS = (
    '[\n  {\n    "slug": "pr_merged",\n    "name": "PR Merged",\n    "description": "Merged",\n'
    '    "points": 10,\n    "icon": "git-merge"\n  },\n  {\n    "slug": "pr_opened",\n'
    '    "name": "PR Opened",\n    "description": "Opened",\n    "points": 5,\n    "icon": null\n  }\n]'
)
ACTIVITIES = [
    # 20:00Z on Jan 1 is 01:30 on Jan 2 in Kolkata.
    ("a1", "pr_opened", "2024-01-01T20:00:00.000Z"),
    # 19:00Z on Jan 2 is 00:30 on Jan 3 in Kolkata.
    ("a2", "pr_merged", "2024-01-02T19:00:00.000Z"),
    ("a3", "pr_opened", "2024-01-05T10:00:00.000Z"),
]


def _repo(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write_config(data, timezone="Asia/Kolkata", extra=RULES)
    write(data, "contributors/alice.md", "---\nname: Alice\nrole: core\n---\n")
    write(data, "activities/definitions.json", DEFINITIONS)
    lines = [
        json.dumps(
            {
                "slug": s,
                "contributor": "alice",
                "activity_definition": d,
                "title": None,
                "occurred_at": t,
                "link": None,
                "text": None,
                "points": None,
                "meta": None,
            },
            separators=(",", ":"),
        )
        for s, d, t in ACTIVITIES
    ]
    write(data, "activities/contributors/alice.jsonl", "\n".join(lines) + "\n")
    return data


def test_badges_dates_in_local_time_through_run(tmp_path: Path, cli: Runner) -> None:
    data = _repo(tmp_path)
    out = cli("run", "-d", str(data))
    assert out.returncode == 0, out.stderr
    rows = [
        json.loads(line)
        for line in (data / "badges/contributors/alice.jsonl").read_text().splitlines()
    ]
    got = {(r["badge"], r["variant"]): r["achieved_on"] for r in rows}
    assert got == {
        ("active", "bronze"): "2024-01-03",  # 2nd activity, local date (UTC would say Jan 2)
        ("active", "silver"): "2024-01-05",
        ("streak", "two"): "2024-01-03",  # local Jan 2 + Jan 3
        ("allround", "yes"): "2024-01-05",  # latest of the two crossing dates (Jan 3, Jan 5)
    }
    # Order: achieved_on descending, then slug.
    assert [r["slug"] for r in rows] == [
        "active__alice__silver",
        "allround__alice__yes",
        "active__alice__bronze",
        "streak__alice__two",
    ]
    assert rows[0]["meta"] == {
        "threshold": 3,
        "actualValue": 3,
        "rule_type": "threshold",
        "auto_awarded": True,
    }
    aggregates = {
        json.loads(line)["aggregate"]: json.loads(line)
        for line in (data / "aggregates/contributors/alice.jsonl").read_text().splitlines()
    }
    assert aggregates["first_activity_date"]["value"] == {"type": "string", "value": "2024-01-02"}
    assert aggregates["total_activity_points"]["value"] == {
        "type": "number",
        "value": 20,
        "format": "integer",
    }
    assert aggregates["avg_points_per_activity"]["value"] == {
        "type": "number",
        "value": 6.67,
        "format": "decimal",
        "decimals": 2,
    }

    # Re-running adds nothing and rewrites no file, even a day later.
    before = tree(data)
    again = cli("run", "evaluate", "export", "-d", str(data), now="2024-02-02T12:00:00Z")
    assert again.returncode == 0, again.stderr
    assert tree(data) == before
