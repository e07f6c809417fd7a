"""ECO-37, ECO-38, NEW-27, NEW-30, CORE-23: configuration, definitions, several organisations,
upstream sources, and bad input that fails only this plugin."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ghtest import (
    NOW,
    TOKEN,
    TOKEN2,
    Sleeps,
    cli,
    exported_activities,
    github_entry,
    make_data_dir,
    org_document,
    run_plugin,
)

from leaderboard.builtin.github import plugin
from leaderboard.builtin.github.definitions import activity_definitions
from leaderboard.builtin.github.settings import SettingsError, parse
from leaderboard.config.sources import classify_source
from leaderboard.testing import memory_db
from leaderboard.testing.github_fixtures import synthetic_org
from leaderboard.testing.github_server import GitHubServer, Reply

WHEN = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
UPSTREAM = Path(__file__).parents[2] / "config" / "fixtures" / "upstream"


def settings(**config: object):  # type: ignore[no-untyped-def]
    base = {"githubOrg": "acme-health", "githubToken": TOKEN}
    return parse({**base, **config}, plugin_id="github", now=WHEN, tz=UTC, env={})


def problems(**config: object) -> str:
    with pytest.raises(SettingsError) as info:
        settings(**config)
    return str(info.value)


def test_eco_37_defaults_and_window() -> None:
    s = settings()
    assert s.orgs == ("acme-health",) and s.tokens == (TOKEN,)
    assert s.since_text == "2025-01-08T12:00:00Z"
    assert (s.api_url, s.graphql_url) == (
        "https://api.github.com",
        "https://api.github.com/graphql",
    )
    assert (s.concurrency, s.resume, s.progress_files, s.fail_on_partial) == (5, True, True, False)
    assert s.max_rate_limit_wait == 3600 and s.default_role == "contributor" and s.bot_role == "bot"
    assert settings(scrapeDays=2).since_text == "2025-01-13T12:00:00Z"
    env = parse({"githubOrg": "o", "githubToken": "t"}, plugin_id="g", now=WHEN, tz=UTC,
                env={"SCRAPE_DAYS": "30"})  # fmt: skip
    assert env.since_text == "2024-12-16T12:00:00Z"
    # `since` overrides days; a bare date is midnight in the configured time zone
    kolkata = parse({"githubOrg": "o", "githubToken": "t", "since": "2024-06-01", "days": 3},
                    plugin_id="g", now=WHEN, tz=ZoneInfo("Asia/Kolkata"), env={})  # fmt: skip
    assert kolkata.since_text == "2024-05-31T18:30:00Z"
    assert settings(apiUrl="http://127.0.0.1:9/").graphql_url == "http://127.0.0.1:9/graphql"


def test_eco_37_token_pool_merged_trimmed_deduplicated() -> None:
    s = settings(githubTokens=[f" {TOKEN2} ", "", TOKEN, TOKEN2])
    assert s.tokens == (TOKEN, TOKEN2)
    assert TOKEN not in repr(s)  # tokens stay out of reprs (and so out of tracebacks)


def test_eco_37_missing_org_or_tokens() -> None:
    with pytest.raises(SettingsError, match="'githubOrg' is not set in the plugin config"):
        parse({"githubToken": "t"}, plugin_id="github", now=WHEN, tz=UTC, env={})
    with pytest.raises(SettingsError, match="'githubToken' or 'githubTokens' must be set"):
        parse(
            {"githubOrg": "o", "githubTokens": ["  "]}, plugin_id="github", now=WHEN, tz=UTC, env={}
        )


def test_eco_37_wrong_types_name_every_key_and_never_echo_tokens() -> None:
    text = problems(days="seven", concurrency=9, resume="yes", since="last tuesday",
                    githubTokens=TOKEN, blacklist="bob", apiUrl="ftp://x")  # fmt: skip
    for key in ("days", "concurrency", "resume", "since", "githubTokens", "blacklist", "apiUrl"):
        assert f"leaderboard.plugins.github.config.{key}: " in text
    assert "must be an integer ≥ 1 (got 'seven')" in text
    assert TOKEN not in text and "got a string" in text


def test_eco_37_unknown_keys_are_warnings_with_a_suggestion() -> None:
    assert settings(repositores=["x"]).warnings == (
        "repositores: unknown option of the GitHub plugin (did you mean 'repositories'?); ignored",
    )


def test_eco_38_definitions_overrides_and_disabled() -> None:
    defs = {d.slug: d for d in activity_definitions(settings())}
    assert list(defs) == ["commented", "issue_assigned", "pr_reviewed", "issue_opened",
                          "pr_opened", "pr_merged", "pr_collaborated", "issue_closed", "commited"]  # fmt: skip
    assert (defs["commited"].name, defs["commited"].points) == ("Commit Created", None)
    assert defs["pr_collaborated"].icon is None
    custom = settings(
        discussions=True,
        activityDefinition={"pr_merged": {"points": 8, "name": "Merged"},
                            "commented": {"disabled": True},
                            "commited": {"pointsOnNonDefaultBranch": 1}},
    )  # fmt: skip
    defs = {d.slug: d for d in activity_definitions(custom)}
    assert "commented" not in defs and defs["pr_merged"].points == 8
    assert (
        defs["pr_merged"].name == "Merged"
        and defs["pr_merged"].description == "Merged a Pull Request"
    )
    assert (
        defs["discussion_answered"].points == 3
        and defs["discussion_opened"].icon == "messages-square"
    )
    assert custom.commit_points(False) == 1 and custom.commit_points(True) == 2
    assert "pointsOnDefaultBranch" in problems(
        activityDefinition={"pr_merged": {"pointsOnDefaultBranch": 1}}
    )


def test_eco_47_blacklist_is_case_insensitive_and_disabled_slugs_are_dropped(
    tmp_path: Path,
) -> None:
    with GitHubServer(org_document()) as server:
        db = memory_db()
        config = {"githubOrg": "acme-health", "githubToken": TOKEN, "apiUrl": server.url,
                  "repositories": ["care-platform"], "blacklist": ["Marta-Kowalczyk-DEV"],
                  "activityDefinition": {"issue_assigned": {"disabled": True}}}  # fmt: skip
        results = run_plugin(db, config, tmp_path, sleeps=Sleeps())
        assert results["scrape"].status == "ok"
        who = {r["contributor"] for r in db.query("SELECT contributor FROM activity")}
        assert "marta-kowalczyk-dev" not in who and "sriharsha-venkataraman" in who
        assert (
            db.scalar("SELECT COUNT(*) FROM activity WHERE activity_definition = 'issue_assigned'")
            == 0
        )
        assert (
            db.scalar("SELECT COUNT(*) FROM activity_definition WHERE slug = 'issue_assigned'") == 0
        )


def test_new_27_second_organisation_gets_prefixed_slugs_and_its_own_progress_section(
    tmp_path: Path,
) -> None:
    labs = synthetic_org("acme-labs", repos=1, seed=3, now=WHEN, issues=2, pulls=1, comments=1,
                         commits=1, pushes=0, older=0)  # fmt: skip
    labs["repos"][0]["name"] = "care-platform"  # the same name as in the first organisation
    with GitHubServer([org_document(), labs]) as server:
        db = memory_db()
        config = {"githubOrg": "acme-health", "githubOrgs": ["acme-labs", "acme-health"],
                  "githubToken": TOKEN, "apiUrl": server.url, "repositories": ["care-platform"]}  # fmt: skip
        results = run_plugin(db, config, tmp_path, sleeps=Sleeps())
        assert results["scrape"].status == "ok"
        assert (
            db.scalar("SELECT COUNT(*) FROM activity WHERE slug = 'pr_opened_care-platform#7'") == 1
        )
        assert (
            db.scalar(
                "SELECT COUNT(*) FROM activity WHERE slug = 'pr_opened_acme-labs__care-platform#2000'"
            )
            == 1
        )
        progress = json.loads((tmp_path / ".scrape-progress.json").read_text())
        assert progress["org"] == "acme-health" and progress["finished"] is True
        assert progress["orgs"]["acme-labs"]["repos"]["care-platform"]["status"] == "completed"
        assert "## acme-labs (finished)" in (tmp_path / "scrape-status.md").read_text()
        listing = [r.path for r in server.requests if r.path.startswith("/orgs/")]
        assert listing == ["/orgs/acme-health/repos", "/orgs/acme-labs/repos"]  # in order, once


def test_eco_40_listing_follows_link_next_verbatim(tmp_path: Path) -> None:
    with GitHubServer(org_document(), max_per_page=1) as server:
        db = memory_db()
        config = {"githubOrg": "acme-health", "githubToken": TOKEN, "apiUrl": server.url,
                  "excludeRepositories": ["care-fe", "docs-site"]}  # fmt: skip
        run_plugin(db, config, tmp_path, sleeps=Sleeps())
        pages = [r.params.get("page", "1") for r in server.requests if r.path.endswith("/repos")]
        assert pages == ["1", "2", "3", "4"]  # the 4th is older than the window: stop
        assert {r.params["per_page"] for r in server.requests if r.path.endswith("/repos")} == {
            "100"
        }
        assert not [r for r in server.requests if "care-fe" in r.path or "docs-site" in r.line()]


def test_core_23_upstream_sources_map_to_the_builtins() -> None:
    for source in (
        "https://raw.githubusercontent.com/ohcnetwork/leaderboard-github-plugin/main/dist/index.js",
        "@ohcnetwork/leaderboard-github-plugin",
        "@leaderboard/plugin-leaderboard-github-plugin",
        "./plugins/github.mjs",
    ):
        assert classify_source("gh", source, aliases={}, sha256=None).target == "github"
    assert classify_source("s", "./x/slack.js", aliases={}, sha256=None).target == "slack"


def test_core_23_upstream_fixture_config_validates_with_no_github_error(tmp_path: Path) -> None:
    data = tmp_path / "upstream"
    shutil.copytree(UPSTREAM, data)
    result = subprocess.run(
        [sys.executable, "-m", "leaderboard", "validate", "-d", str(data), "--format", "json"],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "GITHUB_TOKEN": TOKEN, "LEADERBOARD_DATA_DIR": str(data)},
    )  # fmt: skip
    report = json.loads(result.stdout)
    # Both upstream JavaScript sources (GitHub and Slack) map to built-ins: no error at all.
    assert report["ok"] is True and report["errors"] == 0, report
    errors = [p for p in report.get("problems", []) if p.get("severity") == "error"]
    about_github = [
        p for p in errors if "Plugin github" in p["message"] or "plugins.github" in p["message"]
    ]
    assert about_github == [], errors
    assert TOKEN not in result.stdout + result.stderr
    assert plugin.name == "github"


def test_bad_input_fails_only_the_github_plugin_and_loses_no_earlier_repository(
    tmp_path: Path,
) -> None:
    dummy = "    dummy:\n      source: dummy\n      config:\n        contributors: {count: 3}"
    with GitHubServer(org_document()) as server:
        # a key of the wrong type: setup fails naming the key; dummy and every phase go on
        bad = make_data_dir(
            tmp_path / "bad", github_entry(server.url, days="seven", colour="red"), dummy
        )
        result = cli(bad)
        assert result.returncode == 1
        assert (
            "leaderboard.plugins.github.config.days: must be an integer ≥ 1 (got 'seven')"
            in result.stderr
        )
        assert server.requests == []
        assert (bad / "activities" / "contributors").exists()  # dummy's data exported
        assert "Plugin dummy scrape: ok" in result.stderr

        # an unknown option: a warning naming it, and the scrape runs
        warned = make_data_dir(tmp_path / "warned", github_entry(server.url, repositores=["x"]))
        result = cli(warned)
        assert result.returncode == 0, result.stderr
        assert "leaderboard.plugins.github.config.repositores: unknown option" in result.stderr
        assert "did you mean 'repositories'?" in result.stderr

        # a malformed response: the message names the request; other sources and earlier
        # repositories keep their data; failOnPartial makes the plugin fail at the end
        server.clear()
        server.inject(Reply(200, {"comments": "not a list"}),
                      path="/repos/acme-health/docs-site/issues/comments")  # fmt: skip
        data = make_data_dir(tmp_path / "data", github_entry(server.url, failOnPartial=True), dummy)
        result = cli(data)
        assert result.returncode == 1
        assert (
            "GET /repos/acme-health/docs-site/issues/comments?page=1: expected a JSON list"
            in result.stderr
        )
        assert "Plugin dummy scrape: ok" in result.stderr
        slugs = {row["slug"] for row in exported_activities(data)}
        assert "pr_opened_care-platform#7" in slugs and "pr_opened_care-fe#2000" in slugs
        assert "discussion_opened_docs-site#3" in slugs  # the same repository's other sources
        assert not [s for s in slugs if s.startswith("commented_docs-site")]
        status = (data / "scrape-status.md").read_text()
        assert "| docs-site | comments | failed |" in status
        assert NOW  # the run used the fixed now
