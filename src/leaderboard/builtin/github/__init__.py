"""The GitHub plugin (ECO-37…49, NEW-27, NEW-30): issues, pull requests, reviews, comments and
commits of one or more organisations, from the GitHub REST and GraphQL APIs.

Written against the public plugin API only, like any third-party plugin, and registered as the
entry point `github` → `leaderboard.builtin.github:plugin`. The client half (`client`,
`sources`, `graphql`) speaks HTTP; the domain half (`mapping`, `aggregates`) turns items into
activities; `scrape` ties them together with progress files and checkpoints.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

from leaderboard import __version__
from leaderboard.builtin.github import aggregates
from leaderboard.builtin.github.definitions import AGGREGATE_DEFINITIONS, activity_definitions
from leaderboard.builtin.github.scrape import Scraper
from leaderboard.builtin.github.settings import GithubSettings, parse
from leaderboard.plugins.api import Record
from leaderboard.plugins.context import PluginContext


class GithubPlugin:
    """The plugin object. `clock` (epoch seconds) is injectable so tests can reason about
    `x-ratelimit-reset` without the wall clock; every sleep goes through `ctx.async_sleep`."""

    name = "github"
    version = __version__
    aggregate_definitions = AGGREGATE_DEFINITIONS

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    def settings(self, ctx: PluginContext) -> GithubSettings:
        """The validated config; raises naming every bad key (reported by setup, ECO-37)."""
        return parse(ctx.config, plugin_id=ctx.plugin_id, now=ctx.now, tz=ctx.tz)

    def setup(self, ctx: PluginContext) -> None:
        """Validate the config and declare the activity definitions this config uses
        (insert-or-ignore: definitions already in the data repository win)."""
        settings = self.settings(ctx)
        for warning in settings.warnings:
            ctx.logger.warning(f"leaderboard.plugins.{ctx.plugin_id}.config.{warning}")
        for definition in activity_definitions(settings):
            ctx.queries.activity_definitions.insert_or_ignore(ctx.db, definition)

    def scrape(self, ctx: PluginContext) -> AsyncIterator[Record]:
        """Every repository of every configured organisation, as activity records (see
        `scrape.Scraper`); settings errors surface when the runner starts iterating."""
        return Scraper(ctx, self.settings(ctx), clock=self.clock).run()

    def aggregate(self, ctx: PluginContext) -> None:
        """`pr_avg_turn_around_time` per contributor and per window (ECO-49)."""
        aggregates.run(ctx)

    def __repr__(self) -> str:
        return f"GithubPlugin(version={self.version!r})"


plugin = GithubPlugin()

__all__ = ["GithubPlugin", "plugin"]
