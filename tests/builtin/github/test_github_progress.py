"""ECO-48: progress files when they are broken, unwritable, switched off, or resume is off."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from ghtest import TOKEN, Sleeps, org_document, run_plugin

from leaderboard.testing import memory_db
from leaderboard.testing.github_server import GitHubServer

ORG = "acme-health"


def base(server: GitHubServer, **extra: object) -> dict[str, object]:
    return {"githubOrg": ORG, "githubToken": TOKEN, "apiUrl": server.url,
            "repositories": ["care-platform", "docs-site"], **extra}  # fmt: skip


def unfinished() -> dict[str, object]:
    return {"org": ORG, "since": "2025-01-01T00:00:00Z", "startedAt": "2025-01-15T11:00:00Z",
            "updatedAt": "2025-01-15T11:10:00Z", "finished": False, "totalRepos": 2,
            "completedRepos": 1, "partialRepos": 0, "failedRepos": 0, "totalActivities": 25,
            "repos": {"care-platform": {"repo": "care-platform", "status": "completed",
                                        "activitiesCount": 25, "sources": {}}}}  # fmt: skip


def test_a_corrupt_progress_file_means_a_fresh_scrape(tmp_path: Path) -> None:
    (tmp_path / ".scrape-progress.json").write_text('{"org": "acme-health", "repos": {', "utf-8")
    with GitHubServer(org_document()) as server:
        results = run_plugin(memory_db(), base(server), tmp_path, sleeps=Sleeps())
        assert results["scrape"].status == "ok"
        assert any("care-platform" in line for line in server.lines())
    state = json.loads((tmp_path / ".scrape-progress.json").read_text())
    assert state["finished"] is True and state["completedRepos"] == 2


def test_resume_reuses_the_recorded_window_and_resume_false_ignores_it(tmp_path: Path) -> None:
    (tmp_path / ".scrape-progress.json").write_text(json.dumps(unfinished()), "utf-8")
    with GitHubServer(org_document()) as server:
        run_plugin(memory_db(), base(server), tmp_path, sleeps=Sleeps())
        assert not [line for line in server.lines() if "care-platform" in line]
        since = {r.params.get("since") for r in server.requests if "since" in r.params}
        assert since == {"2025-01-01T00:00:00Z"}  # the recorded window start, not now − 7 days
        state = json.loads((tmp_path / ".scrape-progress.json").read_text())
        assert state["startedAt"] == "2025-01-15T11:00:00Z" and state["finished"] is True

        (tmp_path / ".scrape-progress.json").write_text(json.dumps(unfinished()), "utf-8")
        server.clear()
        run_plugin(memory_db(), base(server, resume=False), tmp_path, sleeps=Sleeps())
        assert any("care-platform" in line for line in server.lines())
        since = {r.params.get("since") for r in server.requests if "since" in r.params}
        assert since == {"2025-01-08T12:00:00Z"}


def test_another_organisations_progress_is_not_resumed(tmp_path: Path) -> None:
    other = {**unfinished(), "org": "someone-else"}
    (tmp_path / ".scrape-progress.json").write_text(json.dumps(other), "utf-8")
    with GitHubServer(org_document()) as server:
        run_plugin(memory_db(), base(server), tmp_path, sleeps=Sleeps())
        assert any("care-platform" in line for line in server.lines())


def test_unwritable_progress_dir_warns_and_keeps_the_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "blocked").write_text("a file where the progress directory should be", "utf-8")
    with GitHubServer(org_document()) as server, caplog.at_level(logging.WARNING):
        db = memory_db()
        results = run_plugin(
            db, base(server, dataDir="blocked/progress"), tmp_path, sleeps=Sleeps()
        )
        assert results["scrape"].status == "ok"
        assert db.scalar("SELECT COUNT(*) FROM activity") > 0
    assert "Cannot write progress files" in caplog.text


def test_progress_files_false_writes_nothing(tmp_path: Path) -> None:
    with GitHubServer(org_document()) as server:
        db = memory_db()
        run_plugin(db, base(server, progressFiles=False), tmp_path, sleeps=Sleeps())
        assert db.scalar("SELECT COUNT(*) FROM activity") > 0
    assert not (tmp_path / ".scrape-progress.json").exists()
    assert not (tmp_path / "scrape-status.md").exists()


def test_data_is_identical_whatever_the_timing(tmp_path: Path) -> None:
    """Concurrent fetches finish in a random order; rows are still written in listing order."""
    import random

    def dump(concurrency: int, seed: int) -> list[object]:
        jitter = random.Random(seed)
        with GitHubServer(org_document(), latency=lambda _: jitter.random() * 0.004) as server:
            db = memory_db()
            config = {"githubOrg": ORG, "githubToken": TOKEN, "apiUrl": server.url,
                      "concurrency": concurrency, "progressFiles": False}  # fmt: skip
            run_plugin(db, config, tmp_path, sleeps=Sleeps())
            return [
                tuple(row.values())
                for table in (
                    "contributor",
                    "activity",
                    "contributor_aggregate",
                    "global_aggregate",
                )
                for row in db.query(f"SELECT * FROM {table} ORDER BY rowid")
            ]

    sequential = dump(1, 0)
    assert len(sequential) > 700
    assert dump(5, 1) == sequential
    assert dump(5, 2) == sequential
