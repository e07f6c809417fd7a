"""Write-side normalisation: records in, column values out, or `ValidationError` (CORE-30).

Writes through the query layer accept what import accepts (CORE-41…CORE-50) and store it the same
way: canonical timestamps, `YYYY-MM-DD` dates, compact JSON, `""` → NULL for optional profile text,
unknown keys kept in `extra`. Values import would reject raise `ValidationError` naming the record
and the key, so a plugin author sees what to fix. Record arguments may be dicts or the
`leaderboard.models` dataclasses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from leaderboard.datarepo.values import type_name
from leaderboard.db.schema import ACTIVITY_FIELDS
from leaderboard.errors import ValidationError
from leaderboard.jsonfmt import dumps_compact
from leaderboard.models import as_dict
from leaderboard.timeutil import canonicalize, date_text, local_date, parse_date, parse_timestamp
from leaderboard.usernames import username_problem

Columns = dict[str, Any]

VISIBILITIES = ("public", "pseudonymous", "hidden")
NUMBER_FORMATS = ("integer", "decimal", "percentage", "duration", "bytes", "currency")
STAT_METRICS = ("min", "max", "mean", "median", "variance", "sum", "count")


def _type_name(value: Any) -> str:
    return type_name(list(value) if isinstance(value, tuple) else value)


class _Reader:
    """Reads keys of one record and reports problems as `<what>: <key> must …`."""

    def __init__(self, what: str, record: Any, known: tuple[str, ...]) -> None:
        if not isinstance(record, Mapping) and not hasattr(record, "__dataclass_fields__"):
            raise ValidationError(f"{what}: expected a dict or a record, got {_type_name(record)}")
        self.data = as_dict(record)
        self.what = what
        self.known = known

    def fail(self, key: str, expected: str, value: Any) -> ValidationError:
        shown = repr(value) if not isinstance(value, (Mapping, list)) else _type_name(value)
        return ValidationError(
            f"{self.what}: {key} must be {expected} (got {_type_name(value)} {shown})"
        )

    def string(self, key: str, *, required: bool = False, empty_none: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise ValidationError(f"{self.what}: missing required key '{key}'")
            return None
        if not isinstance(value, str):
            raise self.fail(key, "a string" if required else "a string or null", value)
        if required and value == "":
            raise ValidationError(f"{self.what}: {key} must not be empty")
        if empty_none and value == "":
            return None
        return value

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "an integer or null", value)
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise self.fail(key, "a boolean", value)

    def json(self, key: str) -> str | None:
        return _json_text(self.what, key, self.data.get(key))

    def extra(self) -> str | None:
        """Explicit `extra` followed by any unknown keys (as import keeps them, CORE-51)."""
        given = self.data.get("extra")
        if given is not None and not isinstance(given, Mapping):
            raise self.fail("extra", "a mapping or null", given)
        merged: dict[str, Any] = dict(given or {})
        for key, value in self.data.items():
            if key not in self.known and key != "extra":
                merged[key] = value
        if given is None and not merged:
            return None
        return _json_text(self.what, "extra", merged)


def _json_text(what: str, key: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return dumps_compact(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what}: {key} is not JSON-compatible ({exc})") from None


def username(value: Any, what: str = "contributor") -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{what}: username must be a string (got {_type_name(value)})")
    problem = username_problem(value)
    if problem:
        raise ValidationError(f"{what}: {problem} ('{value}')")
    return value


def day(value: Any, what: str, key: str, tz: tzinfo) -> str | None:
    """`YYYY-MM-DD`, or a timestamp reduced to its date in tz (as import does)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{what}: {key} must be a YYYY-MM-DD date (got {_type_name(value)})")
    try:
        return date_text(parse_date(value))
    except ValueError:
        pass
    try:
        return date_text(local_date(parse_timestamp(value, tz).instant, tz))
    except ValueError:
        raise ValidationError(
            f"{what}: {key} must be a YYYY-MM-DD date or a timestamp (got '{value}')"
        ) from None


CONTRIBUTOR_KEYS = (
    "username", "name", "role", "title", "avatar_url", "bio", "social_profiles", "joining_date",
    "meta", "visibility", "pseudonym", "bot", "identities",
)  # fmt: skip


def contributor(record: Any, tz: tzinfo) -> Columns:
    r = _Reader("contributor", record, CONTRIBUTOR_KEYS)
    name = username(r.data.get("username"))
    r.what = f"contributor '{name}'"
    role = r.string("role", required=True)
    social = r.data.get("social_profiles")
    if social is not None and (
        not isinstance(social, Mapping)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in social.items())
    ):
        raise r.fail("social_profiles", "a mapping of strings to strings", social)
    visibility = r.data.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        raise r.fail("visibility", "one of public, pseudonymous, hidden", visibility)
    pseudonym = r.string("pseudonym")
    if pseudonym is not None:
        username(pseudonym, f"{r.what}: pseudonym")
    identities = r.data.get("identities")
    if identities is not None and not _identities_ok(identities):
        raise r.fail(
            "identities", "a mapping of namespace to string or list of strings", identities
        )
    bot = r.boolean("bot")
    return {
        "username": name,
        "name": r.string("name", empty_none=True),
        "role": role,
        "title": r.string("title", empty_none=True),
        "avatar_url": r.string("avatar_url", empty_none=True),
        "bio": _bio(r.string("bio")),
        "social_profiles": r.json("social_profiles"),
        "joining_date": day(r.data.get("joining_date"), r.what, "joining_date", tz),
        "meta": r.json("meta"),
        "visibility": visibility,
        "pseudonym": pseudonym,
        "bot": None if bot is None else int(bot),
        "identities": r.json("identities"),
        "extra": r.extra(),
    }


def _bio(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def _identities_ok(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    for key, item in value.items():
        if not isinstance(key, str):
            return False
        if isinstance(item, str):
            continue
        if not isinstance(item, list) or not all(isinstance(v, str) for v in item):
            return False
    return True


def activity_definition(record: Any) -> Columns:
    r = _Reader("activity definition", record, ("slug", "name", "description", "points", "icon"))
    slug = r.string("slug", required=True)
    r.what = f"activity definition '{slug}'"
    name = r.string("name")
    description = r.string("description")
    if name is None:
        raise ValidationError(f"{r.what}: missing required key 'name'")
    if description is None:
        raise ValidationError(f"{r.what}: missing required key 'description'")
    return {
        "slug": slug,
        "name": name,
        "description": description,
        "points": r.integer("points"),
        "icon": r.string("icon"),
        "extra": r.extra(),
    }


ACTIVITY_KEYS = ACTIVITY_FIELDS


def activity(record: Any, tz: tzinfo) -> Columns:
    """Columns of an activity; `contributor` is still to be resolved to its canonical spelling."""
    r = _Reader("activity", record, (*ACTIVITY_KEYS, "occured_at"))
    slug = r.string("slug", required=True)
    r.what = f"activity '{slug}'"
    occurred = r.data.get("occurred_at")
    legacy = r.data.get("occured_at")
    if occurred is None and legacy is not None:
        occurred = legacy
    if occurred is None:
        raise ValidationError(f"{r.what}: missing required key 'occurred_at'")
    if not isinstance(occurred, str):
        raise r.fail("occurred_at", "a timestamp string", occurred)
    try:
        when = canonicalize(occurred, tz)
        if legacy is not None and legacy != occurred and canonicalize(str(legacy), tz) != when:
            raise ValidationError(f"{r.what}: occurred_at and occured_at differ")
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(
            f"{r.what}: occurred_at must be a timestamp like 2024-05-01T12:00:00Z (got '{occurred}')"
        ) from None
    return {
        "slug": slug,
        "contributor": r.string("contributor", required=True),
        "activity_definition": r.string("activity_definition", required=True),
        "title": r.string("title"),
        "occurred_at": when,
        "link": r.string("link"),
        "text": r.string("text"),
        "points": r.integer("points"),
        "meta": r.json("meta"),
        "extra": r.extra(),
    }


def aggregate_value(value: Any, what: str) -> None:
    """Check an aggregate `value` object (CORE-63); unknown `type`s are accepted unchanged."""
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{what}: value must be an object with a 'type' (got {_type_name(value)})"
        )
    kind = value.get("type")
    if not isinstance(kind, str):
        raise ValidationError(f"{what}: value.type must be a string")

    def number(key: str, required: bool = False) -> None:
        item = value.get(key)
        if item is None and not required:
            return
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise ValidationError(f"{what}: value.{key} must be a number (got {_type_name(item)})")

    def common() -> None:
        if value.get("unit") is not None and not isinstance(value["unit"], str):
            raise ValidationError(f"{what}: value.unit must be a string")
        fmt = value.get("format")
        if fmt is not None and fmt not in NUMBER_FORMATS:
            raise ValidationError(
                f"{what}: value.format must be one of {', '.join(NUMBER_FORMATS)}"
            )

    if kind == "number":
        number("value", required=True)
        common()
        decimals = value.get("decimals")
        if decimals is not None and (
            isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0
        ):
            raise ValidationError(f"{what}: value.decimals must be an integer >= 0")
    elif kind == "statistics/number":
        for metric in STAT_METRICS:
            number(metric)
        common()
        highlight = value.get("highlightMetric")
        if highlight is not None and highlight not in STAT_METRICS:
            raise ValidationError(
                f"{what}: value.highlightMetric must be one of {', '.join(STAT_METRICS)}"
            )
    elif kind == "string" and not isinstance(value.get("value"), str):
        raise ValidationError(f"{what}: value.value must be a string")


def global_aggregate(record: Any) -> Columns:
    keys = ("slug", "name", "description", "value", "hidden", "meta")
    r = _Reader("global aggregate", record, keys)
    slug = r.string("slug", required=True)
    r.what = f"global aggregate '{slug}'"
    name = r.string("name")
    if name is None:
        raise ValidationError(f"{r.what}: missing required key 'name'")
    aggregate_value(r.data.get("value"), r.what)
    return {
        "slug": slug,
        "name": name,
        "description": r.string("description"),
        "value": r.json("value"),
        "hidden": int(bool(r.boolean("hidden", False))),
        "meta": r.json("meta"),
        "extra": r.extra(),
    }


def aggregate_definition(record: Any) -> Columns:
    r = _Reader("aggregate definition", record, ("slug", "name", "description", "hidden"))
    slug = r.string("slug", required=True)
    r.what = f"aggregate definition '{slug}'"
    name = r.string("name")
    if name is None:
        raise ValidationError(f"{r.what}: missing required key 'name'")
    return {
        "slug": slug,
        "name": name,
        "description": r.string("description"),
        "hidden": int(bool(r.boolean("hidden", False))),
        "extra": r.extra(),
    }


def contributor_aggregate(record: Any) -> Columns:
    r = _Reader("contributor aggregate", record, ("aggregate", "contributor", "value", "meta"))
    slug = r.string("aggregate", required=True)
    who = r.string("contributor", required=True)
    r.what = f"contributor aggregate '{slug}' of '{who}'"
    aggregate_value(r.data.get("value"), r.what)
    return {
        "aggregate": slug,
        "contributor": who,
        "value": r.json("value"),
        "meta": r.json("meta"),
        "extra": r.extra(),
    }


def badge_definition(record: Any) -> Columns:
    r = _Reader("badge definition", record, ("slug", "name", "description", "variants"))
    slug = r.string("slug", required=True)
    r.what = f"badge definition '{slug}'"
    for key in ("name", "description"):
        if r.string(key) is None:
            raise ValidationError(f"{r.what}: missing required key '{key}'")
    variants = r.data.get("variants")
    if not isinstance(variants, Mapping) or not variants:
        raise r.fail("variants", "a non-empty mapping of variant name to variant", variants)
    for key, variant in variants.items():
        where = f"{r.what}: variant '{key}'"
        if not isinstance(variant, Mapping):
            raise ValidationError(f"{where} must be a mapping (got {_type_name(variant)})")
        for field in ("description", "svg_url"):
            if not isinstance(variant.get(field), str):
                raise ValidationError(f"{where}: {field} must be a string")
        order = variant.get("order")
        if order is not None and (isinstance(order, bool) or not isinstance(order, (int, float))):
            raise ValidationError(f"{where}: order must be a number")
    return {
        "slug": slug,
        "name": r.data["name"],
        "description": r.data["description"],
        "variants": r.json("variants"),
        "extra": r.extra(),
    }


def contributor_badge(record: Any, tz: tzinfo) -> Columns:
    keys = ("slug", "badge", "contributor", "variant", "achieved_on", "meta")
    r = _Reader("badge award", record, keys)
    slug = r.string("slug", required=True)
    r.what = f"badge award '{slug}'"
    achieved = day(r.data.get("achieved_on"), r.what, "achieved_on", tz)
    if achieved is None:
        raise ValidationError(f"{r.what}: missing required key 'achieved_on'")
    return {
        "slug": slug,
        "badge": r.string("badge", required=True),
        "contributor": r.string("contributor", required=True),
        "variant": r.string("variant", required=True),
        "achieved_on": achieved,
        "meta": r.json("meta"),
        "extra": r.extra(),
    }
