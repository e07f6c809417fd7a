"""Build steps that delegate to the site-components and explorer modules (WEB-09, WEB-45,
WEB-47/48, NEW-07, NEW-08, NEW-22).

Each step imports its component lazily: a component that is not installed yet is reported once
in the build log instead of failing the build, so the page builder and the components can land
independently.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState


def _component(state: BuildState, name: str, what: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        msg = f"{what} skipped: module {name} is not available"
        state.result.warnings.append(msg)
        state.options.logger.warning("%s", msg)
        return None


def _call(state: BuildState, module: Any, func: str, what: str) -> None:
    fn = getattr(module, func, None)
    if fn is None:
        msg = f"{what} skipped: {module.__name__}.{func} is not available"
        state.result.warnings.append(msg)
        state.options.logger.warning("%s", msg)
        return
    fn(state)


def write_avatars(state: BuildState) -> None:
    mod = _component(state, "leaderboard.site.avatars", "Avatars")
    if mod is not None:
        _call(state, mod, "build_stage", "Avatars")


def write_og_images(state: BuildState) -> None:
    assert state.features is not None
    if not state.features.og:
        return
    mod = _component(state, "leaderboard.site.og", "Open Graph images")
    if mod is not None:
        _call(state, mod, "build_stage", "Open Graph images")


def write_explorer(state: BuildState) -> None:
    assert state.features is not None
    if not state.features.explorer:
        return
    mod = _component(state, "leaderboard.explorer", "Data Explorer")
    if mod is not None:
        _call(state, mod, "build_stage", "Data Explorer")


def write_api(state: BuildState) -> None:
    assert state.features is not None
    if state.features.api:
        mod = _component(state, "leaderboard.site.api", "JSON API")
        if mod is not None:
            _call(state, mod, "build_stage", "JSON API")


def write_feeds(state: BuildState) -> None:
    assert state.features is not None
    if state.features.feeds:
        mod = _component(state, "leaderboard.site.feeds", "Feeds")
        if mod is not None:
            _call(state, mod, "build_stage", "Feeds")


def write_rank_badges(state: BuildState) -> None:
    assert state.features is not None
    if state.features.rank_badges:
        mod = _component(state, "leaderboard.site.rankbadge", "Rank badges")
        if mod is not None:
            _call(state, mod, "build_stage", "Rank badges")
