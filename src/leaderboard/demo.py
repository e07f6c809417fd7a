"""`leaderboard demo` (CORE-78): a realistic, reproducible data repo from the dummy plugin.

The same seed, counts and now give byte-identical data files and site, so the demo doubles as an
end-to-end determinism check.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from leaderboard.errors import LeaderboardError

if TYPE_CHECKING:
    from leaderboard.invocation import Common

log = logging.getLogger("leaderboard.demo")

SAMPLE_THEME = """/* theme.css: appended to the built-in stylesheet, so anything here wins.
 * Uncomment and edit to restyle the site; every colour is a CSS custom property.
 *
 * :root {
 *   --primary: #4f46e5;
 *   --radius: 0.75rem;
 * }
 * .dark {
 *   --primary: #818cf8;
 * }
 * [data-contributor-role="maintainer"] { background: var(--primary); }
 */
"""


def prepare_directory(directory: Path, *, force: bool) -> None:
    """Refuse to touch a non-empty directory unless --force, and then only a data dir."""
    if not directory.exists():
        directory.mkdir(parents=True)
        return
    entries = list(directory.iterdir())
    if not entries:
        return
    if not force:
        raise LeaderboardError(f"Directory {directory} is not empty (use --force to replace it)")
    looks_like_data_dir = (directory / "config.yaml").exists() or all(
        e.name.startswith(".") for e in entries
    )
    if not looks_like_data_dir:
        raise LeaderboardError(f"Refusing to delete {directory}: it does not look like a data dir")
    shutil.rmtree(directory)
    directory.mkdir(parents=True)


def write_skeleton(directory: Path, *, contributors: int, days: int, seed: int) -> None:
    from leaderboard.builtin.dummy.demo_config import render_demo_config

    (directory / "config.yaml").write_text(
        render_demo_config(contributors=contributors, days=days, seed=seed), encoding="utf-8"
    )
    (directory / "theme.css").write_text(SAMPLE_THEME, encoding="utf-8")
    (directory / "contributors").mkdir(exist_ok=True)
    (directory / "activities").mkdir(exist_ok=True)


def create_demo(
    common: Common,
    *,
    directory: Path,
    contributors: int,
    days: int,
    seed: int,
    force: bool,
    build: bool,
) -> int:
    from dataclasses import replace

    from leaderboard import commands

    directory = directory.expanduser().resolve()
    prepare_directory(directory, force=force)
    write_skeleton(directory, contributors=contributors, days=days, seed=seed)
    sub = replace(common, data_dir=str(directory), db=None)
    code = commands.run_command(
        sub, phases=(), plugins=(), fail_fast=False, skip_invalid=False, break_lock=False
    )
    if code != 0:
        return code
    if build:
        out = directory / "_site"
        # Remote avatars are never fetched, so the demo site is byte-identical for the same
        # inputs (CORE-78); the pinned explorer assets are fetched unless --offline is given.
        code = commands.build_command(sub, out=str(out), no_avatars=True)
        if code != 0:
            return code
        log.info("Demo site built in %s", out)
        print(f"Demo data repository: {directory}")
        print(f"Built site: {out}")
        print(f"Open it with: leaderboard serve --dir {out}  (then visit http://127.0.0.1:8000/)")
    else:
        print(f"Demo data repository: {directory}")
    return 0
