"""The JSON Schema of `config.yaml` (NEW-24), for editors and for CI checks of the config.

Built from the same key tuples the validator uses (`ORG_KEYS`, `KEYS`, `SITE_KEYS`, …), so a key
added to the validator without a schema entry fails the schema test instead of drifting silently.
Known objects are closed (`additionalProperties: false`); plugin `config` maps are open, because
each plugin defines its own. The validator stays the authority: the schema is a helpful subset
(cross-field rules such as "default_role must be a role key" are not expressible here).
"""

from __future__ import annotations

from typing import Any

from leaderboard.config.badges import (
    COMPARATORS,
    COMPOSITE_OPERATORS,
    GROWTH_PERIODS,
    STREAK_TYPES,
)
from leaderboard.config.sections import (
    AVATAR_MODES,
    DIGEST_DEFAULTS,
    DOCS_MODES,
    HOSTS,
    MEDIA_POLICIES,
    VISIBILITIES,
)

SCHEMA_ID = (
    "https://contributor-leaderboard.github.io/contributor-leaderboard/docs/config-schema.json"
)
DRAFT = "https://json-schema.org/draft/2020-12/schema"
ENV_PLACEHOLDER = r"\$\{\{\s*env\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}"


def _s(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _b(description: str, default: bool) -> dict[str, Any]:
    return {"type": "boolean", "description": description, "default": default}


def _url(description: str, *, site_path: bool = False) -> dict[str, Any]:
    pattern = (
        r"^(/|[A-Za-z][A-Za-z0-9+.-]*://\S+|mailto:\S+@\S+)"
        if site_path
        else (r"^([A-Za-z][A-Za-z0-9+.-]*://\S+|mailto:\S+@\S+)")
    )
    return _s(description, pattern=pattern)


def _obj(
    props: dict[str, Any], *, required: list[str] | None = None, description: str = "", **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    if description:
        out["description"] = description
    out.update(extra)
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """Optional keys may be written as `null` (the validator treats it as absent)."""
    return {"anyOf": [schema, {"type": "null"}]}


def _slug_list(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def _thresholds(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "minItems": 1,
        "items": _obj(
            {"variant": _s("Badge variant awarded"), key: value}, required=["variant", key]
        ),
    }


_COMMON_RULE = {
    "badge_slug": _s("The badge definition this rule awards"),
    "enabled": _b("Evaluate this rule", True),
    "meta": {"type": "object", "description": "Free-form data kept with the rule"},
    "name": _s("Display name"),
    "description": _s("Description"),
}


def _rule(rtype: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return _obj(
        {"type": {"const": rtype}, **_COMMON_RULE, **props},
        required=["type", "badge_slug", *required],
    )


def badge_rule_schema() -> dict[str, Any]:
    number = {"type": "number"}
    return {
        "oneOf": [
            _rule(
                "threshold",
                {
                    "aggregate_slug": _s("Contributor aggregate compared"),
                    "thresholds": _thresholds("value", number),
                },
                ["aggregate_slug", "thresholds"],
            ),
            _rule(
                "streak",
                {
                    "streak_type": {"enum": list(STREAK_TYPES)},
                    "activity_definitions": _slug_list("Regular expressions of counted types"),
                    "thresholds": _thresholds("days", {"type": "integer", "minimum": 1}),
                },
                ["streak_type", "thresholds"],
            ),
            _rule(
                "growth",
                {
                    "aggregate_slug": _s(
                        "activity_count, activity_count:<type>, "
                        "total_activity_points or active_days"
                    ),
                    "period": {"enum": list(GROWTH_PERIODS)},
                    "min_previous": number,
                    "thresholds": _thresholds(
                        "percentage_increase", {"type": "number", "exclusiveMinimum": 0}
                    ),
                },
                ["aggregate_slug", "period", "thresholds"],
            ),
            _rule(
                "composite",
                {
                    "operator": {"enum": list(COMPOSITE_OPERATORS)},
                    "variant": _s("Variant awarded when the conditions hold"),
                    "conditions": {
                        "type": "array",
                        "items": _obj(
                            {
                                "aggregate_slug": _s("Aggregate compared"),
                                "operator": {"enum": list(COMPARATORS)},
                                "value": number,
                            },
                            required=["aggregate_slug", "operator", "value"],
                        ),
                    },
                },
                ["operator", "variant"],
            ),
        ]
    }


def badge_definition_schema() -> dict[str, Any]:
    variant = _obj(
        {
            "description": _s("What earns this variant"),
            "svg_url": _s("Image of the variant"),
            "order": {"type": "number", "description": "Sort order (lowest first)"},
        },
        required=["description", "svg_url"],
    )
    return _obj(
        {
            "slug": _s("Unique badge id", minLength=1),
            "name": _s("Display name"),
            "description": _s("Description"),
            "variants": {"type": "object", "additionalProperties": variant},
        },
        required=["slug", "name", "description"],
    )


def plugin_entry_schema() -> dict[str, Any]:
    return _obj(
        {
            "source": _s(
                "Built-in name, entry point, local path or sha256-pinned URL", minLength=1
            ),
            "name": _s("Display name"),
            "config": {
                "type": "object",
                "description": "The plugin's own settings (free-form; "
                "strings may use ${{ env.NAME }})",
            },
            "sha256": _s("Pin for a URL source", pattern="^[0-9a-fA-F]{64}$"),
            "enabled": _b("Load and run this plugin", True),
        },
        required=["source"],
    )


def config_schema() -> dict[str, Any]:
    """The whole schema as a JSON-ready mapping (deterministic key order)."""
    from leaderboard.config.leaderboard import KEYS
    from leaderboard.config.org_meta import META_KEYS, ORG_KEYS
    from leaderboard.config.sections import SITE_KEYS

    org = _obj(
        {
            "name": _s("Organisation name", minLength=1),
            "description": _s("One-line description"),
            "url": _url("Organisation website"),
            "logo_url": _url("Logo (absolute URL or site path)", site_path=True),
            "start_date": _s(
                "When the organisation started (YYYY-MM-DD)", pattern=r"^\d{4}-\d{2}-\d{2}$"
            ),
            "socials": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Platform → URL (github, slack, linkedin, youtube, email, …)",
            },
        },
        required=["name", "description", "url", "logo_url"],
        description="The organisation",
    )
    meta = _obj(
        {
            "title": _s("Site title", default="<org.name> Leaderboard"),
            "description": _s("Site description"),
            "image_url": _url("Social preview image", site_path=True),
            "site_url": _url("Where the site is published (required to build)"),
            "favicon_url": _url("Favicon", site_path=True),
            "badge_label": _s("Left-hand text of rank badges", default="<org.name>"),
        },
        description="Site metadata",
    )
    role = _obj(
        {
            "name": _s("Display name"),
            "description": _s("Description"),
            "hidden": _b("Leave this role out of rankings", False),
        },
        required=["name"],
    )
    site = _obj(
        {
            "og_images": _b("Generate Open Graph images", True),
            "avatars": {"enum": list(AVATAR_MODES), "default": "cache"},
            "rank_badges": _b("Embeddable SVG rank badges", True),
            "api": _b("Static JSON/CSV API", True),
            "feeds": _b("Atom feeds", True),
            "scoring_page": _b("The /scoring/ page", True),
            "all_time_leaderboard": _b("The all-time leaderboard", True),
            "timeline_limit": {"type": "integer", "minimum": 50},
            "docs": {"enum": list(DOCS_MODES), "default": "auto"},
            "og_font": _s("A .ttf/.otf file in the data dir for OG images"),
            "host": {"enum": list(HOSTS), "default": "github-pages"},
            "media": {"enum": list(MEDIA_POLICIES), "default": "active"},
            "media_top": {"type": "integer", "minimum": 0, "default": 1000},
        }
    )
    lb_props: dict[str, Any] = {
        "data_source": _url("URL of the data repository"),
        "data_branch": _s("Branch of the data repository", default="main"),
        "data_update_frequency": _s("5-field cron schedule of updates (shown in the footer)"),
        "timezone": _s("IANA time zone for calendar periods", default="UTC"),
        "default_role": _s("Role of contributors without one"),
        "roles": {
            "type": "object",
            "additionalProperties": role,
            "propertyNames": {"pattern": "^[a-z][a-z0-9_-]*$"},
        },
        "top_contributors": _slug_list("Activity types highlighted on the home page"),
        "social_profiles": {
            "type": "object",
            "additionalProperties": _obj({"icon": _s("Icon name")}, required=["icon"]),
        },
        "theme": _url("Custom theme CSS", site_path=True),
        "aggregates": _obj(
            {
                "global": _slug_list("Global aggregates shown"),
                "contributor": _slug_list("Contributor aggregates shown"),
            }
        ),
        "data_explorer": _obj(
            {
                "enabled": _b("Build the Data Explorer", True),
                "source": _url("Database file it loads", site_path=True),
            }
        ),
        "leaderboard": _obj(
            {
                "all_contributors": _obj(
                    {
                        "activity_definitions": _slug_list(
                            "Types counted on the all-contributors page"
                        ),
                    }
                )
            }
        ),
        "plugins": {"type": "object", "additionalProperties": plugin_entry_schema()},
        "plugin_aliases": {"type": "object", "additionalProperties": {"type": "string"}},
        "badges": _obj(
            {
                "definitions": {"type": "array", "items": badge_definition_schema()},
                "rules": {"type": "array", "items": badge_rule_schema()},
            }
        ),
        "bots": _obj(
            {
                "roles": _slug_list("Roles whose contributors are bots"),
                "track": _b("Show bots on their own track", True),
                "label": _s("Label of the bot track"),
            }
        ),
        "privacy": _obj(
            {
                "default_visibility": {"enum": list(VISIBILITIES), "default": "public"},
                "salt": _s("Salt of generated pseudonyms", default="<org.name>"),
            }
        ),
        "identity": _obj(
            {
                "primary": _s("Namespace of usernames, or none", default="github"),
                "from_social_profiles": _b("Use GitHub profile URLs as identities", True),
            }
        ),
        "scoring": _obj(
            {
                "daily_caps": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0},
                }
            }
        ),
        "site": site,
        "digest": _obj(
            {
                "top": {"type": "integer", "minimum": 1, "default": DIGEST_DEFAULTS["top"]},
                "inactivity_days": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 1, "maximum": 89},
                    "default": DIGEST_DEFAULTS["inactivity_days"],
                },
                "webhook_url": _s("Where `digest --post` sends the digest"),
            }
        ),
    }
    _nullable_optionals(lb_props)
    missing = [k for k in KEYS if k not in lb_props]
    missing += [k for k in ORG_KEYS if k not in org["properties"]]
    missing += [k for k in META_KEYS if k not in meta["properties"]]
    missing += [k for k in SITE_KEYS if k not in site["properties"]]
    if missing:  # a programming error: the validator knows keys the schema does not
        raise AssertionError(f"config schema lacks keys: {missing}")
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "contributor-leaderboard config.yaml",
        "description": "Configuration of a leaderboard data repository (docs/configuration.md).",
        **_obj(
            {
                "org": org,
                "meta": meta,
                "leaderboard": _obj(lb_props, description="Leaderboard settings"),
            },
            required=["org", "leaderboard"],
        ),
    }


def _nullable_optionals(props: dict[str, Any]) -> None:
    for key, schema in list(props.items()):
        props[key] = _nullable(schema)


def render_schema() -> str:
    import json

    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"
