"""Meta-tests: the public surface is documented (STYLE.md: hooks, commands, context members)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from leaderboard.cli import cli
from leaderboard.plugins import api
from leaderboard.plugins.context import PluginContext

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("name", [*api.HOOKS, *api.DECLARATIONS])
def test_every_plugin_hook_and_declaration_is_documented(name: str) -> None:
    assert api.HOOKS.get(name) or api.DECLARATIONS.get(name), f"{name} has no docstring line"
    assert re.search(rf"`{name}\b", (DOCS / "plugins.md").read_text()), (
        f"{name} missing from docs/plugins.md"
    )


def test_every_context_member_is_documented() -> None:
    text = (DOCS / "plugins.md").read_text()
    members = [m for m in vars(PluginContext) if not m.startswith("_")]
    missing = [m for m in members if f"ctx.{m}" not in text and f"`{m}" not in text]
    assert not missing, f"undocumented context members: {missing}"


def test_every_command_is_in_the_cli_docs() -> None:
    text = (DOCS / "cli.md").read_text()
    for name in cli.commands:
        assert f"`{name}" in text, name
    assert CliRunner().invoke(cli, ["--help"]).exit_code == 0


def test_docs_sidebar_lists_existing_pages() -> None:
    import json

    meta = json.loads((DOCS / "meta.json").read_text())
    for page in meta["pages"]:
        assert (DOCS / f"{page}.md").exists(), page
