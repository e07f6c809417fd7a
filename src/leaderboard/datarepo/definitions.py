"""The JSON array files: activity, aggregate and badge definitions and global aggregates.

CORE-43, CORE-46, CORE-47, CORE-49. Each element is one unit; its row is what gets stored.
Rendering (export) writes the CORE-40 pretty form with the keys in the order the spec lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leaderboard.config.values import unsafe_scheme
from leaderboard.datarepo.snapshot import Row, Unit
from leaderboard.datarepo.values import (
    aggregate_value_problem,
    as_points,
    describe,
    encode_json,
    encode_optional,
    iter_array,
    parse_column,
)
from leaderboard.inputlimits import (
    CODE_INVALID_STRING,
    has_lone_surrogate,
    may_hold_surrogate,
    surrogate_message,
)
from leaderboard.jsonfmt import JsonError, dumps_pretty
from leaderboard.problems import Problem

Issue = tuple[str, str, str]  # severity, code, message
Builder = Callable[[dict[str, Any], list[Issue]], Row | None]


def _string(
    obj: dict[str, Any], key: str, issues: list[Issue], *, required: bool, nullable: bool = False
) -> str | None:
    if key not in obj:
        if required:
            issues.append(("error", "missing-key", f"missing required key '{key}'"))
        return None
    value = obj[key]
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        kind = "a string or null" if nullable else "a string"
        issues.append(("error", "wrong-type", f"{key} must be {kind} (got {describe(value)})"))
        return None
    return value


def _slug(obj: dict[str, Any], issues: list[Issue]) -> str | None:
    slug = _string(obj, "slug", issues, required=True)
    if slug == "":
        issues.append(("error", "wrong-type", "slug must be a non-empty string"))
        return None
    return slug


def _hidden(obj: dict[str, Any], issues: list[Issue]) -> int:
    value = obj.get("hidden")
    if value is None:
        return 0
    if value is True or value is False or (type(value) is int and value in (0, 1)):
        return int(value)
    issues.append(
        ("error", "wrong-type", f"hidden must be true, false, 0 or 1 (got {describe(value)})")
    )
    return 0


def _extra(obj: dict[str, Any], known: tuple[str, ...]) -> str | None:
    extra = {k: v for k, v in obj.items() if k not in known}
    return encode_json(extra) if extra else None


ACTIVITY_DEF_KEYS = ("slug", "name", "description", "points", "icon")
GLOBAL_KEYS = ("slug", "name", "description", "value", "hidden", "meta")
AGG_DEF_KEYS = ("slug", "name", "description", "hidden")
BADGE_DEF_KEYS = ("slug", "name", "description", "variants")


def build_activity_definition(obj: dict[str, Any], issues: list[Issue]) -> Row | None:
    slug = _slug(obj, issues)
    name = _string(obj, "name", issues, required=True)
    description = _string(obj, "description", issues, required=True)
    icon = _string(obj, "icon", issues, required=False, nullable=True)
    try:
        points = as_points(obj.get("points"))
    except ValueError as exc:
        issues.append(("error", "wrong-type", f"points {exc}"))
        points = None
    if any(s == "error" for s, _, _ in issues):
        return None
    return (slug, name, description, points, icon, _extra(obj, ACTIVITY_DEF_KEYS))


def build_global_aggregate(obj: dict[str, Any], issues: list[Issue]) -> Row | None:
    slug = _slug(obj, issues)
    name = _string(obj, "name", issues, required=True)
    description = _string(obj, "description", issues, required=False, nullable=True)
    hidden = _hidden(obj, issues)
    if "value" not in obj:
        issues.append(("error", "missing-key", "missing required key 'value'"))
    else:
        problem = aggregate_value_problem(obj["value"])
        if problem:
            severity, message = problem
            code = "invalid-value" if severity == "error" else "unknown-value-type"
            issues.append((severity, code, message))
    if any(s == "error" for s, _, _ in issues):
        return None
    return (
        slug,
        name,
        description,
        encode_json(obj["value"]),
        hidden,
        encode_optional(obj.get("meta")),
        _extra(obj, GLOBAL_KEYS),
    )


def build_aggregate_definition(obj: dict[str, Any], issues: list[Issue]) -> Row | None:
    slug = _slug(obj, issues)
    name = _string(obj, "name", issues, required=True)
    description = _string(obj, "description", issues, required=False, nullable=True)
    hidden = _hidden(obj, issues)
    if any(s == "error" for s, _, _ in issues):
        return None
    return (slug, name, description, hidden, _extra(obj, AGG_DEF_KEYS))


def variants_problem(variants: Any) -> str | None:
    """Why a `variants` value is invalid (CORE-49), or None."""
    if not isinstance(variants, dict) or not variants:
        return f"variants must be a non-empty object (got {describe(variants)})"
    for key, variant in variants.items():
        if not isinstance(variant, dict):
            return f"variant '{key}' must be an object (got {describe(variant)})"
        for field_name in ("description", "svg_url"):
            if not isinstance(variant.get(field_name), str):
                return f"variant '{key}' needs a string '{field_name}'"
        scheme = unsafe_scheme(variant["svg_url"])
        if scheme:  # an image source and link on the badge pages (WEB-57, issue 15)
            return f"variant '{key}': svg_url must not be a {scheme}: URL; use an http(s) URL"
        order = variant.get("order")
        if order is not None and (isinstance(order, bool) or not isinstance(order, (int, float))):
            return f"variant '{key}': order must be a number (got {describe(order)})"
    return None


def build_badge_definition(obj: dict[str, Any], issues: list[Issue]) -> Row | None:
    slug = _slug(obj, issues)
    name = _string(obj, "name", issues, required=True)
    description = _string(obj, "description", issues, required=True)
    if "variants" not in obj:
        issues.append(("error", "missing-key", "missing required key 'variants'"))
    else:
        message = variants_problem(obj["variants"])
        if message:
            issues.append(("error", "invalid-variants", message))
    if any(s == "error" for s, _, _ in issues):
        return None
    return (slug, name, description, encode_json(obj["variants"]), _extra(obj, BADGE_DEF_KEYS))


BUILDERS: dict[str, Builder] = {
    "activity_definition": build_activity_definition,
    "global_aggregate": build_global_aggregate,
    "aggregate_definition": build_aggregate_definition,
    "badge_definition": build_badge_definition,
}


def parse_array_file(kind: str, path: str, text: str) -> tuple[list[Unit], list[Problem], bool]:
    """Units of one array file, its problems, and whether the file as a whole was readable."""
    units: list[Unit] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    build = BUILDERS[kind]
    try:
        elements = list(iter_array(text))
    except JsonError as exc:
        if exc.message == "not-an-array":
            problems.append(
                Problem(
                    path,
                    exc.line,
                    exc.column,
                    "error",
                    "not-an-array",
                    "the file must contain a JSON array of objects",
                )
            )
        else:
            problems.append(Problem(path, exc.line, exc.column, "error", exc.code, exc.message))
        return units, problems, False
    strings_to_check = may_hold_surrogate(text)
    for index, (obj, line) in enumerate(elements):
        if strings_to_check and has_lone_surrogate(obj):
            problems.append(
                Problem(path, line, None, "error", CODE_INVALID_STRING, surrogate_message())
            )
            slug = obj.get("slug") if isinstance(obj, dict) else None
            if isinstance(slug, str) and slug and not has_lone_surrogate(slug):
                units.append(Unit(kind, path, line, slug, (slug,), valid=False))
            continue
        if not isinstance(obj, dict):
            problems.append(
                Problem(
                    path,
                    line,
                    None,
                    "error",
                    "not-an-object",
                    f"element {index} must be an object (got {describe(obj)})",
                )
            )
            continue
        issues: list[Issue] = []
        try:
            row = build(obj, issues)
        except ValueError as exc:  # NaN/Infinity from huge exponents
            issues.append(("error", "invalid-value", str(exc)))
            row = None
        for severity, code, message in issues:
            problems.append(Problem(path, line, None, severity, code, message))  # type: ignore[arg-type]
        slug = obj.get("slug") if isinstance(obj.get("slug"), str) else None
        if row is None:
            # Keep an invalid placeholder so the cascade knows the slug exists but is invalid.
            if slug:
                units.append(Unit(kind, path, line, slug, (slug,), valid=False))
            continue
        unit = Unit(kind, path, line, row[0], row)
        if row[0] in first_line:
            problems.append(
                Problem(
                    path,
                    line,
                    None,
                    "error",
                    "duplicate-slug",
                    f"duplicate slug '{row[0]}' (also at line {first_line[row[0]]})",
                )
            )
            unit.valid = False
            for other in units:
                if other.key == row[0]:
                    other.valid = False
        else:
            first_line[row[0]] = line
        units.append(unit)
    return units, problems, True


# --- export --------------------------------------------------------------------------------


def _with_extra(obj: dict[str, Any], extra: str | None) -> dict[str, Any]:
    if extra:
        for key, value in parse_column(extra).items():
            if key not in obj:
                obj[key] = value
    return obj


def _json(value: Any) -> Any:
    return parse_column(value)


def render_array(kind: str, rows: list[Row]) -> str:
    """Pretty JSON (CORE-40, no trailing newline) of rows already ordered by slug."""
    objects: list[dict[str, Any]] = []
    for r in rows:
        if kind == "activity_definition":
            obj = {"slug": r[0], "name": r[1], "description": r[2], "points": r[3], "icon": r[4]}
            extra = r[5]
        elif kind == "global_aggregate":
            obj = {
                "slug": r[0],
                "name": r[1],
                "description": r[2],
                "value": _json(r[3]),
                "hidden": 1 if r[4] else 0,
                "meta": _json(r[5]),
            }
            extra = r[6]
        elif kind == "aggregate_definition":
            obj = {"slug": r[0], "name": r[1], "description": r[2], "hidden": 1 if r[3] else 0}
            extra = r[4]
        else:
            obj = {"slug": r[0], "name": r[1], "description": r[2], "variants": _json(r[3])}
            extra = r[4]
        objects.append(_with_extra(obj, extra))
    return dumps_pretty(objects)
