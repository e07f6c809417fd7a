"""ECO-37…50 end to end: `leaderboard run` in a subprocess against the fake GitHub server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ghtest import (
    EXPECTED,
    NOW,
    TOKEN,
    cli,
    data_files,
    exported_activities,
    github_entry,
    make_data_dir,
    org_document,
)

from leaderboard.builtin.github.graphql import ISSUES
from leaderboard.testing.github_server import GitHubServer, Reply

ORG = "acme-health"
SINCE = "2025-01-08T12:00:00Z"


def expected_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines()]


def repo_requests(repo: str, branch: str, *, issue_pages: int = 1, pr_pages: int = 1,
                  comment_pages: int = 1, commit_pages: int = 1, event_pages: int = 1,
                  compares: tuple[str, ...] = ()) -> list[str]:  # fmt: skip
    """The requests ECO-41…45 and NEW-30 prescribe for one repository of the fixture."""
    gql = f"POST /graphql {{}} {ORG}/{repo} cursor={{}} pageSize=50"
    since = SINCE.replace(":", "%3A")
    lines = [gql.format("issues", "None" if i == 0 else f"c{50 * i}") for i in range(issue_pages)]
    lines += [
        gql.format("pullRequests", "None" if i == 0 else f"c{50 * i}") + " reviewCount=50"
        for i in range(pr_pages)
    ]
    lines += [gql.format("discussions", "None")]
    lines += [
        f"GET /repos/{ORG}/{repo}/issues/comments?since={since}&sort=updated&direction=desc"
        f"&per_page=100&page={n}"
        for n in range(1, comment_pages + 1)
    ]
    lines += [
        f"GET /repos/{ORG}/{repo}/commits?sha={branch}&since={since}&per_page=100&page={n}"
        for n in range(1, commit_pages + 1)
    ]
    lines += [
        f"GET /repos/{ORG}/{repo}/events?per_page=100&page={n}" for n in range(1, event_pages + 1)
    ]
    lines += [f"GET /repos/{ORG}/{repo}/compare/{spec}" for spec in compares]
    return lines


def fixture_compares(repo: str, *, failing: tuple[str, ...] = ()) -> tuple[str, ...]:
    doc = next(r for r in org_document()["repos"] if r["name"] == repo)
    return tuple(sorted([*doc.get("compares", {}), *failing]))


def expected_request_lines() -> list[str]:
    from leaderboard.testing.github_fixtures import sha

    listing = f"GET /orgs/{ORG}/repos?type=sources&sort=updated&direction=desc&per_page=100"
    force = f"{sha('force-before')}...{sha('force-head')}"
    return sorted(
        [
            listing,
            # 120 issues in the window: pages of 50, 50 and 20 (then an older one: stop)
            *repo_requests("care-fe", "main", issue_pages=3, pr_pages=2, comment_pages=3,
                           commit_pages=2, event_pages=2, compares=fixture_compares("care-fe")),
            # the zero-`before` push and the tag push ask for no compare; the force-push's 404s
            *repo_requests("care-platform", "develop",
                           compares=fixture_compares("care-platform", failing=(force,))),
            *repo_requests("docs-site", "main"),
        ]
    )  # fmt: skip


def test_eco_46_export_equals_hand_checked_file_and_exact_request_list(tmp_path: Path) -> None:
    with GitHubServer(org_document()) as server:
        data = make_data_dir(tmp_path / "data", github_entry(server.url))
        result = cli(data)
        assert result.returncode == 0, result.stderr
        assert exported_activities(data) == expected_rows()
        # exactly the spec's requests: nothing extra (no compare for zero-before or tags, no
        # page after a short one, no repository older than the window)
        assert sorted(server.lines()) == expected_request_lines()
        assert {r.authorization for r in server.requests} == {f"Bearer {TOKEN}"}
        first = server.requests[0]
        assert first.path == f"/orgs/{ORG}/repos"
        for request in server.requests:  # ECO-39 headers on every request
            headers = dict(request.headers)
            assert headers["accept"] == "application/vnd.github+json"
            assert headers["x-github-api-version"] == "2022-11-28"
            assert headers["user-agent"].startswith("contributor-leaderboard/")
        issues = next(r for r in server.requests if r.connection == "issues")
        assert issues.body == {
            "query": ISSUES,
            "variables": {"owner": ORG, "repo": "care-fe", "cursor": None, "pageSize": 50},
        }
        assert (
            "issues(first: $pageSize, after: $cursor, orderBy: {field: UPDATED_AT, direction: DESC})"
            in ISSUES
        )
        # the compare of the force-pushed branch failed and was logged at WARN, single line
        assert "WARN: [github] care-platform: compare failed; skipped" in result.stderr
        contributors = (data / "contributors" / "dependabot[bot].md").read_text()
        assert "bot: true" in contributors and "role: bot" in contributors
        assert not (data / "contributors" / "dependabot.md").exists()  # one contributor per bot
        progress = json.loads((data / ".scrape-progress.json").read_text())
        assert progress["finished"] is True and progress["completedRepos"] == 3
        assert progress["totalActivities"] == len(expected_rows())
        status = (data / "scrape-status.md").read_text()
        assert "| care-platform | ✅ completed | 25 |" in status

        # a second run with the same data changes no data file and asks the same questions
        before = {p: (b, (data / p).stat().st_mtime_ns) for p, b in data_files(data).items()}
        server.clear()
        again = cli(data)
        assert again.returncode == 0, again.stderr
        after = {p: (b, (data / p).stat().st_mtime_ns) for p, b in data_files(data).items()}
        assert after == before
        assert "Activities inserted 0, updated 0" in again.stderr
        assert sorted(server.lines()) == expected_request_lines()


def test_eco_45_concurrency_1_runs_every_request_in_fixed_order(tmp_path: Path) -> None:
    with GitHubServer(org_document()) as server:
        data = make_data_dir(tmp_path / "data", github_entry(server.url, concurrency=1))
        result = cli(data)
        assert result.returncode == 0, result.stderr
        lines = server.lines()
        assert lines[0].startswith(f"GET /orgs/{ORG}/repos")
        order = [
            next(n for n, key in enumerate(("issues ", "issues/comments", "pullRequests",
                                             "/commits?", "/events?", "/compare/", "discussions"))
                 if key in line)
            for line in lines[1:]
        ]  # fmt: skip
        repos = [
            next(r for r in ("care-fe", "care-platform", "docs-site") if r in line)
            for line in lines[1:]
        ]
        # repository by repository in listing order, sources in the fixed order of ECO-45
        assert repos == sorted(repos, key=["care-fe", "care-platform", "docs-site"].index)
        for repo in ("care-fe", "care-platform", "docs-site"):
            mine = [o for o, r in zip(order, repos, strict=True) if r == repo]
            assert mine == sorted(mine)
        assert exported_activities(data) == expected_rows()


def test_eco_48_resume_after_sigkill_skips_completed_repos_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    with GitHubServer(org_document(), latency=0.03) as server:
        data = make_data_dir(tmp_path / "data", github_entry(server.url, concurrency=1))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADERBOARD_", "SCRAPE_"))}
        env.update({"LEADERBOARD_NOW": NOW, "GITHUB_TOKEN": TOKEN})
        proc = subprocess.Popen(
            [sys.executable, "-m", "leaderboard", "run", "-d", str(data)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        progress_file = data / ".scrape-progress.json"
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                if progress_file.exists():
                    state = json.loads(progress_file.read_text())
                    repos = state.get("repos", {})
                    if repos.get("care-fe", {}).get("status") == "completed":
                        break
                time.sleep(0.01)
            else:
                raise AssertionError("the first repository never completed")
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        state = json.loads(progress_file.read_text())
        assert state["finished"] is False
        assert state["repos"]["care-fe"]["status"] == "completed"
        assert state["repos"].get("docs-site", {}).get("status") != "completed"  # killed mid-scrape
        assert not (data / "activities" / "contributors").exists()  # nothing exported yet

        server.clear()
        server.latency = 0.0
        result = cli(data)
        assert result.returncode == 0, result.stderr
        assert "Resuming the unfinished scrape of acme-health" in result.stderr
        requested = server.lines()
        assert not [line for line in requested if "care-fe" in line]  # completed: not again
        assert any("care-platform" in line for line in requested)
        assert exported_activities(data) == expected_rows()  # nothing lost, nothing twice
        state = json.loads(progress_file.read_text())
        assert state["finished"] is True and state["completedRepos"] == 3

        # a finished progress file is never used for resuming
        server.clear()
        assert cli(data).returncode == 0
        assert any("care-fe" in line for line in server.lines())


def test_eco_39_tokens_never_reach_logs_db_files_progress_or_site(tmp_path: Path) -> None:
    with GitHubServer(org_document()) as server:
        # a rate limit and a 502 make the client log about tokens and retries
        server.inject(Reply(429, {"message": "slow down"}, headers={"Retry-After": "0"}),
                      path=f"/repos/{ORG}/care-fe/commits")  # fmt: skip
        server.inject(
            Reply(502, text="<html>bad gateway</html>", headers={"Content-Type": "text/html"}),
            path=f"/repos/{ORG}/docs-site/events",
        )
        data = make_data_dir(tmp_path / "data", github_entry(server.url))
        text = cli(data, "--debug")
        assert text.returncode == 0, text.stderr
        as_json = cli(data, "--debug", "--log-format", "json")
        assert as_json.returncode == 0, as_json.stderr
        assert "rate limit" in text.stderr and "Retrying" in text.stderr
        site = tmp_path / "site"
        build = subprocess.run(
            [sys.executable, "-m", "leaderboard", "build", "-d", str(data), "--out", str(site),
             "--no-og", "--now", NOW],
            capture_output=True, text=True, env={**os.environ, "GITHUB_TOKEN": TOKEN}, timeout=300,
        )  # fmt: skip
        assert build.returncode == 0, build.stderr
        secret = TOKEN.encode()
        assert any(r.token == TOKEN for r in server.requests)  # it was really used
        for output in (text.stdout, text.stderr, as_json.stdout, as_json.stderr, build.stdout,
                       build.stderr):  # fmt: skip
            assert TOKEN not in output
        files = [p for root in (data, site) for p in root.rglob("*") if p.is_file()]
        assert any(p.name == ".scrape-progress.json" for p in files)
        assert any(p.suffix == ".db" for p in files)
        leaked = [str(p) for p in files if p.name != "config.yaml" and secret in p.read_bytes()]
        assert leaked == []

        # a failing run logs a traceback at debug level: still no token, and none is asked for
        server.inject(Reply(401, {"message": "Bad credentials"}), path=f"/orgs/{ORG}/repos")
        failed = cli(data, "--debug")
        assert failed.returncode == 1
        assert "GitHub authentication failed" in failed.stderr and "Traceback" in failed.stderr
        assert TOKEN not in failed.stdout + failed.stderr
