"""The explorer step of `leaderboard build` (WEB-02 step 8), adapting the site builder's state.

The site builder calls `build_stage(state)` through its lazy component hook; everything the
explorer needs (writer, Jinja environment, chrome context, URLs, cache dir) comes from there,
and the work itself is `write_explorer`, which knows nothing about the builder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leaderboard.explorer.page import write_explorer

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState


def build_stage(state: BuildState) -> None:
    """Write `data.db`, `/data/` and the vendored assets for the build in `state`."""
    from leaderboard.site.icons import use_sprite
    from leaderboard.site.pages import chrome

    o = state.options
    assert state.writer is not None and state.env is not None and state.model is not None
    assert state.public_path is not None and state.urls is not None
    env = state.env
    writer = state.writer
    site = chrome.site_context(state.model, state.assets["css"], state.assets["js"])
    page = chrome.page_meta(
        state.model,
        "data/",
        f"Data Explorer - {o.config.meta.title}",
        "Query the leaderboard database with SQL, right in your browser.",
    )

    def render(name: str, context: dict[str, Any]) -> str:
        # the chrome's icons from the site's sprite file, like every other page (WEB-63)
        return use_sprite(env.get_template(name).render(context), state.sprite)

    def write(rel: str, data: bytes) -> None:
        writer.write(rel, data)

    outcome = write_explorer(
        write,
        render,
        public_db=state.public_path,
        config=o.config,
        page_context={"site": site, "page": page, "ctx": None},
        cache_dir=o.effective_cache_dir,
        offline=o.offline,
        logger=o.logger,
        base_path=state.urls.base_path,
        script_url=state.assets.get("explorer_js"),
        worker_url=state.assets.get("explorer_worker_js"),
        upload_path=o.effective_public_db_path,
        env=dict(o.env),  # the build's environment, as `reuse` keys it (never os.environ)
        copy=writer.copy,
    )
    state.result.warnings.extend(outcome.warnings)
    state.explorer = outcome
