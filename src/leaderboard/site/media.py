"""Build steps that delegate to the site-components and explorer modules (WEB-09, WEB-45,
WEB-47/48, NEW-07, NEW-08, NEW-22).

Each component exposes `build_stage(state)`; the modules are imported when their step runs, so
a build with a feature switched off never loads it. An import error fails the build loudly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState


def _run(state: BuildState, module: str, enabled: bool = True) -> None:
    if enabled:
        importlib.import_module(module).build_stage(state)


def write_avatars(state: BuildState) -> None:
    _run(state, "leaderboard.site.avatars")


def write_og_images(state: BuildState) -> None:
    assert state.features is not None
    _run(state, "leaderboard.site.og", state.features.og)


def write_explorer(state: BuildState) -> None:
    assert state.features is not None
    _run(state, "leaderboard.explorer.stage", state.features.explorer)


def write_api(state: BuildState) -> None:
    assert state.features is not None
    _run(state, "leaderboard.site.api", state.features.api)


def write_feeds(state: BuildState) -> None:
    assert state.features is not None
    _run(state, "leaderboard.site.feeds", state.features.feeds)


def write_rank_badges(state: BuildState) -> None:
    assert state.features is not None
    _run(state, "leaderboard.site.rankbadge", state.features.rank_badges)
