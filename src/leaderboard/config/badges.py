"""Checks for badge definitions and rules (CORE-19) and plugin static definitions (CORE-22).

The same checks serve `leaderboard.badges` in config.yaml and the lists a plugin declares
(`badge_definitions`, `badge_rules`, `activity_definitions`, `aggregate_definitions`), so a rule
means the same wherever it is written. The public functions return `(yaml path, severity,
message)` triples; the config validator uses the `*_into` variants, which keep the problem codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leaderboard.config.checker import Checker, Issue, PathKey, render_path
from leaderboard.config.values import unsafe_scheme

RULE_TYPES = ("threshold", "streak", "growth", "composite")
STREAK_TYPES = ("daily", "weekly", "monthly")
GROWTH_PERIODS = ("week", "month", "year")
GROWTH_AGGREGATES = ("activity_count", "total_activity_points", "active_days")
COMPARATORS = (">", "<", ">=", "<=", "==", "!=")
COMPOSITE_OPERATORS = ("AND", "OR")

_COMMON_RULE_KEYS = ("type", "badge_slug", "enabled", "meta", "name", "description")
_RULE_KEYS = {
    "threshold": ("aggregate_slug", "thresholds"),
    "streak": ("streak_type", "activity_definitions", "thresholds"),
    "growth": ("aggregate_slug", "period", "thresholds", "min_previous"),
    "composite": ("operator", "conditions", "variant"),
    "custom": ("evaluator",),
}

Triple = tuple[str, str, str]


def _triples(issues: list[Issue], prefix: str) -> list[Triple]:
    return [(render_path(i.path, prefix), i.severity, i.message) for i in issues]


# -- definitions ---------------------------------------------------------------------------


def check_badge_definition_into(
    ch: Checker, defn: Any, path: PathKey, *, warn_unknown_keys: bool = True
) -> str | None:
    """Check one badge definition; returns its slug when it has a usable one."""
    d = ch.mapping(defn, path)
    if d is None:
        return None
    if warn_unknown_keys:
        ch.unknown_keys(d, path, ("slug", "name", "description", "variants"))
    slug = ch.string(d, path, "slug", required=True, nonempty=True)
    ch.string(d, path, "name", required=True)
    ch.string(d, path, "description", required=True)
    vpath = (*path, "variants")
    if d.get("variants") is None:
        ch.missing(vpath, "a mapping of variant key → {description, svg_url, order?}")
        return slug
    variants = ch.mapping(d["variants"], vpath)
    if variants is None:
        return slug
    if not variants:
        ch.error(vpath, "invalid-value", "must define at least one variant")
    for key, variant in variants.items():
        p = (*vpath, key)
        v = ch.mapping(variant, p)
        if v is None:
            continue
        if warn_unknown_keys:
            ch.unknown_keys(v, p, ("description", "svg_url", "order"))
        ch.string(v, p, "description", required=True)
        svg_url = ch.string(v, p, "svg_url", required=True)
        scheme = unsafe_scheme(svg_url) if isinstance(svg_url, str) else None
        if scheme:
            # An image source and link on the badge pages (WEB-57, issue 15).
            ch.error(
                (*p, "svg_url"),
                "invalid-value",
                f"must not be a {scheme}: URL (got {ch.got(svg_url)}); use an http(s) URL or a path",
            )
        ch.number(v, p, "order")
    return slug


def check_badge_definition(defn: Any, path: str, *, warn_unknown_keys: bool = True) -> list[Triple]:
    """Problems of one badge definition (CORE-19, CORE-49) as (path, severity, message)."""
    ch = Checker()
    check_badge_definition_into(ch, defn, (), warn_unknown_keys=warn_unknown_keys)
    return _triples(ch.issues, path)


def check_activity_definition(defn: Any, path: str) -> list[Triple]:
    """Problems of one activity definition in the shape of CORE-43 (extra keys are allowed)."""
    ch = Checker()
    d = ch.mapping(defn, ())
    if d is not None:
        ch.string(d, (), "slug", required=True, nonempty=True)
        ch.string(d, (), "name", required=True)
        ch.string(d, (), "description", required=True)
        if d.get("points") is not None:
            ch.integer(d, (), "points")
        ch.string(d, (), "icon")
    return _triples(ch.issues, path)


def check_aggregate_definition(defn: Any, path: str) -> list[Triple]:
    """Problems of one contributor aggregate definition (CORE-47; extra keys are allowed)."""
    ch = Checker()
    d = ch.mapping(defn, ())
    if d is not None:
        ch.string(d, (), "slug", required=True, nonempty=True)
        ch.string(d, (), "name", required=True)
        ch.string(d, (), "description")
        hidden = d.get("hidden")
        if hidden is not None and hidden not in (0, 1):
            ch.wrong_type(("hidden",), "true, false, 0 or 1", hidden)
    return _triples(ch.issues, path)


# -- rules ---------------------------------------------------------------------------------


def _thresholds(
    ch: Checker, rule: dict[str, Any], path: PathKey, key: str, check: str
) -> list[str]:
    """Check `thresholds`; returns the variant names it references."""
    p = (*path, "thresholds")
    raw = rule.get("thresholds")
    if raw is None:
        ch.missing(p, f"a list of {{variant, {key}}}")
        return []
    if not isinstance(raw, list):
        ch.wrong_type(p, f"a list of {{variant, {key}}}", raw)
        return []
    if not raw:
        ch.error(p, "invalid-value", "must list at least one threshold")
    variants: list[str] = []
    for i, item in enumerate(raw):
        ip = (*p, i)
        t = ch.mapping(item, ip)
        if t is None:
            continue
        ch.unknown_keys(t, ip, ("variant", key))
        variant = ch.string(t, ip, "variant", required=True, nonempty=True)
        if variant is not None:
            variants.append(variant)
        if check == "integer≥1":
            if t.get(key) is None:
                ch.missing((*ip, key), "an integer ≥ 1")
            else:
                ch.integer(t, ip, key, minimum=1)
        else:
            value = ch.number(t, ip, key, required=True)
            if check == ">0" and value is not None and value <= 0:
                ch.error((*ip, key), "invalid-value", f"must be > 0 (got {ch.got(value)})")
    return variants


def _streak(ch: Checker, rule: dict[str, Any], path: PathKey) -> list[str]:
    ch.choice(rule, path, "streak_type", STREAK_TYPES, required=True)
    patterns = ch.string_list(rule, path, "activity_definitions") or []
    for i, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            ch.error(
                (*path, "activity_definitions", i),
                "invalid-value",
                f"is not a valid regular expression ({exc}; got {ch.got(pattern)})",
            )
    return _thresholds(ch, rule, path, "days", "integer≥1")


def _growth(ch: Checker, rule: dict[str, Any], path: PathKey) -> list[str]:
    slug = ch.string(rule, path, "aggregate_slug", required=True, nonempty=True)
    if slug is not None and not (
        slug in GROWTH_AGGREGATES or (slug.startswith("activity_count:") and len(slug) > 15)
    ):
        ch.error(
            (*path, "aggregate_slug"),
            "invalid-value",
            "must be one of activity_count, activity_count:<definition>, "
            f"total_activity_points, active_days (got {ch.got(slug)})",
        )
    ch.choice(rule, path, "period", GROWTH_PERIODS, required=True)
    ch.number(rule, path, "min_previous")
    return _thresholds(ch, rule, path, "percentage_increase", ">0")


def _composite(ch: Checker, rule: dict[str, Any], path: PathKey) -> list[str]:
    op = ch.choice(rule, path, "operator", COMPOSITE_OPERATORS, required=True)
    variant = ch.string(rule, path, "variant", required=True, nonempty=True)
    p = (*path, "conditions")
    raw = rule.get("conditions")
    conditions: list[Any] = []
    if raw is not None and not isinstance(raw, list):
        ch.wrong_type(p, "a list of {aggregate_slug, operator, value}", raw)
    elif isinstance(raw, list):
        conditions = raw
    if raw is None or raw == []:
        if op == "AND":
            ch.error(p, "invalid-value", "an AND rule needs at least one condition")
        elif op == "OR":
            ch.warning(p, "invalid-value", "an OR rule with no conditions never awards")
    for i, item in enumerate(conditions):
        ip = (*p, i)
        c = ch.mapping(item, ip)
        if c is None:
            continue
        ch.unknown_keys(c, ip, ("aggregate_slug", "operator", "value"))
        ch.string(c, ip, "aggregate_slug", required=True, nonempty=True)
        ch.choice(c, ip, "operator", COMPARATORS, required=True)
        ch.number(c, ip, "value", required=True)
    return [variant] if variant is not None else []


def check_badge_rule_into(
    ch: Checker,
    rule: Any,
    path: PathKey,
    *,
    definitions: Mapping[str, dict[str, Any]] | None,
    allow_custom: bool = False,
) -> None:
    """Check one rule; cross checks against `definitions` (config definitions) when given."""
    r = ch.mapping(rule, path)
    if r is None:
        return
    allowed = (*RULE_TYPES, "custom") if allow_custom else RULE_TYPES
    rtype = ch.choice(r, path, "type", allowed, required=True)
    slug = ch.string(r, path, "badge_slug", required=True, nonempty=True)
    ch.boolean(r, path, "enabled")
    if rtype is None:
        return  # the keys of an unknown type cannot be judged
    ch.unknown_keys(r, path, (*_COMMON_RULE_KEYS, *_RULE_KEYS[rtype]))
    variants: list[str] = []
    if rtype == "threshold":
        ch.string(r, path, "aggregate_slug", required=True, nonempty=True)
        variants = _thresholds(ch, r, path, "value", "number")
    elif rtype == "streak":
        variants = _streak(ch, r, path)
    elif rtype == "growth":
        variants = _growth(ch, r, path)
    elif rtype == "composite":
        variants = _composite(ch, r, path)
    elif not callable(r.get("evaluator")):
        ch.error((*path, "evaluator"), "wrong-type", "must be a callable")
    if definitions is None or slug is None:
        return
    _cross_check(ch, r, path, slug, rtype, variants, definitions)


def _cross_check(
    ch: Checker,
    rule: dict[str, Any],
    path: PathKey,
    slug: str,
    rtype: str,
    variants: list[str],
    definitions: Mapping[str, dict[str, Any]],
) -> None:
    defn = definitions.get(slug)
    if defn is None:
        ch.warning(
            (*path, "badge_slug"),
            "unknown-badge",
            f"badge '{slug}' is not defined in leaderboard.badges.definitions "
            "(fine if badges/definitions.json or a plugin defines it)",
        )
        return
    known = defn.get("variants")
    if not isinstance(known, dict):
        return
    if rtype == "composite":
        places: list[PathKey] = [(*path, "variant")]
    else:
        places = [(*path, "thresholds", i, "variant") for i in range(len(variants))]
    thresholds = rule.get("thresholds") if rtype != "composite" else None
    for i, variant in enumerate(variants):
        if variant in known:
            continue
        where = places[0] if rtype == "composite" else _variant_path(path, thresholds, variant, i)
        ch.error(
            where,
            "unknown-variant",
            f"variant '{variant}' is not defined for badge '{slug}' "
            f"(defined: {', '.join(map(str, known)) or 'none'})",
        )


def _variant_path(path: PathKey, thresholds: Any, variant: str, fallback: int) -> PathKey:
    if isinstance(thresholds, list):
        for i, t in enumerate(thresholds):
            if isinstance(t, dict) and t.get("variant") == variant:
                return (*path, "thresholds", i, "variant")
    return (*path, "thresholds", fallback, "variant")


def check_badge_rule(
    rule: Any,
    path: str,
    *,
    definitions: Mapping[str, dict[str, Any]] | None,
    allow_custom: bool = False,
) -> list[Triple]:
    """Problems of one badge rule (CORE-19; `custom` only for plugins, CORE-72)."""
    ch = Checker()
    check_badge_rule_into(ch, rule, (), definitions=definitions, allow_custom=allow_custom)
    return _triples(ch.issues, path)
