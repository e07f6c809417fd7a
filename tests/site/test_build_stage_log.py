"""The builder's per-stage debug lines are what `bench/buildstages.py` reads (CORE-80)."""

from __future__ import annotations

import importlib.util
import logging
import sys
from pathlib import Path
from types import ModuleType

import pytest

from leaderboard.site import BuildOptions, build_site
from leaderboard.site.builder import STAGES

BUILDSTAGES = Path(__file__).resolve().parents[2] / "bench" / "buildstages.py"


def _buildstages() -> ModuleType:
    sys.path.insert(0, str(BUILDSTAGES.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_buildstages", BUILDSTAGES)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BUILDSTAGES.parent))


def test_every_stage_line_is_read_by_the_bench(
    site_inputs: BuildOptions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=site_inputs.logger.name)
    build_site(site_inputs)
    rows = _buildstages().parse_stages("\n".join(r.getMessage() for r in caplog.records))
    assert [name for name, *_ in rows] == [name for name, _ in STAGES]
    for _, cpu, children, wall in rows:
        assert cpu >= 0 and children >= 0 and wall >= 0
