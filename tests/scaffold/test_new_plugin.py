"""ECO-32/33: `leaderboard new-plugin` — derived names, generated files, bad input."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from scaffoldkit import run_cli

from leaderboard import __version__
from leaderboard.plugins.validate import contract_problem, declaration_problems
from leaderboard.scaffold.plugin import PluginAnswers


def create(target: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("new-plugin", str(target), "--no-input", *extra)


def test_eco_33_generated_project(tmp_path: Path) -> None:
    target = tmp_path / "p"
    out = create(
        target, "--name", "standup-notes", "--description", "Stand-up notes", "--author", "Ops Team"
    )
    assert out.returncode == 0, out.stderr
    meta = tomllib.loads((target / "pyproject.toml").read_text())
    project = meta["project"]
    assert project["name"] == "leaderboard-plugin-standup-notes"
    assert project["version"] == "0.1.0" and project["license"] == "MIT"
    minor = ".".join(__version__.split(".")[:2])
    assert project["dependencies"] == [f"contributor-leaderboard>={minor}"]
    assert project["entry-points"]["leaderboard.plugins"] == {
        "standup-notes": "leaderboard_plugin_standup_notes:plugin"
    }
    assert project["optional-dependencies"]["test"] == ["pytest"]
    module = target / "src" / "leaderboard_plugin_standup_notes" / "__init__.py"
    source = module.read_text()
    for helper in (
        "activity_definitions.insert_or_ignore",
        "aggregate_definitions.upsert",
        "badge_definitions.upsert",
        "identities.resolve_or_create",
        "activities.upsert",
        "contributor_aggregates.upsert",
        "contributor_badges.award",
        "ctx.http(",
        "ctx.checkpoint()",
        '"gold"',
    ):
        assert helper in source, helper
    assert "leaderboard.plugins.standup-notes.source" not in source
    assert "source: standup-notes" in (target / "README.md").read_text()
    assert (target / ".gitignore").is_file() and (target / "tests" / "test_plugin.py").is_file()


def test_eco_33_plugin_satisfies_the_contract_and_its_tests_pass(tmp_path: Path) -> None:
    target = tmp_path / "p"
    assert create(target, "--name", "kudos", "--description", "Kudos").returncode == 0
    spec = importlib.util.spec_from_file_location(
        "leaderboard_plugin_kudos", target / "src" / "leaderboard_plugin_kudos" / "__init__.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert contract_problem(module.plugin) is None
    assert declaration_problems("kudos", module.plugin) == []
    env = {**os.environ, "PYTHONPATH": str(target / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


@pytest.mark.parametrize("name", ["Standup", "standup_notes", "stand up", "ünï", ""])
def test_eco_32_invalid_name_exit_2_and_nothing_written(tmp_path: Path, name: str) -> None:
    target = tmp_path / "p"
    out = create(target, "--name", name, "--description", "d")
    assert out.returncode == 2, out.stderr
    assert "--name" in out.stderr
    assert not target.exists()


def test_eco_32_directory_must_be_empty_dotfiles_count(tmp_path: Path) -> None:
    target = tmp_path / "p"
    target.mkdir()
    (target / ".git").mkdir()
    out = create(target, "--name", "kudos", "--description", "d")
    assert out.returncode == 1 and f"Directory {target} is not empty" in out.stderr
    assert [p.name for p in target.iterdir()] == [".git"]


def test_eco_32_prompts_and_cancel(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import leaderboard.scaffold.plugin as plugin_mod
    from leaderboard.cli import cli

    original = plugin_mod.is_interactive
    plugin_mod.is_interactive = lambda no_input: True  # type: ignore[assignment]
    try:
        ok = CliRunner().invoke(
            cli, ["new-plugin", str(tmp_path / "a")], input="Bad Name\nkudos\nSays thanks\nOps\n"
        )
        assert ok.exit_code == 0, ok.output
        assert "plugin name must match" in ok.output
        gone = CliRunner().invoke(cli, ["new-plugin", str(tmp_path / "b")], input="kudos\n\n")
        assert gone.exit_code == 1
        assert not (tmp_path / "b").exists()
    finally:
        plugin_mod.is_interactive = original  # type: ignore[assignment]


def test_eco_32_derived_names() -> None:
    a = PluginAnswers("my-plugin-2", "d", "x")
    assert (a.distribution, a.module, a.slug) == (
        "leaderboard-plugin-my-plugin-2",
        "leaderboard_plugin_my_plugin_2",
        "my_plugin_2_event",
    )
