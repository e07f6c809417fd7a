"""ECO-58…61: `leaderboard migrate-legacy` (a real subprocess) on a legacy data set built here in
upstream's documented legacy format: pretty JSON arrays under `data/<source>/activities/`, the
pending Slack queue under `data/slack/eod_messages/`, profiles under `data/contributors/`, and the
seed generator's root `activity_definitions.json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from leaderboard.testing import file_tree

CONFIG = """org:
  name: Example Org
  description: An organisation coming from upstream
  url: https://example.org
  logo_url: https://example.org/logo.png
meta:
  site_url: https://leaderboard.example.org
leaderboard:
  timezone: Asia/Kolkata
scraper:
  github_org: example
"""


def _pretty(items: list[Any]) -> str:
    return json.dumps(items, indent=2, ensure_ascii=False)


def _activity(slug: str, contributor: str | None, definition: str, when: str, **more: Any) -> dict:
    obj: dict[str, Any] = {"slug": slug}
    if contributor is not None:
        obj["contributor"] = contributor
    obj.update({"activity_definition": definition, "title": more.pop("title", None)})
    obj["occured_at"] = when
    obj["link"] = more.pop("link", None)
    obj.update(more)
    return obj


def build_legacy(root: Path) -> Path:
    """An organisation half-way: a current profile and activity file, the rest still legacy."""
    data = root / "data-repo"
    files: dict[str, str] = {
        "config.yaml": CONFIG,
        # Current layout: Alice's profile and one activity the GitHub scraper also left behind.
        "contributors/alice-maintainer.md": "---\nname: Alice Maintainer\nrole: core\n---\n",
        "activities/definitions.json": _pretty(
            [
                {
                    "slug": "pr_merged",
                    "name": "PR Merged",
                    "description": "Merged a Pull Request",
                    "points": 7,
                    "icon": "git-merge",
                }
            ]
        ),
        "activities/contributors/alice-maintainer.jsonl": (
            '{"slug":"pr_merged_api#1","contributor":"alice-maintainer","activity_definition":'
            '"pr_merged","title":"Merged PR #1","occurred_at":"2024-03-01T10:00:00.000Z",'
            '"link":"https://github.com/example/api/pull/1","text":null,"points":7,"meta":{}}\n'
            '{"slug":"pr_merged_api#2","contributor":"alice-maintainer","activity_definition":'
            '"pr_merged","title":"Merged PR #2 (edited)","occurred_at":"2024-03-02T10:00:00.000Z",'
            '"link":null,"text":null,"points":7,"meta":{}}\n'
        ),
        # Legacy profiles: Bob's, and upstream's template (never imported).
        "data/contributors/bob-long-username.md": (
            "---\nname: Bob Long\nrole: contributor\nusername: bob-long-username\n"
            "social_profiles:\n  github: https://github.com/bob-long-username\n---\nBob's bio.\n"
        ),
        "data/contributors/_sample.md": "---\nname: Display Name\nrole: contributor\n---\n",
        "data/github/activities/alice-maintainer.json": _pretty(
            [
                # identical to the current layout's row: already present
                _activity(
                    "pr_merged_api#1",
                    "alice-maintainer",
                    "pr_merged",
                    "2024-03-01T15:30:00+05:30",
                    title="Merged PR #1",
                    link="https://github.com/example/api/pull/1",
                    text=None,
                    points=7,
                    meta={},
                ),
                # same slug, different title: the current layout wins, reported
                _activity(
                    "pr_merged_api#2",
                    "alice-maintainer",
                    "pr_merged",
                    "2024-03-02T10:00:00Z",
                    title="Merged PR #2",
                    points=7,
                    meta={},
                ),
                _activity(
                    "comment_created_api#3_IC_kwDO",
                    "Alice-Maintainer",
                    "comment_created",
                    "2024-03-03T09:00:00Z",
                    text="LGTM — ünïcode",
                    points=0,
                    repo_url="https://github.com/example/api",
                ),
                _activity(
                    "commit_created_api_abc123",
                    "alice-maintainer",
                    "commit_created",
                    "2024-03-04T09:00:00.123456Z",
                    points=0,
                    meta={"sha": "abc123", "branch": "main"},
                ),
            ]
        ),
        "data/github/activities/bob-long-username.json": _pretty(
            [
                _activity(
                    "pr_opened_api#5",
                    None,
                    "pr_opened",
                    "2024-03-05T12:00:00Z",
                    title="Opened PR #5",
                    points=1,
                ),
                _activity(
                    "pr_reviewed_api#1_bob",
                    "bob-long-username",
                    "pr_reviewed",
                    "2024-03-01T09:00:00Z",
                    points=2,
                    meta={"state": "APPROVED"},
                ),
            ]
        ),
        "data/github/activities/dependabot[bot].json": _pretty(
            [
                _activity(
                    "pr_opened_api#9",
                    "dependabot[bot]",
                    "pr_opened",
                    "2024-03-06T00:00:00Z",
                    title="Bump lodash",
                    points=1,
                )
            ]
        ),
        "data/github/activities/new-intern-with-a-long-name.json": _pretty(
            [
                _activity(
                    "issue_opened_api#11",
                    "new-intern-with-a-long-name",
                    "issue_opened",
                    "2024-03-07T08:00:00Z",
                    title="Crash on start",
                    points=2,
                ),
                _activity(
                    "hackathon_entry_2024",
                    "new-intern-with-a-long-name",
                    "hackathon_entry",
                    "2024-03-08T08:00:00Z",
                    points=10,
                ),
            ]
        ),
        "data/slack/activities/alice-maintainer.json": _pretty(
            [
                _activity(
                    "eod_update_2024-03-04_alice-maintainer",
                    "alice-maintainer",
                    "eod_update",
                    "2024-03-04T18:00:00Z",
                    title="EOD Update",
                    text="<p>Reviewed PRs</p>",
                    points=2,
                )
            ]
        ),
        "data/slack/eod_messages/U01ALICE.json": _pretty(
            [
                {
                    "id": 1709575200000,
                    "user_id": "U01ALICE",
                    "timestamp": "2024-03-04T18:00:00Z",
                    "text": "Fixed the build",
                },
                # the oldest data used microseconds
                {
                    "id": 1709488800000000,
                    "user_id": "U01ALICE",
                    "timestamp": "2024-03-03T18:00:00+00:00",
                    "text": "Wrote docs",
                },
            ]
        ),
        "data/slack/eod_messages/USLACKBOT.json": _pretty(
            [
                {
                    "id": 1709575300000,
                    "user_id": "USLACKBOT",
                    "timestamp": "2024-03-04T18:01:40Z",
                    "text": "Reminder: post your EOD",
                }
            ]
        ),
        # The seed generator's root definitions file.
        "activity_definitions.json": _pretty(
            [
                {
                    "slug": "hackathon_entry",
                    "name": "Hackathon Entry",
                    "description": "Took part in a hackathon",
                    "points": 10,
                    "icon": "trophy",
                }
            ]
        ),
    }
    for rel, text in files.items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return data


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    env.update({"LEADERBOARD_NOW": "2024-04-01T00:00:00Z", "LEADERBOARD_OFFLINE": "1"})
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


tree = file_tree


def lines_of(data: Path, rel: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (data / rel).read_text(encoding="utf-8").splitlines()]


def test_everything_is_accounted_for_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    data = build_legacy(tmp_path)
    done = run("migrate-legacy", "-d", str(data))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Legacy files read: 9" in out  # 5 activity files, 2 queue files, 1 profile, 1 seed
    assert "Activities from github: 9 read = 7 converted + 1 already present + 1 conflicting" in out
    assert "Activities from slack: 1 read = 1 converted + 0 already present + 0 conflicting" in out
    # hackathon_entry (seed file) and pr_merged (current layout) are defined; the rest created:
    assert (
        "Definitions created: 6 (comment_created, commit_created, eod_update, issue_opened, "
        "pr_opened, pr_reviewed)"
    ) in out
    assert "Stub contributors created: 2 (dependabot[bot], new-intern-with-a-long-name)" in out
    assert "Profiles copied from data/contributors/: 1" in out
    assert "data/github/activities/alice-maintainer.json:" in out and "pr_merged_api#2" in out
    assert "Slack queue: 3 messages read = 2 moved + 0 already queued + 1 dropped" in out
    assert "USLACKBOT" in out and "legacy file(s) kept" in out

    # Activities: every legacy activity is in the current layout (or was reported).
    alice = lines_of(data, "activities/contributors/alice-maintainer.jsonl")
    by_slug = {a["slug"]: a for a in alice}
    assert by_slug["pr_merged_api#2"]["title"] == "Merged PR #2 (edited)"  # current wins
    comment = by_slug["comment_created_api#3_IC_kwDO"]
    assert comment["contributor"] == "alice-maintainer"  # spelling canonicalised
    assert comment["occurred_at"] == "2024-03-03T09:00:00.000Z"
    assert comment["meta"] is None and comment["repo_url"] == "https://github.com/example/api"
    assert "occured_at" not in comment and comment["points"] == 0
    assert by_slug["commit_created_api_abc123"]["occurred_at"] == "2024-03-04T09:00:00.123Z"
    assert by_slug["eod_update_2024-03-04_alice-maintainer"]["text"] == "<p>Reviewed PRs</p>"
    bob = lines_of(data, "activities/contributors/bob-long-username.jsonl")
    assert [a["slug"] for a in bob] == ["pr_reviewed_api#1_bob", "pr_opened_api#5"]
    assert bob[1]["contributor"] == "bob-long-username"  # from the file name
    total = sum(
        len(lines_of(data, f"activities/contributors/{p.name}"))
        for p in (data / "activities" / "contributors").iterdir()
    )
    assert total == 2 + 7 + 1  # the two current rows + converted legacy rows

    # Profiles: the legacy one copied byte for byte, stubs for the others.
    assert (data / "contributors" / "bob-long-username.md").read_bytes() == (
        data / "data" / "contributors" / "bob-long-username.md"
    ).read_bytes()
    assert not (data / "contributors" / "_sample.md").exists()
    bot = (data / "contributors" / "dependabot[bot].md").read_text()
    assert bot == "---\nrole: bot\nbot: true\n---\n\n"
    intern = (data / "contributors" / "new-intern-with-a-long-name.md").read_text()
    assert intern == "---\nrole: contributor\n---\n\n"

    # Definitions: created from the legacy table, the seed file's moved, the current kept.
    defs = {d["slug"]: d for d in json.loads((data / "activities/definitions.json").read_text())}
    assert defs["comment_created"] == {
        "slug": "comment_created",
        "name": "Commented",
        "description": "Commented on an Issue/PR",
        "points": 0,
        "icon": "message-circle",
    }
    assert defs["eod_update"]["name"] == "EOD Update" and defs["eod_update"]["points"] == 2
    assert defs["hackathon_entry"]["icon"] == "trophy" and defs["pr_merged"]["points"] == 7

    # The Slack queue: ids in milliseconds, canonical timestamps, ordered by id; no USLACKBOT.
    queue = lines_of(data, "slack/pending/U01ALICE.jsonl")
    assert queue == [
        {
            "id": 1709488800000,
            "user_id": "U01ALICE",
            "timestamp": "2024-03-03T18:00:00.000Z",
            "text": "Wrote docs",
        },
        {
            "id": 1709575200000,
            "user_id": "U01ALICE",
            "timestamp": "2024-03-04T18:00:00.000Z",
            "text": "Fixed the build",
        },
    ]
    assert not (data / "slack" / "pending" / "USLACKBOT.jsonl").exists()
    assert (data / "data" / "github" / "activities" / "alice-maintainer.json").exists()

    before = tree(data)
    again = run("migrate-legacy", "-d", str(data))
    assert again.returncode == 0, again.stderr
    assert tree(data) == before  # byte-identical, not even rewritten
    assert "Files: 0 created, 0 rewritten, 0 deleted" in again.stdout
    assert "9 read = 0 converted + 8 already present + 1 conflicting" in again.stdout
    assert "Slack queue: 3 messages read = 0 moved + 2 already queued + 1 dropped" in again.stdout

    valid = run("validate", "-d", str(data))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "0 error(s)" in valid.stdout or valid.stdout.startswith("OK")
    roundtrip = run("run", "import", "export", "-d", str(data))
    assert roundtrip.returncode == 0, roundtrip.stderr
    assert tree(data) == before  # run import export changes nothing


def test_dry_run_writes_nothing_and_lists_what_it_would_do(tmp_path: Path) -> None:
    data = build_legacy(tmp_path)
    before = tree(data)
    done = run("migrate-legacy", "--dry-run", "-d", str(data))
    assert done.returncode == 0, done.stderr
    assert tree(data) == before and not (data / ".leaderboard.lock").exists()
    out = done.stdout
    assert "nothing was written" in out
    assert "would be created: contributors/dependabot[bot].md" in out
    assert "would be created: slack/pending/U01ALICE.jsonl" in out
    assert "would be rewritten: activities/contributors/alice-maintainer.jsonl" in out
    assert "would be rewritten: activities/definitions.json" in out
    real = run("migrate-legacy", "-d", str(data))
    created = [x.split(": ", 1)[1] for x in real.stdout.splitlines() if x.startswith("created: ")]
    planned = [x.split(": ", 1)[1] for x in out.splitlines() if x.startswith("would be created: ")]
    assert created == planned and created


def test_remove_legacy_keeps_files_with_conflicts(tmp_path: Path) -> None:
    data = build_legacy(tmp_path)
    # An older copy of Alice's profile: the current one wins, the legacy one is kept.
    (data / "data/contributors/Alice-Maintainer.md").write_text("---\nrole: contributor\n---\n")
    done = run("migrate-legacy", "--remove-legacy", "-d", str(data))
    assert done.returncode == 0, done.stderr
    assert (
        "data/contributors/Alice-Maintainer.md: differs from contributors/alice-maintainer.md; "
        "that one is kept"
    ) in done.stdout
    assert (data / "contributors/alice-maintainer.md").read_text().startswith("---\nname: Alice")
    legacy_left = sorted(
        p.relative_to(data).as_posix() for p in (data / "data").rglob("*") if p.is_file()
    )
    # Alice's GitHub file holds the conflicting PR #2; the template was never converted.
    assert legacy_left == [
        "data/contributors/Alice-Maintainer.md",
        "data/contributors/_sample.md",
        "data/github/activities/alice-maintainer.json",
    ]
    assert not (data / "activity_definitions.json").exists()
    assert not (data / "data" / "slack").exists()  # emptied directories are removed
    assert "removed (legacy): data/slack/eod_messages/USLACKBOT.json" in done.stdout
    before = tree(data)
    again = run("migrate-legacy", "--remove-legacy", "-d", str(data))
    assert again.returncode == 0, again.stderr
    assert tree(data) == before
    assert run("validate", "-d", str(data)).returncode == 0


def test_modern_github_slugs_rename_definitions_and_slugs(tmp_path: Path) -> None:
    data = build_legacy(tmp_path)
    done = run(
        "migrate-legacy",
        "--modern-github-slugs",
        "--map-definition",
        "eod_update=daily_update",
        "-d",
        str(data),
    )
    assert done.returncode == 0, done.stderr
    slugs = {a["slug"]: a for a in lines_of(data, "activities/contributors/alice-maintainer.jsonl")}
    assert slugs["commented_api#3_IC_kwDO"]["activity_definition"] == "commented"
    assert slugs["commited_api_abc123"]["activity_definition"] == "commited"
    assert (
        slugs["daily_update_2024-03-04_alice-maintainer"]["activity_definition"] == "daily_update"
    )
    defs = {d["slug"]: d for d in json.loads((data / "activities/definitions.json").read_text())}
    assert "comment_created" not in defs and defs["commited"]["points"] is None
    assert defs["daily_update"] == {
        "slug": "daily_update",
        "name": "Daily Update",
        "description": "Migrated from legacy data",
        "points": None,
        "icon": None,
    }


def test_malformed_legacy_json_names_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    data = build_legacy(tmp_path)
    (data / "data/github/activities/broken.json").write_text(
        '[\n  {\n    "slug": "x",\n    "contributor": "broken"\n    "activity_definition": 1\n  }\n]'
    )
    (data / "data/github/activities/zz-bad.json").write_text(
        '[\n  {"slug": "ok_1", "activity_definition": "pr_opened", "occured_at": '
        '"2024-01-01T00:00:00Z"},\n  {"activity_definition": "pr_opened", "occured_at": "x"}\n]'
    )
    (data / "data/slack/eod_messages/U02BOB.json").write_text('[{"id": 1, "text": "hi"}]')
    before = tree(data)
    done = run("migrate-legacy", "-d", str(data))
    assert done.returncode == 3
    err = done.stderr
    assert "data/github/activities/broken.json:5:5: error: invalid JSON" in err
    assert "data/github/activities/zz-bad.json:3: error: slug must be a non-empty string" in err
    assert "data/slack/eod_messages/U02BOB.json:1: error: user_id must be a non-empty string" in err
    assert tree(data) == before


def test_an_invalid_legacy_profile_is_named_by_its_legacy_path(tmp_path: Path) -> None:
    data = build_legacy(tmp_path)
    (data / "data/contributors/zoe-without-role.md").write_text("---\nname: Zoe\n---\n")
    before = tree(data)
    done = run("migrate-legacy", "-d", str(data))
    assert done.returncode == 3
    assert "data/contributors/zoe-without-role.md" in done.stderr
    assert "missing required key 'role'" in done.stderr
    assert tree(data) == before
