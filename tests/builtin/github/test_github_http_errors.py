"""ECO-39, ECO-41, ECO-45, ECO-48: every error path of the client, against the fake server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ghtest import TOKEN, TOKEN2, Sleeps, org_document, run_plugin

from leaderboard.testing import memory_db
from leaderboard.testing.github_server import (
    GitHubServer,
    Reply,
    graphql_rate_limited,
    html_200,
    html_502,
    max_node_limit,
    null_repository,
    rest_rate_limited,
    retry_after,
    secondary_rate_limit,
    unauthorized,
)

ORG = "acme-health"
CLOCK = 1_736_942_400.0  # the injected "now" of the client, epoch seconds


@pytest.fixture
def server() -> Any:
    with GitHubServer(org_document()) as fake:
        yield fake


def config(server: GitHubServer, **extra: Any) -> dict[str, Any]:
    return {
        "githubOrg": ORG,
        "githubTokens": [TOKEN],
        "apiUrl": server.url,
        "repositories": ["care-platform"],
        **extra,
    }


def scrape(server: GitHubServer, tmp_path: Path, sleeps: Sleeps | None = None, **extra: Any) -> Any:
    db = memory_db()
    results = run_plugin(db, config(server, **extra), tmp_path, sleeps=sleeps or Sleeps(),
                         clock=lambda: CLOCK)  # fmt: skip
    progress = json.loads((tmp_path / ".scrape-progress.json").read_text())
    return db, results, progress


def count(db: Any, pattern: str = "%") -> int:
    return int(db.scalar("SELECT COUNT(*) FROM activity WHERE slug LIKE ?", (pattern,)))


COMMENTS = f"/repos/{ORG}/care-platform/issues/comments"


def test_rest_rate_limit_parks_the_token_and_rotates_round_robin(
    server: GitHubServer, tmp_path: Path
) -> None:
    server.inject(rest_rate_limited(int(CLOCK) + 120), path=COMMENTS, token=TOKEN)
    sleeps = Sleeps()
    db, results, progress = scrape(server, tmp_path, sleeps, githubTokens=[TOKEN, TOKEN2],
                                   concurrency=1)  # fmt: skip
    assert results["scrape"].status == "ok"
    hits = [r.token for r in server.requests if r.path == COMMENTS]
    assert hits == [TOKEN, TOKEN2]  # retried at once with the next token
    later = [r.token for r in server.requests[server.requests.index(
        next(r for r in server.requests if r.path == COMMENTS and r.token == TOKEN2)):]]  # fmt: skip
    assert set(later) == {TOKEN2}  # the parked token is not used again before its reset
    assert sleeps.calls == []
    assert progress["repos"]["care-platform"]["status"] == "completed"
    assert count(db, "commented_%") == 3


def test_graphql_rate_limited_error_rotates_tokens(server: GitHubServer, tmp_path: Path) -> None:
    server.inject(graphql_rate_limited(), connection="issues", token=TOKEN)
    db, _results, _ = scrape(server, tmp_path, githubTokens=[TOKEN, TOKEN2])
    issues = [r for r in server.requests if r.connection == "issues"]
    assert [r.token for r in issues] == [TOKEN, TOKEN2]
    assert [r.body["variables"]["pageSize"] for r in issues] == [50, 50]  # not a page-size error
    assert count(db, "issue_opened_%") == 4


@pytest.mark.parametrize(
    ("reply", "expected_sleep"),
    [
        (retry_after(30), 31.0),  # Retry-After seconds from now, +1 s
        (rest_rate_limited(int(CLOCK) + 600), 601.0),  # x-ratelimit-reset epoch, +1 s
        (secondary_rate_limit(), 3601.0),  # neither header: parked for an hour
    ],
    ids=["retry-after", "reset-epoch", "secondary"],
)
def test_all_tokens_parked_waits_through_ctx_async_sleep(
    server: GitHubServer, tmp_path: Path, reply: Reply, expected_sleep: float
) -> None:
    server.inject(reply, path=COMMENTS)
    sleeps = Sleeps()
    db, _results, progress = scrape(server, tmp_path, sleeps, maxRateLimitWait=7200)
    assert sleeps.calls == [expected_sleep]
    assert [r.token for r in server.requests if r.path == COMMENTS] == [TOKEN, TOKEN]
    assert progress["repos"]["care-platform"]["status"] == "completed"
    assert count(db, "commented_%") == 3


def test_waiting_beyond_max_rate_limit_wait_fails_the_request_only(
    server: GitHubServer, tmp_path: Path
) -> None:
    server.inject(secondary_rate_limit(), path=COMMENTS)
    sleeps = Sleeps()
    db, results, progress = scrape(server, tmp_path, sleeps, maxRateLimitWait=60)
    assert sleeps.calls == []  # it did not wait an hour to find out
    repo = progress["repos"]["care-platform"]
    assert repo["status"] == "partial"
    assert repo["sources"]["comments"]["status"] == "failed"
    assert "maxRateLimitWait" in repo["sources"]["comments"]["error"]
    assert count(db, "commented_%") == 0 and count(db, "pr_opened_%") == 3  # others kept
    assert results["scrape"].status == "ok"


def test_502_html_is_retried_with_jittered_backoff(server: GitHubServer, tmp_path: Path) -> None:
    events = f"/repos/{ORG}/care-platform/events"
    server.inject(html_502(), path=events, times=2)
    server.inject(html_200(), path=COMMENTS, times=1)  # a 200 with HTML is transient too
    sleeps = Sleeps()
    _db, _results, progress = scrape(server, tmp_path, sleeps, concurrency=1)
    assert len([r for r in server.requests if r.path == events]) == 3
    assert len([r for r in server.requests if r.path == COMMENTS]) == 2
    # comments (attempt 0), then events (attempts 0 and 1): delays in [c/2, c], c = 1 s × 2^n
    assert 0.5 <= sleeps.calls[0] <= 1.0
    assert 0.5 <= sleeps.calls[1] <= 1.0 and 1.0 <= sleeps.calls[2] <= 2.0
    assert progress["repos"]["care-platform"]["status"] == "completed"


def test_transient_failure_after_four_retries_fails_that_source(
    server: GitHubServer, tmp_path: Path
) -> None:
    events = f"/repos/{ORG}/care-platform/events"
    server.inject(html_502(), path=events, times=None)
    sleeps = Sleeps()
    db, _, progress = scrape(server, tmp_path, sleeps)
    assert len([r for r in server.requests if r.path == events]) == 5
    bounds = [(0.5, 1), (1, 2), (2, 4), (4, 8)]
    assert all(lo <= s <= hi for s, (lo, hi) in zip(sleeps.calls, bounds, strict=True))
    source = progress["repos"]["care-platform"]["sources"]["push_commits"]
    assert source["status"] == "failed"
    assert "HTTP 502" in source["error"] and "\n" not in source["error"]
    assert len(source["error"]) <= 200
    assert count(db, "commited_develop_%") == 3  # the commits source is unaffected


def test_shape_error_falls_back_to_a_smaller_page(server: GitHubServer, tmp_path: Path) -> None:
    server.inject(null_repository(), connection="issues", page_size=50)
    db, _, progress = scrape(server, tmp_path)
    sizes = [r.body["variables"]["pageSize"] for r in server.requests if r.connection == "issues"]
    assert sizes == [50, 25]
    assert progress["repos"]["care-platform"]["status"] == "completed"
    assert count(db, "issue_%") == 8


def test_max_node_limit_fallback_never_grows_back(server: GitHubServer, tmp_path: Path) -> None:
    server.inject(max_node_limit(), connection="pullRequests", page_size=50, times=None)
    db, _, progress = scrape(server, tmp_path, repositories=["care-fe"])
    pulls = [r.body["variables"] for r in server.requests if r.connection == "pullRequests"]
    assert [(v["cursor"], v["pageSize"], v["reviewCount"]) for v in pulls] == [
        (None, 50, 50),
        (None, 25, 25),
        ("c25", 25, 25),
        ("c50", 25, 25),
    ]
    assert progress["repos"]["care-fe"]["status"] == "completed"
    assert count(db, "pr_opened_care-fe#%") == 60


def test_failure_at_page_size_10_ends_the_source_as_partial(
    server: GitHubServer, tmp_path: Path
) -> None:
    server.inject(null_repository(), connection="issues", times=None)
    db, results, progress = scrape(server, tmp_path)
    sizes = [r.body["variables"]["pageSize"] for r in server.requests if r.connection == "issues"]
    assert sizes == [50, 25, 10]
    repo = progress["repos"]["care-platform"]
    assert repo["status"] == "partial" and repo["sources"]["issues"]["status"] == "partial"
    assert "data.repository.issues" in repo["sources"]["issues"]["error"]
    assert count(db, "issue_%") == 0 and count(db, "pr_%") > 0
    assert results["scrape"].status == "ok"
    status = (tmp_path / "scrape-status.md").read_text()
    assert "### Source failures" in status and "| care-platform | issues | partial |" in status


def test_401_on_the_listing_fails_the_plugin(server: GitHubServer, tmp_path: Path) -> None:
    server.inject(unauthorized(), path=f"/orgs/{ORG}/repos")
    _db, results, _ = scrape_failing(server, tmp_path)
    assert results["scrape"].status == "failed"
    assert results["scrape"].error.startswith("GitHub authentication failed")
    assert TOKEN not in results["scrape"].error
    assert len(server.requests) == 1  # 401 is not retried


def test_unreachable_api_fails_the_plugin_after_retries(tmp_path: Path) -> None:
    closed = GitHubServer(org_document()).start()
    url = closed.url
    closed.stop()
    sleeps = Sleeps()
    db = memory_db()
    results = run_plugin(db, {"githubOrg": ORG, "githubToken": TOKEN, "apiUrl": url}, tmp_path,
                         sleeps=sleeps)  # fmt: skip
    assert results["scrape"].status == "failed"
    assert "Listing the repositories of acme-health failed" in results["scrape"].error
    assert "ConnectError" in results["scrape"].error
    assert len(sleeps.calls) == 4


def test_fail_on_partial_fails_after_all_repositories_keeping_checkpoints(
    server: GitHubServer, tmp_path: Path
) -> None:
    server.inject(html_502(), path=f"/repos/{ORG}/care-fe/events", times=None)
    db = memory_db()
    results = run_plugin(db, config(server, repositories=None, failOnPartial=True), tmp_path,
                         sleeps=Sleeps(), clock=lambda: CLOCK)  # fmt: skip
    assert results["scrape"].status == "failed"
    assert "acme-health/care-fe" in results["scrape"].error
    assert results["scrape"].rolled_back_to_checkpoint
    # every repository was processed and checkpointed before the hook failed
    assert count(db, "pr_opened_care-fe#%") == 60
    assert count(db, "pr_opened_docs-site#%") == 2
    progress = json.loads((tmp_path / ".scrape-progress.json").read_text())
    assert progress["partialRepos"] == 1 and progress["completedRepos"] == 2


def scrape_failing(server: GitHubServer, tmp_path: Path) -> Any:
    db = memory_db()
    results = run_plugin(db, config(server), tmp_path, sleeps=Sleeps(), clock=lambda: CLOCK)
    return db, results, None


def test_endless_retry_after_zero_ends_at_max_rate_limit_wait(
    server: GitHubServer, tmp_path: Path
) -> None:
    server.inject(retry_after(0), path=COMMENTS, times=None)
    sleeps = Sleeps()
    # One request at a time, so the count does not depend on scheduling: the comments request
    # waits five times (park 1 s + 1 s each) until 10 s would be exceeded and fails; the next
    # request finds the token still parked (the injected clock never moves) and waits once.
    db, _, progress = scrape(server, tmp_path, sleeps, maxRateLimitWait=10, concurrency=1)
    assert sleeps.calls == [2.0] * 6
    assert progress["repos"]["care-platform"]["sources"]["comments"]["status"] == "failed"
    assert count(db, "pr_opened_%") == 3
