"""End-to-end helpers: real data dirs in tmp_path and the CLI as a subprocess (fixture `cli`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from leaderboard.testing import file_tree

BASE_CONFIG = """org:
  name: Test Org
  description: An organisation for end-to-end tests
  url: https://example.org
  logo_url: /logo.svg
meta:
  site_url: https://leaderboard.example.org
leaderboard:
  timezone: {timezone}
  roles:
    core: {{name: Core}}
    bot: {{name: Bot, hidden: true}}
{extra}"""


def write_config(data: Path, *, timezone: str = "UTC", extra: str = "") -> None:
    data.mkdir(parents=True, exist_ok=True)
    (data / "config.yaml").write_text(
        BASE_CONFIG.format(timezone=timezone, extra=extra), encoding="utf-8"
    )


def write(data: Path, rel: str, text: str) -> Path:
    path = data / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli() -> Runner:
    """Run `python -m leaderboard ARGS` with a fixed now, offline, no inherited data dir."""

    def run(
        *args: str,
        now: str = "2024-02-01T12:00:00Z",
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        full = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
        full.update({"LEADERBOARD_NOW": now, "LEADERBOARD_OFFLINE": "1", **(env or {})})
        return subprocess.run(
            [sys.executable, "-m", "leaderboard", *args],
            capture_output=True,
            text=True,
            env=full,
            timeout=timeout,
        )

    return run


tree = file_tree  # every file under root (local state excluded) with its bytes and mtime
