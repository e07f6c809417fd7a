"""Shared helpers for the config tests (imported as `cfgtest`; a unique name, no package)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leaderboard.config import ConfigResult

FIXTURES = Path(__file__).parent / "fixtures"

MINIMAL = """\
org:
  name: Acme
  description: Acme builds things
  url: https://acme.example
  logo_url: /logo.svg
leaderboard: {}
"""

Loader = Callable[..., ConfigResult]


def with_leaderboard(body: str) -> str:
    """MINIMAL with `leaderboard:` replaced by the given (already indented) block; the block
    starts on line 7 of the file."""
    return MINIMAL.replace("leaderboard: {}\n", "leaderboard:\n" + body)


def lines_of(result: ConfigResult) -> list[str]:
    """Problems as `line: severity: message [code]`, the way tests assert them."""
    return [f"{p.line}: {p.severity}: {p.message} [{p.code}]" for p in result.problems]
