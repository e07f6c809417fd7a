"""ECO-49: pr_avg_turn_around_time per contributor and per window, stable across runs."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

from ghtest import EXPECTED, TOKEN, Sleeps, org_document, run_plugin

from leaderboard.testing import memory_db
from leaderboard.testing.github_server import GitHubServer


def merged_tats() -> dict[str, list[int]]:
    """pr_avg_tat of every merged PR in the hand-checked export, by contributor."""
    out: dict[str, list[int]] = {}
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["activity_definition"] == "pr_merged":
            out.setdefault(row["contributor"], []).append(row["meta"]["pr_avg_tat"])
    return out


def test_eco_49_contributor_and_window_aggregates(
    tmp_path: Path, lb_github_server: Callable[..., GitHubServer]
) -> None:
    server = lb_github_server(org_document())
    db = memory_db()
    config = {"githubOrg": "acme-health", "githubToken": TOKEN, "apiUrl": server.url}
    results = run_plugin(db, config, tmp_path, sleeps=Sleeps())
    assert results["aggregate"].status == "ok", results["aggregate"].error
    tats = merged_tats()
    rows = {
        r["contributor"]: r
        for r in db.query(
            "SELECT contributor, value, meta FROM contributor_aggregate "
            "WHERE aggregate = 'pr_avg_turn_around_time'"
        )
    }
    assert set(rows) == set(tats)  # contributors without merged PRs get no row
    for who, values in tats.items():
        value = json.loads(rows[who]["value"])
        assert value == {"type": "number", "value": math.floor(sum(values) / len(values) + 0.5),
                         "unit": "ms", "format": "duration"}  # fmt: skip
        meta = json.loads(rows[who]["meta"])
        assert meta == {"source": "github_api", "calculated_at": "2025-01-15T12:00:00.000Z",
                        "pr_count": len(values)}  # fmt: skip
    every = [v for values in tats.values() for v in values]
    glob = {r["slug"]: r for r in db.query("SELECT * FROM global_aggregate")}
    overall = json.loads(glob["pr_avg_turn_around_time"]["value"])["value"]
    assert overall == math.floor(sum(every) / len(every) + 0.5)
    assert glob["pr_avg_turn_around_time_week"]["name"] == "Avg PR Turn Around Time (Week)"
    assert glob["pr_avg_turn_around_time_month"]["description"] == (
        "Average time taken for PRs to get merged (Month)"
    )
    # every merged PR of the fixture lies in the last week: previous windows are empty
    assert "pr_avg_turn_around_time_previous_week" not in glob
    assert "pr_avg_turn_around_time_previous_year" not in glob

    # a later run with the same data keeps calculated_at (CORE-62) and moves windows
    again = run_plugin(db, config, tmp_path, hooks=("aggregate",), now="2025-01-25T12:00:00Z")
    assert again["aggregate"].status == "ok"
    meta = json.loads(db.scalar(
        "SELECT meta FROM contributor_aggregate WHERE contributor = 'sriharsha-venkataraman'"
    ))  # fmt: skip
    assert meta["calculated_at"] == "2025-01-15T12:00:00.000Z"
    slugs = {r["slug"] for r in db.query("SELECT slug FROM global_aggregate")}
    assert "pr_avg_turn_around_time_week" not in slugs  # nothing merged in that week
    assert "pr_avg_turn_around_time_previous_week" in slugs
