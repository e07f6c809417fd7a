"""Real git repositories for the git plugin's tests: `git init`, commits with fixed people and
dates (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE), merges and trailers — no mocks of git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from leaderboard.testing import file_tree

# Global and system git configuration must not change what the tests see.
BASE_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "LC_ALL": "C",
}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full = {**os.environ, **BASE_ENV, **(env or {})}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=full, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def init(repo: Path, branch: str = "main") -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", branch)
    git(repo, "config", "user.name", "Test Runner")
    git(repo, "config", "user.email", "runner@example.invalid")
    git(repo, "config", "commit.gpgsign", "false")
    return repo


def commit(
    repo: Path,
    author: tuple[str, str],
    date: str,
    message: str,
    files: dict[str, str | bytes] | None = None,
    *,
    committer: tuple[str, str] | None = None,
) -> str:
    """Write `files`, commit them as `author` at `date` (committer date = author date), return
    the sha."""
    for rel, content in (files or {}).items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        git(repo, "add", rel)
    who = committer or author
    env = {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
        "GIT_COMMITTER_DATE": date,
    }
    git(repo, "commit", "-q", "--allow-empty", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD")


def merge(repo: Path, branch: str, author: tuple[str, str], date: str, message: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": author[0],
        "GIT_COMMITTER_EMAIL": author[1],
        "GIT_COMMITTER_DATE": date,
    }
    git(repo, "merge", "-q", "--no-ff", "-m", message, branch, env=env)
    return git(repo, "rev-parse", "HEAD")


# --- a small organisation: two repositories, profiles with linked identities ------------------

ALICE_OLD = ("alice", "alice@old-laptop.local")
ALICE = ("Alice Wonderland", "alice@example.org")
BOB = ("Bob Builder", "12345+bob-the-builder@users.noreply.github.com")
CAROL_GH = ("Carol Danvers", "carolgh@users.noreply.github.com")
CAROL = ("Carol Danvers", "Carol@Corp.Example")
DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
DAVE = ("Dave Random", "dave@random.example")
DAVE_OTHER = ("Dave Other", "Dave@other.example")

LONG_SUBJECT = "Refactor " + "the configuration loader so that every option is documented " * 5

CONFIG = """org:
  name: Example Org
  description: An organisation with local repositories
  url: https://example.org
  logo_url: https://example.org/logo.png
meta:
  site_url: https://leaderboard.example.org
leaderboard:
  timezone: Asia/Kolkata
  plugins:
    git:
      source: git
      config:
        createContributors: true
        repositories:
          - path: ../repos/api
            url: https://git.example.org/api/commit/{{sha}}
          - path: {docs}
            refs: [main, release]
{extra}"""

PROFILES = {
    "alice-wonderland-example": (
        "---\nname: Alice Wonderland\nrole: core\nidentities:\n  email: [alice@example.org]\n---\n"
    ),
    "bob-the-builder": "---\nname: Bob Builder\nrole: contributor\n---\n",
    "carol-long-username-example": (
        "---\nname: Carol Danvers\nrole: contributor\nidentities:\n  github: carolgh\n"
        "  email: carol@corp.example\n---\n"
    ),
}
DEFINITIONS = (
    '[\n  {\n    "slug": "pr_merged",\n    "name": "PR Merged",\n    "description": '
    '"Merged a Pull Request",\n    "points": 5,\n    "icon": "git-merge"\n  }\n]'
)
# Carol's pull request, as the GitHub plugin recorded it under her linked login.
CAROL_PR = (
    '{"slug":"pr_merged_api#7","contributor":"carol-long-username-example",'
    '"activity_definition":"pr_merged","title":"Merged PR #7","occurred_at":'
    '"2024-01-04T12:00:00.000Z","link":"https://github.com/example/api/pull/7","text":null,'
    '"points":null,"meta":{}}\n'
)


def build_api(repo: Path) -> Path:
    init(repo)
    (repo / ".mailmap").write_text(
        "Alice Wonderland <alice@example.org> <alice@old-laptop.local>\n", encoding="utf-8"
    )
    commit(
        repo,
        ALICE_OLD,
        "2024-01-02T09:00:00+05:30",
        "Initial commit",
        {"README.md": "# api\n\nThe API.\n", "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary"},
    )
    git(repo, "add", ".mailmap")
    commit(repo, ALICE_OLD, "2024-01-02T09:30:00+05:30", "Add a mailmap")
    commit(
        repo,
        BOB,
        "2024-01-03T10:00:00Z",
        "Add the parser\n\nPaired on this.\n\n"
        "Co-authored-by: Carol Danvers <Carol@Corp.Example>\n"
        "Co-authored-by: Bob Builder <12345+bob-the-builder@users.noreply.github.com>\n"
        "Co-authored-by: Dave Random <dave@random.example>",
        {"src/parser.py": "".join(f"line {i}\n" for i in range(10))},
    )
    commit(
        repo,
        CAROL_GH,
        "2024-01-04T08:00:00Z",
        "Fix a parser edge case",
        {"src/parser.py": "".join(f"line {i}\n" for i in range(9)) + "fixed\n"},
    )
    commit(
        repo,
        DEPENDABOT,
        "2024-01-05T03:00:00Z",
        "Bump requests from 2.31.0 to 2.32.0",
        {"requirements.txt": "requests==2.32.0\n"},
    )
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, ALICE, "2024-01-06T09:00:00Z", "Export to CSV", {"src/export.py": "x = 1\n"})
    git(repo, "checkout", "-q", "main")
    commit(
        repo,
        CAROL,
        "2024-01-06T12:00:00Z",
        "Fix a typo in the README",
        {"README.md": "# api\n\nThe API!\n"},
    )
    merge(repo, "feature", ALICE, "2024-01-07T10:00:00Z", "Merge branch 'feature'")
    commit(repo, DAVE, "2024-01-08T10:00:00Z", LONG_SUBJECT, {"docs/config.md": "all options\n"})
    commit(
        repo, DAVE_OTHER, "2024-01-09T10:00:00Z", "Drive-by fix", {"docs/config.md": "options\n"}
    )
    return repo


def build_docs(repo: Path) -> Path:
    init(repo)
    commit(repo, ALICE, "2024-01-10T10:00:00Z", "Start the docs", {"index.md": "# Docs\n"})
    git(repo, "branch", "release")
    git(repo, "checkout", "-q", "release")
    commit(repo, BOB, "2024-01-11T10:00:00Z", "Release notes for 1.0", {"notes.md": "1.0\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, CAROL, "2024-01-12T10:00:00Z", "Document the parser", {"parser.md": "p\n"})
    return repo


def build_org(root: Path, *, extra: str = "") -> Path:
    """`root/data` (config, profiles, Carol's GitHub activity) and `root/repos/{api,docs}`."""
    build_api(root / "repos" / "api")
    build_docs(root / "repos" / "docs")
    data = root / "data"
    data.mkdir(parents=True)
    (data / "config.yaml").write_text(
        CONFIG.format(docs=root / "repos" / "docs", extra=extra), encoding="utf-8"
    )
    for username, text in PROFILES.items():
        path = data / "contributors" / f"{username}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (data / "activities" / "contributors").mkdir(parents=True)
    (data / "activities" / "definitions.json").write_text(DEFINITIONS, encoding="utf-8")
    (data / "activities" / "contributors" / "carol-long-username-example.jsonl").write_text(
        CAROL_PR, encoding="utf-8"
    )
    return data


def run_cli(*args: str, now: str = "2024-02-01T12:00:00Z") -> subprocess.CompletedProcess[str]:
    """`python -m leaderboard ARGS` offline, with a fixed now and JSON logs."""
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    env.update({"LEADERBOARD_NOW": now, "LEADERBOARD_OFFLINE": "1", **BASE_ENV})
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def log_records(stderr: str) -> list[dict[str, object]]:
    import json

    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


tree = file_tree
