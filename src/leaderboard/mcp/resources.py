"""MCP resources (NEW-28): the served schema, the scoring rules in words, contributor documents.

- `leaderboard://schema`: the served DB's `CREATE` statements (text) — what `run_sql` can read;
- `leaderboard://scoring`: activity definitions and badge rules in words (JSON, as the site's
  scoring page states them, NEW-18);
- `leaderboard://contributors/{username}`: the contributor document of the JSON API (NEW-08).
"""

from __future__ import annotations

from typing import Any

from leaderboard.badges.describe import describe_rule
from leaderboard.badges.variants import ordered_variants
from leaderboard.config.model import OrgConfig
from leaderboard.db import Database
from leaderboard.jsonfmt import dumps_pretty
from leaderboard.mcp.source import Organisation
from leaderboard.queries import (
    activity_definitions,
    aggregate_definitions,
    badge_definitions,
    global_aggregates,
)

SCHEMA_URI = "leaderboard://schema"
SCORING_URI = "leaderboard://scoring"
CONTRIBUTOR_TEMPLATE = "leaderboard://contributors/{username}"
CONTRIBUTOR_PREFIX = "leaderboard://contributors/"


class UnknownResource(LookupError):
    """The URI names no resource (JSON-RPC −32602 `Unknown resource`)."""


def schema_text(db: Database) -> str:
    rows = db.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name"
    ).fetchall()
    return "".join(f"{r[0]};\n" for r in rows)


def scoring(db: Database, org: Organisation) -> dict[str, Any]:
    """Points per activity type and every badge variant with its rule in words."""
    definitions = activity_definitions.get_all(db)
    names = {r["slug"]: r["name"] for r in global_aggregates.get_all(db)}
    names.update({r["slug"]: r["name"] for r in aggregate_definitions.get_all(db)})
    activity_names = {r["slug"]: r["name"] for r in definitions}
    rules: dict[str, list[dict[str, Any]]] = {}
    if org.config is not None:
        for rule in org.config.leaderboard.badge_rules:
            if isinstance(rule, dict) and rule.get("enabled", True) is not False:
                rules.setdefault(str(rule.get("badge_slug")), []).append(rule)
    badges = []
    for badge in badge_definitions.get_all(db):
        variants = []
        for key, spec in ordered_variants(badge.get("variants") or {}):
            words = [
                text
                for rule in rules.get(badge["slug"], [])
                if (text := describe_rule(rule, names, variant=key, activity_names=activity_names))
            ]
            if not words and badge["slug"] not in rules:
                words = [describe_rule({"type": "custom"}, names)]
            variants.append(
                {"variant": key, "description": spec.get("description"), "rules": words}
            )
        badges.append(
            {
                "slug": badge["slug"],
                "name": badge["name"],
                "description": badge["description"],
                "variants": variants,
            }
        )
    return {
        "timezone": org.timezone,
        "points_note": "An activity's own points override its type's points; no points count as 0.",
        "activity_definitions": [
            {
                "slug": r["slug"],
                "name": r["name"],
                "description": r["description"],
                "points": r["points"] if r["points"] is not None else 0,
            }
            for r in definitions
        ],
        "hidden_roles": list(org.hidden_roles),
        "badges": badges,
    }


def contributor_document(db: Database, org: Organisation, username: str, now: Any) -> str:
    """The NEW-08 `contributors/<username>.json` document, pretty-printed."""
    from leaderboard.site.api import ApiContext
    from leaderboard.site.api import contributor_document as build
    from leaderboard.site.urls import Urls

    config = org.config
    ctx = ApiContext(
        urls=Urls.create(org.site_url or "http://localhost"),
        org=config.org if config is not None else OrgConfig(org.name, "", "", ""),
        now=now,
        tz=org.tz,
        timezone=org.timezone,
        roles=dict(org.roles),
    )
    doc = build(db, ctx, username)
    if doc is None:
        raise UnknownResource(f"Unknown resource: {CONTRIBUTOR_PREFIX}{username}")
    return dumps_pretty(doc)


def read(db: Database, org: Organisation, uri: str, now: Any) -> tuple[str, str]:
    """(mime type, text) of a resource; UnknownResource otherwise."""
    if uri == SCHEMA_URI:
        return "text/plain", schema_text(db)
    if uri == SCORING_URI:
        return "application/json", dumps_pretty(scoring(db, org))
    if uri.startswith(CONTRIBUTOR_PREFIX) and len(uri) > len(CONTRIBUTOR_PREFIX):
        from urllib.parse import unquote

        return "application/json", contributor_document(
            db, org, unquote(uri[len(CONTRIBUTOR_PREFIX) :]), now
        )
    raise UnknownResource("Unknown resource")
