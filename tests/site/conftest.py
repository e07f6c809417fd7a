from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sitefixture import NOW, make_config, make_data_dir

from leaderboard.site import BuildOptions


@pytest.fixture
def site_inputs(tmp_path: Path) -> BuildOptions:
    data, db = make_data_dir(tmp_path)
    return BuildOptions(
        data_dir=data,
        config=make_config(),
        now=NOW,
        out=tmp_path / "_site",
        db_path=db,
        cache_dir=tmp_path / "cache",
        offline=True,
        workers=1,
        logger=logging.getLogger("test.site"),
    )
