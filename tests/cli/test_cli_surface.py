"""The command surface (CORE-01, CORE-02, CORE-06): every command, help, version, usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from leaderboard import __version__
from leaderboard import cli as cli_module
from leaderboard.cli import cli

COMMANDS = [
    "run",
    "validate",
    "doctor",
    "build",
    "serve",
    "mcp",
    "init",
    "new-plugin",
    "plugins",
    "migrate-legacy",
    "demo",
    "identities",
    "merge-contributors",
    "digest",
    "config-schema",
]


def test_core_02_help_lists_exactly_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].strip().splitlines()]
    assert listed == COMMANDS


def test_core_02_no_arguments_prints_help() -> None:
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0 and "Commands:" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_core_02_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_no_command_is_a_stub() -> None:
    """Every listed command works (issue 16): none answers "not available yet"."""
    source = Path(cli_module.__file__).read_text(encoding="utf-8")
    assert "not available yet" not in source


def test_core_02_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"leaderboard {__version__}"


def test_core_06_unknown_subcommand_exits_2() -> None:
    assert CliRunner().invoke(cli, ["frobnicate"]).exit_code == 2


def test_core_06_unknown_phase_message_and_exit_2() -> None:
    result = CliRunner().invoke(cli, ["run", "scrap"])
    assert result.exit_code == 2
    assert (
        "Unknown phase: scrap. Valid phases: import, setup, scrape, aggregate, evaluate, export"
        in result.output
    )


@pytest.mark.parametrize(
    "args", [["demo", "--contributors", "0"], ["demo", "--days", "-1"], ["demo", "--seed", "x"]]
)
def test_core_78_bad_numbers_exit_2(args: list[str]) -> None:
    assert CliRunner().invoke(cli, args).exit_code == 2


def test_core_01_python_dash_m_and_console_script() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "leaderboard", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.strip() == f"leaderboard {__version__}"


def test_core_04_missing_config_exit_3(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.yml").write_text("org: {}\n")
    out = subprocess.run(
        [sys.executable, "-m", "leaderboard", "validate", "-d", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 3
    assert f"config.yaml not found in {tmp_path}" in out.stderr
    assert "(found config.yml: rename it to config.yaml)" in out.stderr
