"""A plugin's own `config_schema` applied to its `config` map (CORE-18, CORE-21).

Duck-typed so that plugins need not depend on pydantic: a class with `model_validate` (pydantic v2
style; its `ValidationError.errors()` gives `loc` and `msg`), or a callable returning problem
strings. A string of the form `key: message` is reported at `…config.key`; any other string at
`…config`. Problems are errors, or warnings for plugins that will not run (disabled, or not
selected with `run --plugin`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from leaderboard.config.checker import render_path
from leaderboard.config.env import mask
from leaderboard.problems import Problem

CODE = "plugin-config"
_KEYED = re.compile(r"^([A-Za-z0-9_.\[\]-]+): (.+)$", re.DOTALL)


def _loc_path(loc: Iterable[Any]) -> tuple[str | int, ...]:
    return tuple(part if isinstance(part, int) else str(part) for part in loc)


def _schema_messages(
    schema: Any, config: dict[str, Any]
) -> list[tuple[tuple[str | int, ...], str]]:
    """(path below `config`, message) pairs; raises TypeError for an unusable schema."""
    validate = getattr(schema, "model_validate", None)
    if callable(validate):
        try:
            validate(config)
        except Exception as exc:
            errors = getattr(exc, "errors", None)
            if not callable(errors):
                return [((), f"config_schema rejected the config: {exc}")]
            out: list[tuple[tuple[str | int, ...], str]] = []
            for err in errors():
                out.append((_loc_path(err.get("loc", ())), str(err.get("msg", "invalid value"))))
            return out
        return []
    if callable(schema):
        found = schema(config)
        if found is None:
            return []
        if isinstance(found, str) or not isinstance(found, Iterable):
            raise TypeError("a config_schema callable must return a list of strings")
        pairs: list[tuple[tuple[str | int, ...], str]] = []
        for text in found:
            text = str(text)
            keyed = _KEYED.match(text)
            if keyed:
                pairs.append((tuple(keyed.group(1).split(".")), keyed.group(2)))
            else:
                pairs.append(((), text))
        return pairs
    raise TypeError("config_schema must be a pydantic-style model class or a callable")


def check_plugin_config(
    plugin_id: str,
    plugin: object,
    config: dict[str, Any],
    *,
    line: int | None,
    as_warning: bool,
    secrets: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Problems of `config` under `plugin.config_schema` (none when the plugin declares none)."""
    schema = getattr(plugin, "config_schema", None)
    if schema is None:
        return []
    base = ("leaderboard", "plugins", plugin_id, "config")
    severity: Any = "warning" if as_warning else "error"
    try:
        pairs = _schema_messages(schema, config)
    except Exception as exc:
        text = f"{render_path(base)}: cannot check the plugin config: {type(exc).__name__}: {exc}"
        return [Problem("config.yaml", line, None, severity, CODE, mask(text, secrets))]
    return [
        Problem(
            "config.yaml",
            line,
            None,
            severity,
            CODE,
            mask(f"{render_path((*base, *sub))}: {message}", secrets),
        )
        for sub, message in pairs
    ]
