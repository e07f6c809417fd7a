"""CORE-56: every config problem code is catalogued and documented."""

from __future__ import annotations

import re
from pathlib import Path

from cfgtest import FIXTURES

from leaderboard.config import load_config
from leaderboard.config.codes import CODES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "src" / "leaderboard" / "config"
# Kebab-case string literals in the config sources that are not problem codes.
NOT_CODES = {
    "entry-point",
    "utf-8",
    "plugin-dummy",
    "leaderboard-github-plugin",
    "leaderboard-slack-plugin",
    "github-pages",  # site.host values (WEB-64)
    "cloudflare-paid",
}


def test_core_56_codes_are_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) for code in CODES)


def test_core_56_every_emitted_code_is_catalogued() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES.glob("*.py"))
    literals = set(re.findall(r'"([a-z0-9]+(?:-[a-z0-9]+)+)"', text))
    emitted = literals - NOT_CODES
    assert emitted, "the scan found no codes: update this test"
    assert emitted <= set(CODES), emitted - set(CODES)
    for name in ("broken", "upstream", "demo"):
        for problem in load_config(FIXTURES / name, env={}).problems:
            assert problem.code in CODES


def test_core_56_every_code_is_documented() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in docs]
    assert missing == []
