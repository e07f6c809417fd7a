"""What `leaderboard init` writes (ECO-30, ECO-31): config.yaml, README, .gitignore, directories,
the workflow, and the first commit.

Everything is rendered in memory first and written only after every answer has been checked, so
a failure before writing leaves the target untouched.
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaderboard.config.datadir import CACHE_DIR_NAME, PUBLIC_DB_NAME
from leaderboard.errors import LeaderboardError
from leaderboard.scaffold.answers import InitAnswers, all_roles, github_owner
from leaderboard.scaffold.workflow import (
    WorkflowOptions,
    default_package,
    deploy_secrets,
    render_workflow,
    secret_names,
)

log = logging.getLogger("leaderboard.init")

GITIGNORE = (
    ".leaderboard.db",
    ".leaderboard.db-journal",
    ".leaderboard.db-wal",
    ".leaderboard.db-shm",
    PUBLIC_DB_NAME,
    ".leaderboard.lock",
    f"{CACHE_DIR_NAME}/",
    ".scrape-progress.json",
    "scrape-status.md",
    "_site/",
    ".env",
    ".env.*",
    "__pycache__/",
    ".venv/",
    ".DS_Store",
    "Thumbs.db",
    "*.log",
    ".idea/",
    ".vscode/",
)
WORKFLOW_PATH = ".github/workflows/leaderboard.yml"
COMMIT_MESSAGE = "Initial commit: Initialize leaderboard data repository"

EXAMPLES = """\
# Examples (uncomment and adapt):
#   plugins:
#     github: {source: github, config: {githubOrg: your-org, githubToken: '${{ env.GITHUB_TOKEN }}'}}
#     slack: {source: slack, config: {slackApiToken: '${{ env.SLACK_API_TOKEN }}', slackChannel: '${{ env.SLACK_CHANNEL }}'}}
#     git: {source: git, config: {repositories: [{path: ../my-repo}]}}
#   aggregates:
#     global: [total_activities, count_contributors]
#     contributor: [total_points, total_activities, activity_types]
#   top_contributors: [pr_merged, pr_opened, issue_opened]
#   badges:
#     definitions:
#       - slug: activity_milestone
#         name: Activity Milestone
#         description: Awarded for reaching activity milestones
#         variants:
#           bronze: {description: 10+ activities, svg_url: /assets/badges/bronze.svg, order: 1}
#           silver: {description: 50+ activities, svg_url: /assets/badges/silver.svg, order: 2}
#     rules:
#       - {type: threshold, badge_slug: activity_milestone, aggregate_slug: activity_count,
#          thresholds: [{variant: bronze, value: 10}, {variant: silver, value: 50}]}
"""


def plugin_entry(name: str, answers: InitAnswers) -> dict[str, Any]:
    """The `leaderboard.plugins.<name>` block for a plugin chosen at init (ECO-30)."""
    if name == "github":
        owner = github_owner(answers.github_url) or "your-org"
        return {
            "name": "GitHub",
            "source": "github",
            "config": {"githubOrg": owner, "githubToken": "${{ env.GITHUB_TOKEN }}"},
        }
    if name == "slack":
        return {
            "name": "Slack",
            "source": "slack",
            "config": {
                "slackApiToken": "${{ env.SLACK_API_TOKEN }}",
                "slackChannel": "${{ env.SLACK_CHANNEL }}",
            },
        }
    if name == "git":
        return {"name": "Git", "source": "git", "config": {"repositories": [{"path": "../repo"}]}}
    # dummy: seeded demo data, so a fresh repository shows a populated site before any token.
    return {"name": "Demo data", "source": "dummy", "config": {"contributors": {"count": 25}}}


def config_mapping(answers: InitAnswers) -> dict[str, Any]:
    """ECO-30's key order; optional values only when given."""
    org: dict[str, Any] = {
        "name": answers.org_name,
        "description": answers.org_description,
        "url": answers.org_url,
        "logo_url": answers.org_logo_url,
    }
    if answers.org_start_date:
        org["start_date"] = answers.org_start_date
    socials = {
        key: value
        for key, value in (
            ("github", answers.github_url),
            ("slack", answers.slack_url),
            ("linkedin", answers.linkedin_url),
            ("youtube", answers.youtube_url),
            ("email", answers.email),
        )
        if value
    }
    if socials:
        org["socials"] = socials
    meta = {
        "title": answers.meta_title,
        "description": answers.meta_description,
        "image_url": answers.meta_image_url,
        "site_url": answers.site_url,
        "favicon_url": answers.favicon_url,
    }
    board: dict[str, Any] = {
        "data_source": answers.data_source,
        "data_update_frequency": answers.schedule,
        "timezone": answers.timezone,
    }
    if answers.theme_url:
        board["theme"] = answers.theme_url
    roles: dict[str, Any] = {}
    for role in all_roles(answers):
        entry: dict[str, Any] = {"name": role.name}
        if role.description:
            entry["description"] = role.description
        if role.hidden:
            entry["hidden"] = True
        roles[role.key] = entry
    board["roles"] = roles
    if answers.plugins:
        board["plugins"] = {name: plugin_entry(name, answers) for name in answers.plugins}
    return {"org": org, "meta": meta, "leaderboard": board}


def render_config(answers: InitAnswers) -> str:
    from leaderboard.datarepo.yamlstyle import dump_mapping

    return dump_mapping(config_mapping(answers)) + EXAMPLES


def render_readme(answers: InitAnswers, secrets: list[str], workflow: bool) -> str:
    """The data repository's README (ECO-31)."""
    org = answers.org_name
    role_lines = []
    for role in all_roles(answers):
        text = f"- `{role.key}` — {role.name}"
        if role.description:
            text += f": {role.description}"
        if role.hidden:
            text += " (hidden)"
        role_lines.append(text)
    if secrets:
        secret_text = "\n".join(f"- `{s}`" for s in secrets)
        secrets_section = (
            "Create these repository secrets (Settings → Secrets and variables → Actions); the "
            "workflow passes them to `leaderboard run` as environment variables and they never "
            "reach the data files, the site or the logs:\n\n" + secret_text
        )
    else:
        secrets_section = (
            "No secrets are needed yet. When you enable a plugin that needs a token (for "
            "example `githubToken: '${{ env.GITHUB_TOKEN }}'`), add a repository secret and map "
            'it in the workflow\'s `env:` block of the "Run pipeline" step (secrets cannot start '
            "with `GITHUB_`, so use `LEADERBOARD_GITHUB_TOKEN`)."
        )
    workflow_text = (
        f"`{WORKFLOW_PATH}` runs the pipeline on a schedule (`{answers.schedule}`), commits the "
        "updated data back to this repository, builds the site and deploys it "
        f'(`{answers.deploy}`). Run it by hand from the Actions tab ("Run workflow").'
        if workflow
        else "No workflow was generated (`--no-workflow`); run the commands below on a schedule."
    )
    return f"""# {org} Leaderboard Data

The data behind the {org} contributor leaderboard: contributor profiles and their activities,
kept in git so every change is reviewable. The site is generated from this repository with
[contributor-leaderboard](https://github.com/contributor-leaderboard/contributor-leaderboard).

## Repository structure

```
config.yaml                      organisation, site and plugin configuration
contributors/<username>.md       one profile per contributor (YAML front matter + bio)
activities/contributors/<username>.jsonl   that contributor's activities, one JSON object a line
activities/definitions.json      activity types (written by the pipeline)
badges/                          badge definitions and awards (written by the pipeline)
aggregates/                      computed statistics (written by the pipeline)
.github/workflows/leaderboard.yml  the scheduled update and deployment
```

The working database (`.leaderboard.db`) is a cache rebuilt from these files on every run; it is
git-ignored and never needs to be kept.

## How to run

```sh
pip install contributor-leaderboard   # or a built wheel / a checkout, until it is on PyPI
leaderboard validate                  # every problem as file:line; writes nothing
leaderboard run                       # import → scrape → aggregate → badges → export
leaderboard build                     # the static site in _site/
leaderboard serve                     # http://127.0.0.1:8000/
```

## Scheduled updates

{workflow_text}

## Secrets

{secrets_section}

## Contributor profiles

`contributors/<username>.md` holds YAML front matter followed by an optional Markdown bio.
Fields: `name`, `role` (a key of `leaderboard.roles`), `title`, `avatar_url`, `social_profiles`,
`joining_date`, `meta`, `identities` (accounts on other services that belong to this person),
`visibility` (`public`, `pseudonymous` or `hidden`) and `bot`.

```markdown
---
name: Alice Example
role: core
title: Maintainer
avatar_url: https://avatars.githubusercontent.com/u/1?v=4
social_profiles:
  github: https://github.com/alice-example
joining_date: '2023-04-01'
meta:
  team: platform
identities:
  github: [alice-example, alice-work]
  email: alice@example.org
visibility: public
bot: false
---
Alice maintains the build tooling.
```

## Activities

`activities/contributors/<username>.jsonl` has one JSON object per line with the fields `slug`
(unique id), `contributor`, `activity_definition`, `title`, `occurred_at` (ISO 8601 UTC), `link`,
`text`, `points` (null = the definition's default) and `meta`:

```json
{{"slug": "pr-merged-acme-api-42", "contributor": "alice-example", "activity_definition": "pr_merged", "title": "Add rate limiting", "occurred_at": "2025-01-14T09:30:00Z", "link": "https://github.com/acme/api/pull/42", "text": null, "points": null, "meta": {{}}}}
```

## Roles

{chr(10).join(role_lines)}
"""


@dataclass(frozen=True)
class Scaffold:
    """The rendered files, relative path → text."""

    files: dict[str, str]
    secrets: list[str]


def render_scaffold(
    answers: InitAnswers, *, workflow: bool, package: str | None = None
) -> Scaffold:
    config_text = render_config(answers)
    pairs = secret_names(config_text)
    secrets = [secret for _, secret in pairs] + deploy_secrets(answers.deploy) if workflow else []
    files = {
        "config.yaml": config_text,
        "README.md": render_readme(answers, secrets, workflow),
        ".gitignore": "\n".join(GITIGNORE) + "\n",
        "contributors/.gitkeep": "",
        "activities/contributors/.gitkeep": "",
    }
    if workflow:
        files[WORKFLOW_PATH] = render_workflow(
            WorkflowOptions(
                schedule=answers.schedule,
                deploy=answers.deploy,
                secrets=tuple(pairs),
                package=package or default_package(),
            )
        )
    return Scaffold(files, secrets)


def check_target(directory: Path) -> None:
    """ECO-28: DIR may be missing or hold only dotfiles (such as `.git`)."""
    if directory.exists() and not directory.is_dir():
        raise LeaderboardError(f"{directory} exists and is not a directory")
    if directory.is_dir():
        visible = sorted(e.name for e in directory.iterdir() if not e.name.startswith("."))
        if visible:
            raise LeaderboardError(f"Directory {directory} is not empty")
        workflow = directory / WORKFLOW_PATH
        if workflow.exists():
            raise LeaderboardError(f"{workflow} already exists; remove it or use --no-workflow")


def write_scaffold(directory: Path, scaffold: Scaffold) -> None:
    """Write every file (atomically each); an existing `.gitignore` is kept, the ours appended."""
    from leaderboard.datarepo.atomic import write_if_changed

    directory.mkdir(parents=True, exist_ok=True)
    for rel, text in scaffold.files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel == ".gitignore" and path.exists():
            existing = path.read_text(encoding="utf-8")
            missing = [line for line in GITIGNORE if line not in existing.splitlines()]
            text = existing.rstrip("\n") + "\n" + "\n".join(missing) + "\n" if missing else existing
        write_if_changed(path, text.encode("utf-8"))


def git_commit(directory: Path) -> None:
    """ECO-31: `git init` (unless already inside a repository), add, commit; failures only WARN."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, env=os.environ.copy()
        )

    try:
        inside = git("rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0:
            done = git("init", "-q")
            if done.returncode != 0:
                log.warning("git init failed: %s", done.stderr.strip())
                return
        git("add", "-A")
        done = git("commit", "-q", "-m", COMMIT_MESSAGE)
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip().splitlines()
            log.warning(
                "git commit failed (%s); commit the files yourself",
                reason[-1] if reason else f"exit {done.returncode}",
            )
    except OSError as exc:
        log.warning("git is not available (%s); the files were written but not committed", exc)
