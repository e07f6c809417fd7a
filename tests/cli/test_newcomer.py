"""What a newcomer trips over, each answered with one clear message that says what to do next."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from leaderboard.summary import HookOutcome, RunSummary

CONFIG = """org:
  name: Newcomer Org
  description: d
  url: https://example.org
  logo_url: /logo.svg
meta:
  site_url: https://board.example.org
leaderboard:
  timezon: UTC
  roles:
    core: {name: Core, hiden: true}
"""


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    env.update({"LEADERBOARD_NOW": "2025-01-15T12:00:00Z", "LEADERBOARD_OFFLINE": "1"})
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def fresh(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    out = cli(
        "init",
        str(root),
        "--no-input",
        "--org-name",
        "Newcomer Org",
        "--org-description",
        "d",
        "--org-url",
        "https://example.org",
        "--org-logo-url",
        "/logo.svg",
        "--site-url",
        "https://board.example.org",
        "--no-git",
    )
    assert out.returncode == 0, out.stderr
    return root


def test_build_before_any_run_says_to_run_first(tmp_path: Path) -> None:
    root = fresh(tmp_path)
    out = cli("build", "-d", str(root), "--out", str(tmp_path / "site"), "--no-explorer")
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("Run `leaderboard run` first") == 1, out.stderr
    assert "the site will be empty" in out.stderr


def test_no_empty_site_hint_once_there_is_data(tmp_path: Path) -> None:
    root = tmp_path / "data"
    out = cli(
        "init",
        str(root),
        "--no-input",
        "--org-name",
        "N",
        "--org-description",
        "d",
        "--org-url",
        "https://example.org",
        "--org-logo-url",
        "/l.svg",
        "--site-url",
        "https://b.example.org",
        "--plugin",
        "dummy",
        "--no-git",
    )
    assert out.returncode == 0
    assert cli("run", "-d", str(root)).returncode == 0
    out = cli("build", "-d", str(root), "--out", str(tmp_path / "site"), "--no-explorer", "--no-og")
    assert out.returncode == 0 and "site will be empty" not in out.stderr


def test_serve_on_a_busy_port_names_the_port_and_the_option(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>hi</h1>")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = cli("serve", "--dir", str(site), "--port", str(port))
    assert out.returncode == 1
    message = f"Port {port} on 127.0.0.1 is already in use; choose another with --port"
    assert out.stderr.count(message) == 1, out.stderr
    assert "Errno" not in out.stderr and out.stdout == ""


def test_missing_data_dir_says_it_does_not_exist(tmp_path: Path) -> None:
    out = cli("validate", "-d", str(tmp_path / "nowhere"))
    assert out.returncode == 3
    assert "the directory does not exist" in out.stderr
    assert f"leaderboard init {tmp_path / 'nowhere'}" in out.stderr
    default = cli("run", cwd=tmp_path)
    assert "the default ./data" in default.stderr


def test_typo_config_keys_get_did_you_mean(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    (root / "config.yaml").write_text(CONFIG)
    out = cli("validate", "-d", str(root))
    assert "leaderboard: unknown key 'timezon' (did you mean 'timezone'?)" in out.stdout
    assert "leaderboard.roles.core: unknown key 'hiden' (did you mean 'hidden'?)" in out.stdout


def test_after_a_failed_run_routine_lines_stay_at_info(caplog: pytest.LogCaptureFixture) -> None:
    summary = RunSummary(phases=["scrape", "export"], phase_seconds={"scrape": 1.5})
    summary.hooks = [
        HookOutcome("github", "scrape", "failed", 1.2, "HTTP 502"),
        HookOutcome("slack", "scrape", "ok", 0.3),
    ]
    summary.fail("github", "scrape", "HTTP 502")
    logger = logging.getLogger("test.summary")
    with caplog.at_level(logging.INFO, logger="test.summary"):
        summary.log(logger)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == [
        "Plugin github scrape: failed 1.20s (HTTP 502)",
        "Run completed with 1 failure(s): github (scrape): HTTP 502",
    ]
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert "Phase scrape: 1.50s" in info and "Plugin slack scrape: ok 0.30s" in info
