"""`PluginContext`: what a hook receives (CORE-24). A new context is built for every hook call.

Everything a plugin may touch is a member here and injectable — the DB handle, clock (`now`),
sleeping, HTTP transport, data dir — so a plugin needs no globals and tests need no patching.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from leaderboard.config.env import mask
from leaderboard.config.model import Config, OrgConfig
from leaderboard.db import Database
from leaderboard.errors import PluginError
from leaderboard.plugins.http import HttpFactory
from leaderboard.plugins.logger import PluginLogger
from leaderboard.plugins.resolver import IdentityResolver

MASKED = "***"


def _masked(payload: bytes) -> bytes:
    """File contents with registered secrets replaced by `***`: files in the data dir are
    committed and published, so a token quoted in a progress file would leak (CORE-82)."""
    from leaderboard.logs import MASK

    if not MASK.secrets:
        return payload
    for secret in MASK.secrets:
        payload = payload.replace(secret.encode("utf-8"), MASKED.encode())
    return payload


def _freeze(value: Any, secrets: frozenset[str]) -> Any:
    """A deep read-only copy; strings that came from env substitution are masked."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v, secrets) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v, secrets) for v in value)
    if isinstance(value, str) and secrets:
        return mask(value, secrets)  # also inside longer strings ("Bearer <token>", URLs)
    return value


def app_config_view(config: Config, plugin_id: str) -> Mapping[str, Any]:
    """The whole config, read-only, without other plugins' `config` maps and with their secrets
    masked; this plugin's own `config` is kept verbatim (it needs its tokens)."""
    raw = dict(config.raw)
    board = dict(raw.get("leaderboard") or {})
    plugins = board.get("plugins")
    own: Any = None
    if isinstance(plugins, Mapping):
        trimmed: dict[str, Any] = {}
        for pid, entry in plugins.items():
            if isinstance(entry, Mapping):
                entry = {k: v for k, v in entry.items() if k != "config"}
                if str(pid) == plugin_id:
                    own = (config.raw["leaderboard"]["plugins"][pid] or {}).get("config")
            trimmed[pid] = entry
        board["plugins"] = trimmed
        raw["leaderboard"] = board
    frozen = _freeze(raw, config.secrets)
    if own is None:
        return frozen
    # Re-attach the own config unmasked.
    board_view = dict(frozen["leaderboard"])
    plugins_view = dict(board_view["plugins"])
    for pid in plugins_view:
        if str(pid) == plugin_id:
            plugins_view[pid] = MappingProxyType(
                {**plugins_view[pid], "config": _freeze(own, frozenset())}
            )
    board_view["plugins"] = MappingProxyType(plugins_view)
    return MappingProxyType({**frozen, "leaderboard": MappingProxyType(board_view)})


class PluginContext:
    """The members of CORE-24; see docs/plugins.md for how each is meant to be used."""

    def __init__(
        self,
        *,
        plugin_id: str,
        db: Database,
        config: dict[str, Any],
        app_config: Config,
        logger: PluginLogger,
        identities: IdentityResolver,
        http_factory: HttpFactory,
        data_dir: Path,
        cache_dir: Path,
        now: Any,
        offline: bool = False,
        sleep: Callable[[float], None] | None = None,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
        checkpoint: Callable[[], None] | None = None,
    ) -> None:
        self.plugin_id = plugin_id
        self.db = db
        self.config = config
        self.org: OrgConfig = app_config.org
        self.app_config: Mapping[str, Any] = app_config_view(app_config, plugin_id)
        self.logger = logger
        self.identities = identities
        self.data_dir = Path(data_dir).absolute()
        self.cache_dir = Path(cache_dir).absolute()
        self.now = now
        self.tz: ZoneInfo = app_config.tz
        self.offline = offline
        self._http_factory = http_factory
        self._sleep = sleep or time.sleep
        self._async_sleep = async_sleep or asyncio.sleep
        self._checkpoint = checkpoint
        # Set by the runner for a staged plugin (CORE-25): file writes wait for the DB work
        # staged before them, so "data first, then the progress file" still holds.
        self._file_writer: Callable[[Path, bytes], bool] | None = None

    @property
    def org_config(self) -> OrgConfig:
        """Alias of `org` (upstream's name)."""
        return self.org

    @property
    def plugin_cache_dir(self) -> Path:
        """`<cache dir>/plugins-data/<id>`, created on first use."""
        path = self.cache_dir / "plugins-data" / self.plugin_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def queries(self) -> ModuleType:
        """The shared query layer (CORE-30)."""
        import leaderboard.queries as queries

        return queries

    def http(
        self,
        base_url: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> httpx.Client:
        """An `httpx.Client` on the run's shared transport (CORE-28)."""
        return self._http_factory.client(self.plugin_id, base_url, headers=headers, timeout=timeout)

    def async_http(
        self,
        base_url: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> httpx.AsyncClient:
        """An `httpx.AsyncClient` on the run's shared transport (CORE-28)."""
        return self._http_factory.async_client(
            self.plugin_id, base_url, headers=headers, timeout=timeout
        )

    def requests_made(self) -> int:
        """HTTP requests this plugin made so far in the run (for the run summary)."""
        return self._http_factory.request_count(self.plugin_id)

    def sleep(self, seconds: float) -> None:
        """Sleep (rate limits); tests inject a function that records instead of waiting."""
        self._sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        """Async sleep; injectable like `sleep`."""
        await self._async_sleep(seconds)

    def checkpoint(self) -> None:
        """Commit the hook's work so far; a later failure rolls back only what follows (CORE-27)."""
        if self._checkpoint is not None:
            self._checkpoint()

    def write_file(self, relpath: str | Path, data: str | bytes) -> bool:
        """Write a file under the data dir atomically, only when its bytes change (CORE-53).

        Returns True when written. Absolute paths, `..` escapes and symlinks leading outside the
        data dir are refused, so a plugin can never write elsewhere by accident.
        """
        from leaderboard.datarepo.atomic import write_if_changed

        rel = Path(relpath)
        root = self.data_dir.resolve()
        if rel.is_absolute() or not str(relpath):
            raise PluginError(
                f"Plugin {self.plugin_id}: write_file needs a path relative to the data dir "
                f"(got {str(relpath)!r})"
            )
        target = (root / rel).resolve()
        if target == root or not target.is_relative_to(root):
            raise PluginError(
                f"Plugin {self.plugin_id}: write_file refuses {str(relpath)!r}: it leads outside "
                f"the data dir {root}"
            )
        payload = _masked(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        if self._file_writer is not None:
            return self._file_writer(target, payload)
        return write_if_changed(target, payload)
