"""Helpers for the Slack plugin tests: the fixture workspace, a copy of the fixture data repo,
and `leaderboard run` as a real subprocess pointed at the fake Slack server."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leaderboard.testing.slack_server import FakeSlack

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slack"
TOKEN = "xoxb-2041-ohc-NEVER-LOGGED-9f3c1e"
NOW = "2024-04-10T15:00:00Z"  # 20:30 in Asia/Kolkata
PAGE_SIZE = 6  # Slack may answer with fewer messages than `limit`; this forces several pages

_WORKSPACE = json.loads((FIXTURES / "workspace.json").read_text(encoding="utf-8"))


@pytest.fixture
def workspace() -> dict[str, Any]:
    """A fresh copy of the fixture workspace (tests may edit it)."""
    return copy.deepcopy(_WORKSPACE)


@pytest.fixture
def slack(fake_slack: Callable[..., FakeSlack], workspace: dict[str, Any]) -> FakeSlack:
    """The fake Slack server with the fixture workspace and every scope granted."""
    return fake_slack(workspace, token=TOKEN, page_size=PAGE_SIZE)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of `tests/fixtures/slack/data`."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", target)
    return target


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(slack: FakeSlack) -> RunCli:
    """`python -m leaderboard ARGS` with a fixed now, the token and the fake server's URL."""

    def run(
        *args: str, token: str = TOKEN, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full = {k: v for k, v in os.environ.items() if not k.startswith(("LEADERBOARD_", "SLACK_"))}
        full.update(
            {
                "LEADERBOARD_NOW": NOW,
                "SLACK_API_TOKEN": token,
                "SLACK_API_URL": slack.api_url,
                **(env or {}),
            }
        )
        return subprocess.run(
            [sys.executable, "-m", "leaderboard", *args],
            capture_output=True,
            text=True,
            env=full,
            timeout=120,
        )

    return run


def files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every data file under root (the working DB excluded) with its bytes and mtime."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".leaderboard"):
            out[rel] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def activity_lines(root: Path) -> list[str]:
    """All exported activity lines, file by file in name order."""
    folder = root / "activities" / "contributors"
    return [
        line
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
