"""Fixtures for config tests: write a config.yaml into a temporary data dir and load it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from cfgtest import Loader

from leaderboard.config import ConfigResult, load_config


@pytest.fixture
def load_yaml(tmp_path: Path) -> Loader:
    """`load_yaml(text, env={}, strict=False, require_site_url=False)` → ConfigResult."""

    def run(
        text: str,
        env: Mapping[str, str] | None = None,
        *,
        strict: bool = False,
        require_site_url: bool = False,
    ) -> ConfigResult:
        (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
        return load_config(
            tmp_path, env=env or {}, strict=strict, require_site_url=require_site_url
        )

    return run
