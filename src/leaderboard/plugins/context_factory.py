"""Building a `PluginContext` for a loaded plugin from the run's settings (CORE-24)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from leaderboard.config.model import Config
from leaderboard.db import Database
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.http import HttpFactory
from leaderboard.plugins.logger import PluginLogger
from leaderboard.plugins.resolver import IdentityResolver


class ContextSource(Protocol):
    """What a context is built from: a `LoadedPlugin`, or a test's stand-in with the same two
    attributes (`leaderboard.testing.make_context`)."""

    @property
    def id(self) -> str: ...

    @property
    def http(self) -> HttpFactory | None: ...


def build_context(
    loaded: ContextSource,
    *,
    db: Database,
    config: Config,
    now: datetime,
    data_dir: Path,
    cache_dir: Path,
    offline: bool = False,
    http: HttpFactory | None = None,
    logger: logging.Logger | None = None,
    sleep: Callable[[float], None] | None = None,
    async_sleep: Callable[[float], Awaitable[None]] | None = None,
) -> PluginContext:
    """A fresh context for one hook call of `loaded`."""
    entry = config.leaderboard.plugins.get(loaded.id)
    factory = http or loaded.http or HttpFactory(offline=offline)
    return PluginContext(
        plugin_id=loaded.id,
        db=db,
        config=dict(entry.config) if entry is not None else {},
        app_config=config,
        logger=PluginLogger(logger or logging.getLogger("leaderboard.plugins"), loaded.id),
        identities=IdentityResolver(
            db, plugin_id=loaded.id, now=now, identity=config.leaderboard.identity
        ),
        http_factory=factory,
        data_dir=data_dir,
        cache_dir=cache_dir,
        now=now,
        offline=offline,
        sleep=sleep,
        async_sleep=async_sleep,
    )
