"""`leaderboard.plugins` and `leaderboard.plugin_aliases` (CORE-18, CORE-23 config errors).

Each entry is type-checked and its source classified (no import, no network), so `validate`
reports a JavaScript source without an alias, an unpinned URL or a missing local file before any
plugin runs. Source problems of disabled plugins are warnings: they never load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaderboard.config.checker import Checker, PathKey
from leaderboard.config.model import PluginEntry
from leaderboard.config.sources import SourceError, SourceSpec, classify_source, resolve_source_path
from leaderboard.config.values import is_sha256

LB: PathKey = ("leaderboard",)
ENTRY_KEYS = ("source", "name", "config", "sha256", "enabled")


@dataclass
class PluginsResult:
    entries: dict[str, PluginEntry] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    sources: dict[str, SourceSpec] = field(default_factory=dict)
    infos: list[str] = field(default_factory=list)


def check_aliases(ch: Checker, lb: dict[str, Any]) -> dict[str, str]:
    p = (*LB, "plugin_aliases")
    raw = lb.get("plugin_aliases")
    if raw is None:
        return {}
    m = ch.mapping(raw, p)
    out: dict[str, str] = {}
    for key, value in (m or {}).items():
        if not isinstance(value, str) or not value.strip():
            ch.wrong_type((*p, key), "a non-empty source string", value)
        else:
            out[key] = value
    return out


def check_plugins(
    ch: Checker,
    lb: dict[str, Any],
    lines: dict[PathKey, int],
    data_dir: Path | None,
) -> PluginsResult:
    result = PluginsResult(aliases=check_aliases(ch, lb))
    p = (*LB, "plugins")
    raw = lb.get("plugins")
    if raw is None:
        return result
    plugins = ch.mapping(raw, p)
    for plugin_id, value in (plugins or {}).items():
        ep = (*p, plugin_id)
        entry = ch.mapping(value, ep)
        if entry is None:
            continue
        ch.unknown_keys(entry, ep, ENTRY_KEYS)
        source = ch.string(
            entry,
            ep,
            "source",
            required=True,
            nonempty=True,
            what="an entry-point name, a path or an https URL",
        )
        name = ch.string(entry, ep, "name")
        enabled = ch.boolean(entry, ep, "enabled")
        config: dict[str, Any] = {}
        if entry.get("config") is not None:
            config = ch.mapping(entry["config"], (*ep, "config")) or {}
        sha = ch.string(entry, ep, "sha256")
        if sha is not None and not is_sha256(sha):
            ch.error(
                (*ep, "sha256"), "invalid-value", f"must be 64 hex characters (got {ch.got(sha)})"
            )
            sha = None
        if source is None:
            continue
        spec = _classify(ch, ep, plugin_id, source, result.aliases, sha, enabled is not False)
        if spec is not None:
            _check_spec(ch, ep, spec, sha, data_dir, enabled is not False)
            result.sources[plugin_id] = spec
            if spec.alias_note and enabled is not False:
                result.infos.append(spec.alias_note)
        result.entries[plugin_id] = PluginEntry(
            id=plugin_id,
            source=source,
            name=name,
            config=config,
            sha256=sha.lower() if sha else None,
            enabled=enabled is not False,
            line=lines.get(ep),
        )
    return result


def _classify(
    ch: Checker,
    ep: PathKey,
    plugin_id: str,
    source: str,
    aliases: dict[str, str],
    sha: str | None,
    enabled: bool,
) -> SourceSpec | None:
    try:
        return classify_source(plugin_id, source, aliases=aliases, sha256=sha)
    except SourceError as exc:
        record = ch.error if enabled else ch.warning
        record((*ep, "source"), "invalid-plugin-source", exc.message)
        return None


def _check_spec(
    ch: Checker,
    ep: PathKey,
    spec: SourceSpec,
    sha: str | None,
    data_dir: Path | None,
    enabled: bool,
) -> None:
    if sha is not None and spec.kind != "url":
        ch.warning((*ep, "sha256"), "unused-key", "is only used for https URL sources")
    if spec.kind != "path" or data_dir is None:
        return
    path = resolve_source_path(spec, data_dir)
    if not path.exists():
        record = ch.error if enabled else ch.warning
        record(
            (*ep, "source"),
            "missing-file",
            f"plugin path {ch.got(spec.target)} not found (relative paths are resolved "
            f"against the data dir {data_dir})",
        )
