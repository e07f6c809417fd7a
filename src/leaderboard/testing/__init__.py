"""Testing support for plugin authors and our own tests (CORE-83).

`memory_db()` gives a migrated in-memory database, `make_context(...)` a real `PluginContext`
around it, and `RecordingTransport` an httpx transport that answers from a function and records
every request, so plugin tests run offline without patching anything.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from leaderboard.config.datadir import default_cache_dir
from leaderboard.config.model import (
    Config,
    LeaderboardConfig,
    MetaConfig,
    OrgConfig,
    PluginEntry,
)
from leaderboard.db import Database
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.context_factory import build_context
from leaderboard.plugins.http import HttpFactory
from leaderboard.timeutil import parse_now

DEFAULT_NOW = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Routes every request to `handler` and keeps it in `requests` (sync and async clients)."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler: Handler = handler or (lambda request: httpx.Response(404))
        self.requests: list[httpx.Request] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        response = self.handler(request)
        response.request = request
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    def urls(self) -> list[str]:
        """The requested URLs in order, as strings."""
        return [str(r.url) for r in self.requests]


def memory_db() -> Database:
    """A migrated in-memory working DB."""
    return Database.memory()


def make_config(
    *,
    plugin_id: str = "test",
    config: Mapping[str, Any] | None = None,
    tz: str = "UTC",
    raw: Mapping[str, Any] | None = None,
) -> Config:
    """A minimal valid `Config` with one plugin entry (for contexts built outside a data dir)."""
    org = OrgConfig(
        name="Test Org",
        description="An organisation for tests",
        url="https://example.org",
        logo_url="https://example.org/logo.png",
    )
    meta = MetaConfig(
        title="Test Org Leaderboard",
        description=org.description,
        image_url=org.logo_url,
        site_url=None,
        favicon_url=org.logo_url,
        badge_label=org.name,
    )
    entry = PluginEntry(id=plugin_id, source=plugin_id, config=dict(config or {}))
    board = LeaderboardConfig(timezone=tz, plugins={plugin_id: entry})
    raw_map = (
        dict(raw)
        if raw is not None
        else {
            "org": {
                "name": org.name,
                "description": org.description,
                "url": org.url,
                "logo_url": org.logo_url,
            },
            "leaderboard": {
                "timezone": tz,
                "plugins": {plugin_id: {"source": plugin_id, "config": dict(config or {})}},
            },
        }
    )
    return Config(org=org, meta=meta, leaderboard=board, raw=raw_map)


class _Loaded:
    """The two attributes `build_context` reads from a loaded plugin."""

    def __init__(self, plugin_id: str, http: HttpFactory) -> None:
        self.id = plugin_id
        self.http = http


def make_context(
    plugin_id: str = "test",
    config: Mapping[str, Any] | None = None,
    db: Database | None = None,
    now: datetime | str = DEFAULT_NOW,
    tz: str = "UTC",
    transport: httpx.BaseTransport | None = None,
    data_dir: Path | str | None = None,
    *,
    app_config: Config | None = None,
    offline: bool = False,
    cache_dir: Path | str | None = None,
    sleep: Callable[[float], None] | None = None,
    async_sleep: Callable[[float], Awaitable[None]] | None = None,
) -> PluginContext:
    """A real `PluginContext` for tests: in-memory DB, fixed `now`, no network unless a
    `transport` is given (the default transport answers 404 to everything)."""
    cfg = app_config or make_config(plugin_id=plugin_id, config=config, tz=tz)
    when = parse_now(now, cfg.tz) if isinstance(now, str) else now
    root = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="lb-test-"))
    http = HttpFactory(transport=transport or RecordingTransport(), offline=offline)
    ctx = build_context(
        _Loaded(plugin_id, http),
        db=db or memory_db(),
        config=cfg,
        now=when,
        data_dir=root,
        cache_dir=Path(cache_dir) if cache_dir is not None else default_cache_dir(root),
        offline=offline,
        http=http,
        sleep=sleep or (lambda seconds: None),
        async_sleep=async_sleep or _no_sleep,
    )
    if config is not None:
        ctx.config = dict(config)
    return ctx


async def _no_sleep(seconds: float) -> None:
    return None


def file_tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `root` except local state (`.leaderboard*`), with its bytes and
    modification time: equal trees before and after a command mean it wrote nothing."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".leaderboard"):
            out[rel] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


__all__ = [
    "DEFAULT_NOW",
    "RecordingTransport",
    "file_tree",
    "make_config",
    "make_context",
    "memory_db",
]
