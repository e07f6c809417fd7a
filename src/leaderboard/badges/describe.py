"""Badge rules in words (NEW-18), for the scoring page and anywhere a rule is explained."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leaderboard.jsonfmt import format_number

_UNITS = {"daily": "days", "weekly": "weeks", "monthly": "months"}


def _num(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def _name(slug: Any, names: Mapping[str, str]) -> str:
    return names.get(str(slug), str(slug))


def _tiers(rule: dict[str, Any], key: str, variant: str | None) -> list[tuple[str, Any]]:
    raw = rule.get("thresholds")
    tiers = [
        (str(t.get("variant")), t.get(key))
        for t in (raw if isinstance(raw, list) else [])
        if isinstance(t, dict)
    ]
    return [t for t in tiers if variant is None or t[0] == variant]


def describe_rule(
    rule: dict[str, Any],
    aggregate_names: Mapping[str, str],
    *,
    variant: str | None = None,
    activity_names: Mapping[str, str] | None = None,
    plugin: str | None = None,
) -> str:
    """The rule in plain words, e.g. `Reach 10 Activity Count`.

    `aggregate_names` maps aggregate slugs to display names (unknown slugs are shown as is).
    With `variant`, only that tier is described; otherwise tiers are joined with `; ` and each
    is followed by its variant in parentheses. `activity_names` (definition slug → name) lets
    streak rules name the matched activity types; `plugin` names the plugin of custom rules.
    Returns "" when the variant is not part of the rule.
    """
    kind = rule.get("type")
    if kind == "threshold":
        noun = _name(rule.get("aggregate_slug"), aggregate_names)
        parts = [(v, f"Reach {_num(x)} {noun}") for v, x in _tiers(rule, "value", variant)]
    elif kind == "streak":
        unit = _UNITS.get(str(rule.get("streak_type")), "periods")
        suffix = _streak_suffix(rule.get("activity_definitions"), activity_names)
        parts = [
            (v, f"Be active on {_num(n)} consecutive {unit}{suffix}")
            for v, n in _tiers(rule, "days", variant)
        ]
    elif kind == "growth":
        noun = _name(rule.get("aggregate_slug"), aggregate_names)
        period = rule.get("period")
        parts = [
            (v, f"Increase {noun} by {_num(x)}% over the previous {period}")
            for v, x in _tiers(rule, "percentage_increase", variant)
        ]
    elif kind == "composite":
        if variant is not None and rule.get("variant") != variant:
            return ""
        head = "All of: " if rule.get("operator") == "AND" else "Any of: "
        conditions = [
            f"{_name(c.get('aggregate_slug'), aggregate_names)} {c.get('operator')} "
            f"{_num(c.get('value'))}"
            for c in rule.get("conditions") or []
            if isinstance(c, dict)
        ]
        parts = [(str(rule.get("variant")), head + ", ".join(conditions))]
    else:
        text = f"Awarded by the {plugin} plugin" if plugin else "Awarded by a plugin"
        return text
    if variant is not None:
        return parts[0][1] if parts else ""
    return "; ".join(f"{text} ({v})" for v, text in parts)


def _streak_suffix(patterns: Any, activity_names: Mapping[str, str] | None) -> str:
    if not patterns or not isinstance(patterns, list):
        return ""
    if activity_names is None:
        return " (activity types matching " + ", ".join(map(str, patterns)) + ")"
    from leaderboard.badges.rules.streak import matching_definitions

    try:
        matched = matching_definitions(patterns, tuple(sorted(activity_names)))
    except ValueError:
        return ""
    return " (" + ", ".join(activity_names[s] for s in matched) + ")" if matched else ""
