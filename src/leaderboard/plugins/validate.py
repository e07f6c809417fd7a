"""Plugin validation (CORE-21, CORE-22): the object contract, in order, with the verbatim messages.

`contract_problem` returns the first CORE-22 failure; `declaration_problems` checks the contents of
the static lists with the same rules as the config and data files (`leaderboard.config.badges`);
`hook_name_warnings` catches typos such as `scrap` so they fail loudly with the plugin's name.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import is_dataclass
from typing import Any

from leaderboard.models import as_dict
from leaderboard.plugins.api import DECLARATIONS, HOOKS

_LISTS = ("badge_definitions", "badge_rules", "activity_definitions", "aggregate_definitions")

Finding = tuple[str, str]  # (severity "error" | "warning", message)


def invalid_message(plugin_id: str, source: str, message: str) -> str:
    """`Invalid plugin <id> (<source>): <message>` (CORE-22)."""
    return f"Invalid plugin {plugin_id} ({source}): {message}"


def resolve_plugin_object(module: Any) -> Any:
    """CORE-21: a module's `plugin` attribute (a class is instantiated), else the module itself."""
    if inspect.ismodule(module) and hasattr(module, "plugin"):
        obj = module.plugin
        return obj() if inspect.isclass(obj) else obj
    if inspect.isclass(module):
        return module()
    return module


def _is_nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def contract_problem(obj: Any) -> str | None:
    """The first CORE-22 failure for `obj`, or None when the object honours the contract."""
    if obj is None:
        return "Plugin must be an object"
    if not _is_nonempty_str(getattr(obj, "name", None)):
        return "Plugin must have a 'name' string property"
    if not _is_nonempty_str(getattr(obj, "version", None)):
        return "Plugin must have a 'version' string property"
    if not callable(getattr(obj, "scrape", None)):
        return "Plugin must have a 'scrape' function"
    for hook in ("setup", "aggregate"):
        value = getattr(obj, hook, None)
        if value is not None and not callable(value):
            return f"Plugin '{hook}' must be a function if provided"
    for attr in _LISTS:
        value = getattr(obj, attr, None)
        if value is not None and not isinstance(value, list):
            return f"Plugin '{attr}' must be a list if provided"
    schema = getattr(obj, "config_schema", None)
    if schema is not None and not callable(schema):
        return "Plugin 'config_schema' must be a model class or a function if provided"
    return None


def hook_name_warnings(obj: Any) -> list[str]:
    """Callables whose names look like a misspelt hook (`scrap`, `aggregates`): almost always a bug.

    Reported as warnings rather than failures because CORE-21 allows any other attribute.
    """
    known = set(HOOKS) | set(DECLARATIONS)
    out: list[str] = []
    for attr in sorted(dir(obj)):
        if attr.startswith("_") or attr in known:
            continue
        try:
            value = getattr(obj, attr)
        except Exception:  # a property that raises is not our concern here
            continue
        if not callable(value) or inspect.isclass(value) or inspect.ismodule(value):
            continue
        close = difflib.get_close_matches(attr, list(HOOKS), n=1, cutoff=0.8)
        if close and not hasattr(obj, close[0]):
            out.append(
                f"'{attr}' is not a hook (did you mean '{close[0]}'?); "
                f"known hooks: {', '.join(HOOKS)}"
            )
    return out


def _plain(item: Any) -> Any:
    if is_dataclass(item) and not isinstance(item, type):
        return as_dict(item)
    return item


def declaration_problems(plugin_id: str, obj: Any) -> list[Finding]:
    """Problems in the static lists, as `plugin <id>: <list>[<i>].<key>: <message>` (CORE-22).

    The checks are the config validator's (`leaderboard.config.badges`), so a rule or definition
    means the same in config.yaml, in a data file and in a plugin.
    """
    from leaderboard.config import badges as checks

    findings: list[Finding] = []
    badge_defs: dict[str, dict[str, Any]] = {}
    for defn in getattr(obj, "badge_definitions", None) or []:
        plain = _plain(defn)
        if isinstance(plain, Mapping) and isinstance(plain.get("slug"), str):
            badge_defs[plain["slug"]] = dict(plain)
    per_list: dict[str, Callable[[Any, str], list[tuple[str, str, str]]]] = {
        "activity_definitions": checks.check_activity_definition,
        "aggregate_definitions": checks.check_aggregate_definition,
        "badge_definitions": checks.check_badge_definition,
    }
    for attr, check in per_list.items():
        for i, item in enumerate(getattr(obj, attr, None) or []):
            for path, severity, message in check(_plain(item), f"{attr}[{i}]"):
                findings.append((severity, f"plugin {plugin_id}: {path}: {message}"))
    for i, rule in enumerate(getattr(obj, "badge_rules", None) or []):
        # Variants are cross-checked against the plugin's own definition of the badge; a rule
        # naming a badge defined elsewhere (config, files) is checked at evaluation time.
        slug = rule.get("badge_slug") if isinstance(rule, Mapping) else None
        own = {slug: badge_defs[slug]} if isinstance(slug, str) and slug in badge_defs else None
        triples = checks.check_badge_rule(
            rule, f"badge_rules[{i}]", definitions=own, allow_custom=True
        )
        for path, severity, message in triples:
            findings.append((severity, f"plugin {plugin_id}: {path}: {message}"))
    return findings
