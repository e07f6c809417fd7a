"""ECO-34…36 and CORE-79: the dummy plugin and the demo config."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from leaderboard import jsonfmt
from leaderboard.builtin.dummy import generate, plugin
from leaderboard.builtin.dummy.demo_config import render_demo_config
from leaderboard.builtin.dummy.settings import config_problems
from leaderboard.models import as_dict
from leaderboard.plugins.hooks import run_hook
from leaderboard.plugins.static import apply_plugin_definitions
from leaderboard.plugins.validate import contract_problem, declaration_problems
from leaderboard.testing import make_context, memory_db
from leaderboard.timeutil import canonical

NOW = "2025-06-30T12:00:00Z"


def cfg(
    count: int = 8, lo: int = 5, hi: int = 12, seed: int = 42, days: int = 30, **extra: Any
) -> dict[str, Any]:
    return {
        "contributors": {
            "count": count,
            "minActivitiesPerContributor": lo,
            "maxActivitiesPerContributor": hi,
        },
        "activities": {"daysBack": days, "seed": seed},
        "organization": {"name": "example-org", "repoNames": ["api", "docs"]},
        **extra,
    }


def dump(config: dict[str, Any], now: str = NOW) -> str:
    records = generate(make_context("dummy", config=config, now=now))
    return "\n".join(jsonfmt.dumps_compact({"kind": r.kind, **as_dict(r)}) for r in records)


def test_eco_36_byte_for_byte_deterministic() -> None:
    assert dump(cfg()) == dump(cfg())
    assert dump(cfg()) != dump(cfg(seed=43))
    assert dump(cfg()) != dump(cfg(), now="2025-07-01T12:00:00Z")


def test_eco_36_shapes_counts_and_order() -> None:
    records = generate(make_context("dummy", config=cfg(count=20, lo=3, hi=9), now=NOW))
    people = [r for r in records if r.kind == "contributor"]
    acts = [r for r in records if r.kind == "activity"]
    assert len(people) == 20 and records[:20] == people
    assert len({p.username for p in people}) == 20
    per = Counter(a.contributor for a in acts)
    assert all(3 <= per[p.username] <= 9 for p in people)
    assert [(a.occurred_at, a.slug) for a in acts] == sorted((a.occurred_at, a.slug) for a in acts)
    for a in acts:
        assert "2025-05-31T12:00:00.000Z" <= a.occurred_at <= "2025-06-30T12:00:00.000Z"
        assert a.slug.startswith(f"{a.contributor}-{a.activity_definition}-")
        stamp, suffix = a.slug.rsplit("-", 2)[-2:]
        assert len(suffix) == 6 and suffix.isalnum() and suffix == suffix.lower()
        when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(stamp))
        assert canonical(when) == a.occurred_at
        assert a.link is not None and a.link.startswith("https://github.com/example-org/")
        assert a.meta["repo"] in ("api", "docs") and a.text is None
    for p in people:
        assert p.username == p.username.lower() and all(c.isalnum() or c == "-" for c in p.username)
        if p.role == "bot":
            assert p.username.endswith("-bot") and p.bot is True and p.social_profiles is None
            assert p.title == "Automation Bot" and "bottts" in (p.avatar_url or "")
        else:
            assert p.social_profiles["github"] == f"https://github.com/{p.username}"
        assert "2023-06-30" <= (p.joining_date or "") <= "2024-12-30"


def test_eco_36_role_weights_roughly_hold() -> None:
    records = generate(make_context("dummy", config=cfg(count=4000, lo=0, hi=0), now=NOW))
    roles = Counter(r.role for r in records if r.kind == "contributor")
    share = {role: n / 4000 for role, n in roles.items()}
    assert abs(share["maintainer"] - 0.10) < 0.02
    assert abs(share["contributor"] - 0.72) < 0.03
    assert abs(share["intern"] - 0.15) < 0.02
    assert abs(share["bot"] - 0.03) < 0.01


def test_eco_34_avatars_none() -> None:
    records = generate(make_context("dummy", config=cfg(avatars="none"), now=NOW))
    assert all(r.avatar_url is None for r in records if r.kind == "contributor")


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"contributors": {"count": 0}}, "contributors.count: must be a positive integer"),
        (
            {"contributors": {"minActivitiesPerContributor": 9, "maxActivitiesPerContributor": 2}},
            "contributors.minActivitiesPerContributor: must not exceed",
        ),
        ({"organization": {"repoNames": []}}, "organization.repoNames: must be a non-empty list"),
        ({"activities": {"daysBack": -1}}, "activities.daysBack: must be a positive integer"),
        ({"avatars": "gravatar"}, "avatars: must be one of dicebear, none"),
    ],
)
def test_eco_34_config_schema(config: dict[str, Any], fragment: str) -> None:
    problems = plugin.config_schema(config)
    assert any(fragment in p for p in problems), problems


def test_eco_34_defaults_are_valid() -> None:
    assert config_problems({}) == [] and config_problems(None) == []


def test_eco_35_static_definitions_are_valid_and_exact() -> None:
    assert contract_problem(plugin) is None and plugin.name == "dummy"
    assert [f for f in declaration_problems("dummy", plugin) if f[0] == "error"] == []
    defs = {d.slug: (d.name, d.description, d.points, d.icon) for d in plugin.activity_definitions}
    assert defs["commit_pushed"] == (
        "Commit Pushed",
        "Pushed commits to repository",
        2,
        "git-commit-horizontal",
    )
    assert defs["release_published"] == (
        "Release Published",
        "Published a new release",
        20,
        "package",
    )
    assert len(defs) == 9
    badges = {b["slug"]: b for b in plugin.badge_definitions}
    assert list(badges["pr_consistency"]["variants"]) == ["bronze", "silver", "gold"]
    assert badges["points_milestone"]["variants"]["gold"] == {
        "description": "1,000+ points",
        "svg_url": "https://api.dicebear.com/7.x/shapes/svg?seed=gold",
        "order": 3,
    }


def _run(db: Any, hook: str, config: dict[str, Any], now: str = NOW) -> Any:
    loaded = SimpleNamespace(id="dummy", index=1, plugin=plugin)
    return run_hook(db, loaded, hook, make_context("dummy", config=config, db=db, now=now))


def test_eco_36_scrape_is_idempotent_and_aggregate_counts() -> None:
    db = memory_db()
    apply_plugin_definitions(db, plugin)
    first = _run(db, "scrape", cfg())
    assert (
        first.status == "ok" and first.contributors_created == 8 and first.activities_inserted > 0
    )
    again = _run(db, "scrape", cfg())
    assert (again.contributors_created, again.activities_inserted, again.activities_updated) == (
        0,
        0,
        0,
    )
    assert _run(db, "aggregate", cfg()).status == "ok"
    rows = db.query(
        "SELECT contributor, value FROM contributor_aggregate WHERE aggregate='pr_merged_count' ORDER BY contributor"
    )
    expected = {
        r["contributor"]: r["n"]
        for r in db.query(
            "SELECT contributor, COUNT(*) AS n FROM activity WHERE activity_definition='pr_merged' GROUP BY contributor"
        )
    }
    assert len(rows) == 8
    for row in rows:
        assert jsonfmt.loads(row["value"]) == {
            "type": "number",
            "value": expected.get(row["contributor"], 0),
            "format": "integer",
        }


def test_core_79_demo_config_loads_clean(tmp_path: Path) -> None:
    from leaderboard.config import load_config

    text = render_demo_config(contributors=30, days=90, seed=42)
    assert "count: 30" in text and "daysBack: 90" in text and "{" not in text.replace("{}", "")
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    result = load_config(tmp_path, env={})
    assert result.config is not None and [p.format() for p in result.problems] == []
    board = result.config.leaderboard
    assert [d["name"] for d in board.badge_definitions] == [
        "Activity Milestone",
        "Points Milestone",
        "Consistency Champion",
    ]
    assert board.badge_definitions[2]["variants"]["platinum"]["description"] == "90 day streak"
    assert board.roles["bot"].hidden and board.plugins["dummy"].config["activities"]["seed"] == 42
