"""Regenerate the golden site (tests/site/golden/) from the fixture organisation.

Run `make update-golden` (or `.venv/bin/python tests/site/update_golden.py`) after an intended
change to templates, CSS, JS or page contexts, then review the diff in git.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
sys.path.insert(0, str(HERE))

from sitefixture import NOW, make_config, make_data_dir  # noqa: E402

from leaderboard.site import BuildOptions, build_site  # noqa: E402
from leaderboard.site.output import MANIFEST  # noqa: E402


def build_fixture_site(out: Path, work: Path) -> None:
    """The whole fixture site into `out` (single process, fixed now, no optional components)."""
    data, db = make_data_dir(work)
    shutil.copytree(HERE / "fixture_docs", data / "docs")  # not the package docs: they change
    build_site(
        BuildOptions(
            data_dir=data,
            config=make_config(og_images=False, api=False, feeds=False, rank_badges=False),
            now=NOW,
            out=out,
            db_path=db,
            cache_dir=work / "cache",
            explorer=False,
            avatars="none",
            offline=True,
            workers=1,
            logger=logging.getLogger("golden"),
        )
    )
    (out / MANIFEST).unlink()  # holds the package version; covered by test_build


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build_fixture_site(out, Path(tmp))
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    print(f"golden site written to {GOLDEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
