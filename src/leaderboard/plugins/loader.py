"""Resolving, importing and validating the configured plugins (CORE-22, CORE-23).

`load_plugins` walks `leaderboard.plugins` in config order and returns, per enabled entry, either
a `LoadedPlugin` or a `PluginLoadFailure`; it never raises for a bad plugin, so one broken plugin
cannot stop the others (CORE-11). `collect_declarations` gathers the static definitions import
needs; `upsert_static_definitions` applies them at the start of setup (CORE-10).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaderboard.config.model import Config, PluginEntry
from leaderboard.config.sources import SourceError, SourceSpec, classify_source, resolve_source_path
from leaderboard.declarations import Declarations
from leaderboard.errors import PluginError
from leaderboard.models import as_dict
from leaderboard.plugins.modules import import_local, module_name
from leaderboard.plugins.static import upsert_static_definitions
from leaderboard.plugins.validate import (
    contract_problem,
    declaration_problems,
    hook_name_warnings,
    invalid_message,
    resolve_plugin_object,
)

if TYPE_CHECKING:  # httpx costs 60 ms to import; a run without plugins never needs it
    from importlib.metadata import EntryPoint  # 15 ms (email parsing): only for entry points

    import httpx

    from leaderboard.plugins.http import HttpFactory

GROUP = "leaderboard.plugins"


@dataclass
class LoadedPlugin:
    """A plugin that imported and validated; `index` is its 1-based position in the config."""

    id: str
    plugin: Any
    kind: str  # builtin | entry-point | path | url
    source: str
    index: int
    selected: bool = True
    path: Path | None = None
    http: HttpFactory | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.plugin.name)

    @property
    def version(self) -> str:
        return str(self.plugin.version)


@dataclass
class PluginLoadFailure:
    """A plugin that could not be resolved, imported or validated (a failed plugin, CORE-11)."""

    id: str
    source: str
    message: str
    index: int
    selected: bool = True
    config_error: bool = False  # a CORE-23 config error rather than a runtime failure
    not_cached: bool = False  # URL plugin unavailable offline: declarations unchecked (CORE-56)
    plugin: None = None


def installed_entry_points() -> dict[str, EntryPoint]:
    """Entry points of group `leaderboard.plugins` by name (first wins on duplicates)."""
    from importlib.metadata import entry_points

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def _entry_point_object(plugin_id: str, name: str) -> tuple[Any, str]:
    eps = installed_entry_points()
    ep = eps.get(name)
    if ep is None:
        listing = ", ".join(sorted(eps)) or "none"
        raise PluginError(
            f"Plugin {plugin_id}: no installed plugin named '{name}' (installed: {listing})"
        )
    try:
        loaded = ep.load()
    except Exception as exc:
        raise PluginError(
            f"Plugin {plugin_id}: cannot load entry point '{name}' ({ep.value}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    kind = "builtin" if ep.value.startswith("leaderboard.builtin.") else "entry-point"
    return loaded, kind


def _load_one(
    entry: PluginEntry,
    spec: SourceSpec,
    *,
    data_dir: Path,
    cache_dir: Path,
    offline: bool,
    transport: httpx.BaseTransport | None,
) -> tuple[Any, str, Path | None]:
    """(plugin object, kind, file path) for one classified source; raises PluginError."""
    if spec.kind == "entry-point":
        obj, kind = _entry_point_object(entry.id, spec.target)
        return resolve_plugin_object(obj), kind, None
    if spec.kind == "path":
        path = resolve_source_path(spec, data_dir)
        if not path.exists():
            raise _ConfigError(
                f"Plugin {entry.id}: plugin path {path} does not exist "
                "(relative paths are resolved against the data dir)"
            )
        return resolve_plugin_object(import_local(entry.id, path)), "path", path
    assert spec.pin is not None  # classify_source guarantees a pin for URLs
    from leaderboard.plugins.fetch import fetch_pinned

    path = fetch_pinned(
        entry.id, spec.target, spec.pin, cache_dir=cache_dir, offline=offline, transport=transport
    )
    return resolve_plugin_object(import_local(entry.id, path)), "url", path


class _ConfigError(PluginError):
    """A source problem that is a config error (missing local file)."""


def load_plugins(
    config: Config,
    *,
    data_dir: Path,
    cache_dir: Path,
    offline: bool,
    selected: set[str] | None,
    logger: logging.Logger | Any,
    transport: httpx.BaseTransport | None = None,
) -> list[LoadedPlugin | PluginLoadFailure]:
    """Load every enabled plugin in config order (CORE-23); failures are returned, not raised.

    Unselected plugins (`run --plugin`) are loaded too, because import needs their static
    declarations; `selected` only marks them. All loaded plugins share one `HttpFactory`.
    """
    entries = [e for e in config.leaderboard.plugins.values() if e.enabled]
    if not config.leaderboard.plugins:
        logger.warning("No plugins configured")
    out: list[LoadedPlugin | PluginLoadFailure] = []
    if not entries:
        return out
    from leaderboard.plugins.http import HttpFactory

    http = HttpFactory(transport=transport, offline=offline)
    for index, entry in enumerate(entries, start=1):
        is_selected = selected is None or entry.id in selected
        result = _load_entry(
            entry,
            index,
            is_selected,
            config=config,
            data_dir=Path(data_dir),
            cache_dir=Path(cache_dir),
            offline=offline,
            transport=transport,
            logger=logger,
        )
        if isinstance(result, LoadedPlugin):
            result.http = http
        out.append(result)
    return out


def _load_entry(
    entry: PluginEntry,
    index: int,
    is_selected: bool,
    *,
    config: Config,
    data_dir: Path,
    cache_dir: Path,
    offline: bool,
    transport: httpx.BaseTransport | None,
    logger: Any,
) -> LoadedPlugin | PluginLoadFailure:
    def fail(
        message: str, *, config_error: bool = False, not_cached: bool = False
    ) -> PluginLoadFailure:
        logger.error(message)
        return PluginLoadFailure(
            entry.id, entry.source, message, index, is_selected, config_error, not_cached
        )

    try:
        spec = classify_source(
            entry.id, entry.source, aliases=config.leaderboard.plugin_aliases, sha256=entry.sha256
        )
    except SourceError as exc:
        return fail(exc.message, config_error=True)
    if spec.alias_note:
        logger.info(spec.alias_note)
    try:
        obj, kind, path = _load_one(
            entry,
            spec,
            data_dir=data_dir,
            cache_dir=cache_dir,
            offline=offline,
            transport=transport,
        )
    except _ConfigError as exc:
        return fail(exc.message, config_error=True)
    except PluginError as exc:
        return fail(exc.message, not_cached="not cached and --offline is set" in exc.message)
    problem = contract_problem(obj)
    if problem is not None:
        return fail(invalid_message(entry.id, entry.source, problem))
    findings = declaration_problems(entry.id, obj)
    errors = [m for sev, m in findings if sev == "error"]
    if errors:
        return fail(invalid_message(entry.id, entry.source, "; ".join(errors)))
    warnings = [m for sev, m in findings if sev != "error"]
    warnings += [f"Plugin {entry.id}: {w}" for w in hook_name_warnings(obj)]
    for warning in warnings:
        logger.warning(warning)
    loaded = LoadedPlugin(
        entry.id, obj, kind, entry.source, index, is_selected, path, None, warnings
    )
    logger.info(f"Loaded plugin {entry.id}: {loaded.name} v{loaded.version} ({kind})")
    return loaded


def _plain_list(items: Any) -> list[dict[str, Any]]:
    """Declarations as the file-shaped dicts the importer reads: a record dataclass's `extra`
    field holds its unknown keys, so they are spread out (not kept as a key named `extra`)."""
    out: list[dict[str, Any]] = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(dict(item))
            continue
        plain = as_dict(item)
        extra = plain.pop("extra", None)
        out.append({**plain, **(extra or {})})
    return out


def collect_declarations(
    config: Config, loaded: list[LoadedPlugin | PluginLoadFailure]
) -> Declarations:
    """Config badge definitions, then each loaded plugin's static lists, in config order."""
    out = Declarations(badge_definitions=[dict(d) for d in config.leaderboard.badge_definitions])
    for item in loaded:
        if isinstance(item, PluginLoadFailure):
            if item.not_cached:
                out.unchecked_plugins.append(item.id)
            continue
        plugin = item.plugin
        out.activity_definitions += _plain_list(getattr(plugin, "activity_definitions", None))
        out.aggregate_definitions += _plain_list(getattr(plugin, "aggregate_definitions", None))
        out.badge_definitions += _plain_list(getattr(plugin, "badge_definitions", None))
    return out


__all__ = [
    "GROUP",
    "LoadedPlugin",
    "PluginLoadFailure",
    "collect_declarations",
    "installed_entry_points",
    "load_plugins",
    "module_name",
    "upsert_static_definitions",
]
