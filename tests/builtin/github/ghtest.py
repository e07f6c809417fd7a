"""Helpers of the GitHub plugin tests: the fixture organisation, data dirs whose config points the
plugin at a fake GitHub server, the CLI in a subprocess, and in-process hook runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from leaderboard.builtin.github import GithubPlugin
from leaderboard.db import Database
from leaderboard.plugins.hooks import HookResult, run_hook
from leaderboard.plugins.static import apply_plugin_definitions
from leaderboard.testing import make_context

FIXTURES = Path(__file__).parents[2] / "fixtures" / "github"
ORG_FILE = FIXTURES / "acme-health.json"
EXPECTED = FIXTURES / "expected-activities.jsonl"
NOW = "2025-01-15T12:00:00Z"
TOKEN = "ghp_TESTtoken0000000000000000000000000001"
TOKEN2 = "ghp_TESTtoken0000000000000000000000000002"


def org_document() -> dict[str, Any]:
    return json.loads(ORG_FILE.read_text(encoding="utf-8"))


CONFIG = """org:
  name: Acme Health
  description: Open healthcare software
  url: https://acme-health.example.org
  logo_url: /logo.svg
meta:
  site_url: https://leaderboard.acme-health.example.org
leaderboard:
  timezone: Asia/Kolkata
  roles:
    core: {{name: Core}}
    contributor: {{name: Contributor}}
    bot: {{name: Bot, hidden: true}}
  plugins:
{plugins}
"""


def github_entry(api_url: str, *, plugin_id: str = "github", **config: Any) -> str:
    """A YAML plugin entry; tokens come from the environment like in production."""
    settings = {
        "githubOrg": "acme-health",
        "githubToken": "${{ env.GITHUB_TOKEN }}",
        "apiUrl": api_url,
        "discussions": True,
        **config,
    }
    lines = [f"    {plugin_id}:", "      source: github", "      config:"]
    for key, value in settings.items():
        lines.append(
            f"        {key}: {json.dumps(value) if not isinstance(value, str) or '$' not in value else value}"
        )
    return "\n".join(lines)


def make_data_dir(root: Path, *entries: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(CONFIG.format(plugins="\n".join(entries)), encoding="utf-8")
    return root


def cli(
    data: Path, *args: str, now: str = NOW, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`python -m leaderboard run -d DATA ARGS` with a fixed now and the test token."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LEADERBOARD_", "SCRAPE_"))}
    full.update({"LEADERBOARD_NOW": now, "GITHUB_TOKEN": TOKEN, **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", "run", "-d", str(data), *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
    )


def exported_activities(data: Path) -> list[dict[str, Any]]:
    """Every exported activity line, with the file's contributor, sorted by slug."""
    rows = []
    for path in sorted((data / "activities" / "contributors").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append({"file": path.name, **json.loads(line)})
    return sorted(rows, key=lambda r: r["slug"])


def data_files(data: Path) -> dict[str, bytes]:
    """The data repository's files (local state and progress files excluded)."""
    out = {}
    for path in sorted(data.rglob("*")):
        rel = path.relative_to(data).as_posix()
        if path.is_file() and not rel.startswith(".leaderboard") and "scrape" not in rel:
            out[rel] = path.read_bytes()
    return out


class Sleeps:
    """An injectable `ctx.async_sleep` that records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class _Loaded:
    def __init__(self, plugin: Any, plugin_id: str = "github") -> None:
        self.id = plugin_id
        self.index = 1
        self.plugin = plugin


def run_plugin(
    db: Database,
    config: dict[str, Any],
    data_dir: Path,
    *,
    hooks: tuple[str, ...] = ("setup", "scrape", "aggregate"),
    sleeps: Sleeps | None = None,
    clock: Callable[[], float] | None = None,
    now: str = NOW,
) -> dict[str, HookResult]:
    """Run hooks in-process against a real server (a real network transport)."""
    plugin = GithubPlugin(clock=clock) if clock else GithubPlugin(clock=lambda: 1_736_942_400.0)
    loaded = _Loaded(plugin)
    apply_plugin_definitions(db, plugin)
    results = {}
    for hook in hooks:
        ctx = make_context(
            "github",
            config=config,
            db=db,
            now=now,
            transport=httpx.AsyncHTTPTransport(),  # type: ignore[arg-type]
            data_dir=data_dir,
            async_sleep=sleeps,
        )
        results[hook] = run_hook(db, loaded, hook, ctx)
    return results
