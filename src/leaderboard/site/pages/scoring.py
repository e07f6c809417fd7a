"""The scoring transparency page `/scoring/` (NEW-18).

Everything shown comes from the same sources the numbers do: activity definitions and badge
definitions from the public DB snapshot, rules, roles, bot policy and daily caps from the config.
Rules are put into words by `leaderboard.badges.describe.describe_rule`, variants are listed in
the one CORE-66 order of `leaderboard.badges.variants.ordered_variants`.
"""

from __future__ import annotations

from typing import Any

from leaderboard.badges.describe import describe_rule
from leaderboard.badges.variants import ordered_variants
from leaderboard.site.contexts import ScoringContext
from leaderboard.site.model import SiteModel, capitalise


def _zone_name(model: SiteModel) -> str:
    return model.config.leaderboard.timezone or "UTC"


def windows(zone: str) -> list[dict[str, str]]:
    """The CORE-12 periods in plain words."""
    return [
        {"name": "This Week", "text": "the last 7 days up to now"},
        {"name": "This Month", "text": "the last calendar month up to now (e.g. Mar 12 – Apr 12)"},
        {"name": "This Year", "text": "the last 12 months up to now"},
        {"name": "All Time", "text": "every activity up to now"},
        {
            "name": "Changes",
            "text": (
                "rank and points changes compare with the window of the same length just before; "
                f"calendar days, weeks and months are counted in the {zone} time zone"
            ),
        },
    ]


def _aggregate_names(model: SiteModel) -> dict[str, str]:
    names = {slug: a.name for slug, a in model.snap.global_aggregates.items()}
    names.update({slug: a.name for slug, a in model.snap.aggregate_defs.items()})
    return names


def _rules_by_badge(model: SiteModel) -> dict[str, list[dict[str, Any]]]:
    rules: dict[str, list[dict[str, Any]]] = {}
    for rule in model.config.leaderboard.badge_rules:
        if isinstance(rule, dict) and rule.get("enabled", True) is not False:
            rules.setdefault(str(rule.get("badge_slug")), []).append(rule)
    return rules


def badges(model: SiteModel) -> list[dict[str, Any]]:
    """Per badge definition (by slug): its variants in order, each with description and rule."""
    agg_names = _aggregate_names(model)
    activity_names = {slug: d.name for slug, d in model.snap.definitions.items()}
    rules = _rules_by_badge(model)
    out = []
    for slug, badge in model.snap.badges.items():
        variants = []
        for key, spec in ordered_variants(dict(badge.variants)):
            words = [
                text
                for rule in rules.get(slug, [])
                if (
                    text := describe_rule(
                        rule, agg_names, variant=key, activity_names=activity_names
                    )
                )
            ]
            if not words and slug not in rules:
                words = [describe_rule({"type": "custom"}, agg_names)]
            variants.append(
                {
                    "key": key,
                    "label": capitalise(key),
                    "description": str(spec.get("description") or ""),
                    "image": model.variant_image(slug, key),
                    "rules": words,
                }
            )
        out.append(
            {
                "slug": slug,
                "name": badge.name,
                "description": badge.description,
                "variants": variants,
            }
        )
    return out


def definitions(model: SiteModel) -> list[dict[str, Any]]:
    """Every activity definition: points desc (null as 0), then name, then slug."""
    rows = [
        {
            "slug": d.slug,
            "name": d.name,
            "description": d.description,
            "points": d.points or 0,
            "icon": model.definition_icon(d.slug, 18),
        }
        for d in model.snap.definitions.values()
    ]
    return sorted(rows, key=lambda r: (-r["points"], r["name"].lower(), r["slug"]))


def build_scoring(model: SiteModel) -> ScoringContext:
    lb = model.config.leaderboard
    zone = _zone_name(model)
    bots = lb.bots
    caps = [
        {"slug": slug, "name": model.definition_name(slug), "cap": int(cap)}
        for slug, cap in sorted(lb.daily_caps.items())
    ]
    return ScoringContext(
        definitions=definitions(model),
        timezone=zone,
        hidden_roles=[model.role_name(r) for r in lb.hidden_roles],
        bots={
            "track": bots.track,
            "label": bots.label,
            "roles": [model.role_name(r) for r in bots.roles],
        },
        badges=badges(model),
        daily_caps=caps,
        windows=windows(zone),
    )
