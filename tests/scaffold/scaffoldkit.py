"""Shared helpers for the scaffolder tests (a unique module name): the CLI as a subprocess and the dev tools on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ORG_FLAGS = [
    "--org-name",
    "Acme Open Source Collective",
    "--org-description",
    "Tools for people who build tools",
    "--org-url",
    "https://acme-collective.example",
    "--org-logo-url",
    "https://acme-collective.example/logo.svg",
    "--site-url",
    "https://acme-collective.github.io/leaderboard",
    "--github-url",
    "https://github.com/acme-collective",
]


def tool(name: str) -> str:
    """A dev tool installed next to this interpreter; missing → a loud failure, never a skip."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run `pip install -e '.[dev]'`")
    return found


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 180, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    env.update(
        {
            "LEADERBOARD_NOW": "2025-01-15T12:00:00Z",
            "LEADERBOARD_OFFLINE": "1",
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        input=stdin,
    )
