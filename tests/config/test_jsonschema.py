"""NEW-24: the config JSON Schema is a valid 2020-12 schema and agrees with the validator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from leaderboard.builtin.dummy.demo_config import render_demo_config
from leaderboard.config.jsonschema import DRAFT, config_schema
from leaderboard.scaffold.answers import InitAnswers, normalised
from leaderboard.scaffold.datarepo import render_config
from leaderboard.yaml12 import load

TESTS = Path(__file__).resolve().parents[1]
EXAMPLES = [
    TESTS / "config" / "fixtures" / "minimal" / "config.yaml",
    TESTS / "config" / "fixtures" / "demo" / "config.yaml",
    TESTS / "config" / "fixtures" / "upstream" / "config.yaml",
    TESTS / "fixtures" / "repos" / "upstream" / "config.yaml",
]


def validator() -> jsonschema.Draft202012Validator:
    schema = config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(text: str) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator().iter_errors(load(text).value)]


def test_new_24_cli_prints_the_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "leaderboard", "config-schema"], capture_output=True, text=True
    )
    assert out.returncode == 0
    schema = json.loads(out.stdout)
    assert schema["$schema"] == DRAFT and schema["$id"].startswith("https://")
    assert schema["properties"]["leaderboard"]["additionalProperties"] is False


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name + "/" + p.parent.parent.name)
def test_new_24_example_configs_validate(path: Path) -> None:
    assert errors(path.read_text(encoding="utf-8")) == []


def test_new_24_demo_and_init_configs_validate() -> None:
    assert errors(render_demo_config(contributors=30, days=90, seed=42)) == []
    answers = normalised(
        InitAnswers(
            org_name="Acme",
            org_description="d",
            org_url="https://acme.example",
            org_logo_url="/logo.svg",
            site_url="https://acme.example/lb",
            org_start_date="2020-01-02",
            email="hi@acme.example",
            github_url="https://github.com/acme",
            plugins=["github", "slack", "git", "dummy"],
            theme_url="/theme.css",
        )
    )
    assert errors(render_config(answers)) == []


def test_new_24_broken_config_and_typos_are_caught() -> None:
    broken = (TESTS / "config" / "fixtures" / "broken" / "config.yaml").read_text()
    assert errors(broken)
    typo = (
        "org: {name: A, description: d, url: 'https://a.org', logo_url: /l.svg}\n"
        "leaderboard: {timezon: UTC}\n"
    )
    assert any("timezon" in e for e in errors(typo))
    bad_rule = (
        "org: {name: A, description: d, url: 'https://a.org', logo_url: /l.svg}\n"
        "leaderboard: {badges: {rules: [{type: streak, badge_slug: b, "
        "streak_type: hourly, thresholds: [{variant: x, days: 3}]}]}}\n"
    )
    assert errors(bad_rule)


def test_new_24_plugin_config_is_free_form() -> None:
    text = (
        "org: {name: A, description: d, url: 'https://a.org', logo_url: /l.svg}\n"
        "leaderboard:\n  plugins:\n    x:\n      source: x\n"
        "      config: {anything: [1, {deep: true}], token: '${{ env.X }}'}\n"
    )
    assert errors(text) == []
