"""NEW-21: `leaderboard plugins` reports each configured plugin without running hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CONFIG = """org:
  name: Report Org
  description: d
  url: https://example.org
  logo_url: /logo.svg
leaderboard:
  plugins:
    dummy:
      source: dummy
    standup:
      source: ./plugins/standup.py
    broken:
      source: ./plugins/broken.py
    retired:
      source: ./plugins/missing.py
      enabled: false
"""
STANDUP = '''"""Counts stand-up notes (a local path plugin)."""
name = "standup"
version = "2.1.0"
activity_definitions = [{"slug": "standup_note", "name": "Stand-up note",
                         "description": "Posted a stand-up", "points": 1}]

def scrape(ctx):
    raise AssertionError("plugins must not run hooks")
'''


def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "plugins").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG)
    (root / "plugins" / "standup.py").write_text(STANDUP)
    (root / "plugins" / "broken.py").write_text("name = 'broken'\n")  # no version, no hooks
    return root


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", *args], capture_output=True, text=True, env=env
    )


def test_new_21_json_report_and_exit_1_on_invalid(tmp_path: Path) -> None:
    out = run("plugins", "-d", str(data_dir(tmp_path)), "--format", "json")
    assert out.returncode == 1, out.stderr
    rows = {r["id"]: r for r in json.loads(out.stdout)["plugins"]}
    assert list(rows) == ["dummy", "standup", "broken", "retired"]
    assert rows["dummy"]["kind"] == "builtin" and rows["dummy"]["status"] == "ok"
    assert rows["dummy"]["hooks"] == ["scrape", "aggregate"]
    standup = rows["standup"]
    assert (standup["kind"], standup["version"], standup["hooks"]) == ("path", "2.1.0", ["scrape"])
    assert standup["activity_definitions"] == 1 and standup["status"] == "ok"
    assert rows["broken"]["status"] != "ok" and "broken" in rows["broken"]["status"]
    assert rows["retired"]["enabled"] is False and rows["retired"]["status"] == "disabled"
    # the load error appears once, in the report, not again as a log line
    assert rows["broken"]["status"] not in out.stderr


def test_new_21_installed_lists_entry_points(tmp_path: Path) -> None:
    out = run("plugins", "-d", str(data_dir(tmp_path)), "--installed")
    assert "dummy = leaderboard.builtin.dummy:plugin" in out.stdout
    assert "contributor-leaderboard" in out.stdout
    assert "✗ broken" in out.stdout and "✓ standup" in out.stdout


def test_validate_prints_each_plugin_error_once(tmp_path: Path) -> None:
    out = run("validate", "-d", str(data_dir(tmp_path)))
    assert out.returncode == 3
    combined = out.stdout + out.stderr
    assert combined.count("Invalid plugin broken") == 1, combined
