"""`leaderboard plugins` (NEW-21): what each configured plugin is, without running any hook.

Loading is the same as for a run (`load_plugins`, offline, so a URL plugin that is not cached is
reported as such instead of being downloaded); load errors are collected into the report rather
than logged, so each problem is printed once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

from leaderboard.config.model import Config

HOOKS = ("setup", "scrape", "aggregate")


class CollectingLogger:
    """Stands in for a logger: keeps errors and warnings (reported once, by the caller)."""

    def __init__(self, passthrough: logging.Logger | None = None) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.passthrough = passthrough

    def error(self, message: str, *args: Any) -> None:
        self.errors.append(message % args if args else message)

    def warning(self, message: str, *args: Any) -> None:
        self.warnings.append(message % args if args else message)
        if self.passthrough is not None:
            self.passthrough.warning(message, *args)

    def info(self, message: str, *args: Any) -> None:
        if self.passthrough is not None:
            self.passthrough.info(message, *args)

    def debug(self, message: str, *args: Any) -> None:
        if self.passthrough is not None:
            self.passthrough.debug(message, *args)


@dataclass
class PluginRow:
    id: str
    enabled: bool
    source: str
    kind: str | None = None
    name: str | None = None
    version: str | None = None
    hooks: list[str] = field(default_factory=list)
    activity_definitions: int = 0
    aggregate_definitions: int = 0
    badge_definitions: int = 0
    badge_rules: int = 0
    status: str = "ok"

    @property
    def failed(self) -> bool:
        return self.enabled and self.status not in ("ok", "disabled")


def _count(obj: Any, attr: str) -> int:
    value = getattr(obj, attr, None)
    try:
        return len(value) if value is not None else 0
    except TypeError:
        return 0


def plugin_rows(config: Config, *, data_dir: Path, cache_dir: Path) -> list[PluginRow]:
    """One row per configured plugin, in config order (disabled ones included)."""
    from leaderboard.config.plugin_schema import check_plugin_config
    from leaderboard.plugins.loader import LoadedPlugin, load_plugins

    loaded = {
        item.id: item
        for item in load_plugins(
            config,
            data_dir=data_dir,
            cache_dir=cache_dir,
            offline=True,
            selected=None,
            logger=CollectingLogger(),
        )
    }
    rows: list[PluginRow] = []
    for entry in config.leaderboard.plugins.values():
        row = PluginRow(entry.id, entry.enabled, entry.source)
        rows.append(row)
        if not entry.enabled:
            row.status = "disabled"
            continue
        item = loaded.get(entry.id)
        if not isinstance(item, LoadedPlugin):
            row.status = item.message if item is not None else "not loaded"
            continue
        plugin = item.plugin
        row.kind = item.kind
        row.name = str(getattr(plugin, "name", entry.id))
        row.version = str(getattr(plugin, "version", ""))
        row.hooks = [h for h in HOOKS if callable(getattr(plugin, h, None))]
        for attr in (
            "activity_definitions",
            "aggregate_definitions",
            "badge_definitions",
            "badge_rules",
        ):
            setattr(row, attr, _count(plugin, attr))
        errors = [
            p.message
            for p in check_plugin_config(
                entry.id, plugin, entry.config, line=entry.line, as_warning=False
            )
            if p.is_error
        ]
        if errors:
            row.status = "; ".join(errors)
    return rows


@dataclass(frozen=True)
class InstalledRow:
    name: str
    value: str
    distribution: str | None
    version: str | None


def installed_rows() -> list[InstalledRow]:
    """Every entry point of the `leaderboard.plugins` group, sorted by name."""
    from importlib.metadata import entry_points

    from leaderboard.plugins.loader import GROUP

    out = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        dist = _dist(ep)
        out.append(InstalledRow(ep.name, ep.value, dist[0], dist[1]))
    return out


def _dist(ep: EntryPoint) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def render_text(rows: list[PluginRow], installed: list[InstalledRow] | None) -> str:
    lines: list[str] = []
    if not rows:
        lines.append("No plugins configured (leaderboard.plugins in config.yaml).")
    for row in rows:
        mark = "✗" if row.failed else ("-" if not row.enabled else "✓")
        head = f"{mark} {row.id}: source {row.source}"
        if row.kind:
            head += f" ({row.kind}) — {row.name} v{row.version}"
        lines.append(head)
        if row.enabled and row.kind:
            lines.append(f"    hooks: {', '.join(row.hooks) or 'none'}")
            lines.append(
                f"    declares: {row.activity_definitions} activity definitions, "
                f"{row.aggregate_definitions} aggregate definitions, "
                f"{row.badge_definitions} badge definitions, {row.badge_rules} badge rules"
            )
        lines.append(f"    status: {row.status}")
    if installed is not None:
        lines.append("")
        lines.append("Installed plugins (entry point group leaderboard.plugins):")
        for item in installed:
            where = f"{item.distribution} {item.version}" if item.distribution else "?"
            lines.append(f"  {item.name} = {item.value}  [{where}]")
    return "\n".join(lines) + "\n"


def render_json(rows: list[PluginRow], installed: list[InstalledRow] | None) -> str:
    data: dict[str, Any] = {"plugins": [asdict(r) for r in rows]}
    if installed is not None:
        data["installed"] = [asdict(i) for i in installed]
    return json.dumps(data, indent=2) + "\n"
