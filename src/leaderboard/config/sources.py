"""What a plugin `source` string means (CORE-23): aliases, entry point, local path or pinned URL.

Classification is pure string work so that `validate` can report source errors without importing
or downloading anything; the plugin loader then acts on the returned `SourceSpec`. Relative paths
are resolved against the data dir by `resolve_source_path`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from leaderboard.config.values import is_sha256

SourceKind = Literal["entry-point", "path", "url"]

_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")
_ENTRY_POINT = re.compile(r"^[A-Za-z0-9_.-]+$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_FRAGMENT_PIN = re.compile(r"^sha256=(.*)$")


class SourceError(ValueError):
    """A plugin source that is a config error (CORE-23); `message` is the user-facing text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SourceSpec:
    """A classified source: `target` is the entry-point name, the path text or the URL."""

    kind: SourceKind
    target: str
    pin: str | None = None  # lower-case sha256 hex, URL sources only
    alias_note: str | None = None  # INFO line when a built-in replaced a JavaScript source


def _last_segment(source: str) -> str:
    bare = source.split("#", 1)[0].split("?", 1)[0].rstrip("/\\")
    return re.split(r"[/\\]", bare)[-1]


def is_javascript_source(source: str) -> bool:
    """Starts with `@` or its last path segment ends in `.js`, `.mjs`, `.cjs` or `.ts`."""
    return source.startswith("@") or _last_segment(source).lower().endswith(_JS_SUFFIXES)


def builtin_for_javascript(source: str) -> str | None:
    """The built-in plugin that replaces a known upstream JavaScript plugin, if any."""
    text = source.lower()
    last = _last_segment(text)
    if "plugin-dummy" in text:
        return "dummy"
    if "leaderboard-github-plugin" in text or last in ("github.js", "github.mjs"):
        return "github"
    if "leaderboard-slack-plugin" in text or last in ("slack.js", "slack.mjs"):
        return "slack"
    return None


def classify_source(
    plugin_id: str, source: str, *, aliases: Mapping[str, str], sha256: str | None
) -> SourceSpec:
    """Classify `source` for plugin `plugin_id`; raises `SourceError` for config errors."""
    original = source
    source = aliases.get(source, source)  # one level only
    note: str | None = None
    if is_javascript_source(source):
        builtin = builtin_for_javascript(source)
        if builtin is None:
            raise SourceError(
                f"Plugin {plugin_id}: JavaScript plugins cannot run here; add a "
                f"leaderboard.plugin_aliases entry mapping '{original}' to a Python plugin"
            )
        note = f"Plugin {plugin_id}: using built-in '{builtin}' for JavaScript source {source}"
        return SourceSpec("entry-point", builtin, None, note)
    if _ENTRY_POINT.match(source) and not source.endswith(".py"):
        return SourceSpec("entry-point", source)
    scheme = _SCHEME.match(source)
    if scheme and len(scheme.group(1)) > 1:  # one letter is a Windows drive (C:\…)
        name = scheme.group(1).lower()
        if name == "file" and source[5:].startswith("//"):
            return SourceSpec("path", _file_url_path(source))
        if name == "https" and source[6:].startswith("//"):
            return _pinned_url(plugin_id, source, sha256)
        if name == "http" and source[5:].startswith("//"):
            raise SourceError("Plugin URLs must use https")
        raise SourceError("Unsupported plugin source")
    if source.startswith("/") or "/" in source or "\\" in source or source.endswith(".py"):
        return SourceSpec("path", source)
    raise SourceError("Unsupported plugin source")


def _file_url_path(url: str) -> str:
    rest = url[len("file://") :]
    if rest.startswith("localhost/"):
        rest = rest[len("localhost") :]
    return unquote(rest)


def _pinned_url(plugin_id: str, url: str, sha256: str | None) -> SourceSpec:
    base, _, fragment = url.partition("#")
    from_fragment: str | None = None
    if fragment:
        found = _FRAGMENT_PIN.match(fragment)
        if found:
            from_fragment = found.group(1)
            if not is_sha256(from_fragment):
                raise SourceError(
                    f"Plugin {plugin_id}: the #sha256= fragment of {base} must be 64 hex characters"
                )
    if sha256 is not None and not is_sha256(sha256):
        raise SourceError(f"Plugin {plugin_id}: sha256 must be 64 hex characters")
    if sha256 and from_fragment and sha256.lower() != from_fragment.lower():
        raise SourceError(
            f"Plugin {plugin_id}: the sha256 key and the #sha256= fragment of {base} differ"
        )
    pin = sha256 or from_fragment
    if not pin:
        raise SourceError(f"Plugin {plugin_id}: URL sources must be pinned with sha256")
    return SourceSpec("url", base, pin.lower())


def resolve_source_path(spec: SourceSpec, data_dir: Path) -> Path:
    """The absolute path of a `path` source (relative paths are relative to the data dir)."""
    target = Path(spec.target)
    return target if target.is_absolute() else data_dir / target
