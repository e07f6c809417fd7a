"""The badges page (WEB-46): hero, statistics, top earners, recent awards, the collection."""

from __future__ import annotations

from typing import Any

from leaderboard.queries.rows import username_key
from leaderboard.site.contexts import BadgesContext, Kpi
from leaderboard.site.format import format_int, plural
from leaderboard.site.model import SiteModel, capitalise
from leaderboard.site.pages.home import award_views


def build_badges(model: SiteModel) -> BadgesContext:
    snap = model.snap
    awards = [a for a in snap.awards if snap.people[a.contributor].ranked]
    per_person: dict[str, int] = {}
    holders: dict[str, set[str]] = {}
    per_variant: dict[tuple[str, str], int] = {}
    for a in awards:
        per_person[a.contributor] = per_person.get(a.contributor, 0) + 1
        holders.setdefault(a.badge, set()).add(a.contributor)
        per_variant[(a.badge, a.variant)] = per_variant.get((a.badge, a.variant), 0) + 1
    total_variants = sum(len(b.variants) for b in snap.badges.values())
    stats = [
        Kpi(
            "Badge Types", format_int(len(snap.badges)), "award", plural(total_variants, "variant")
        ),
        Kpi("Badges Awarded", format_int(len(awards)), "medal", "All time"),
        Kpi("Badge Earners", format_int(len(per_person)), "users", "Unique contributors"),
    ]
    top = sorted(per_person, key=lambda u: (-per_person[u], *username_key(u)))[:10]
    hero: list[dict[str, Any]] = []
    collection: list[dict[str, Any]] = []
    for b in snap.badges.values():
        highest = b.variants[-1] if b.variants else None
        image = model.image_url(highest[1].get("svg_url")) if highest else ""
        if len(hero) < 5:
            hero.append({"slug": b.slug, "name": b.name, "image": image})
        collection.append(
            {
                "slug": b.slug,
                "name": b.name,
                "description": b.description,
                "image": image,
                "earned_by": len(holders.get(b.slug, ())),
                "variants": [
                    {
                        "key": key,
                        "label": capitalise(key),
                        "description": str(data.get("description") or ""),
                        "image": model.image_url(data.get("svg_url")),
                        "earners": per_variant.get((b.slug, key), 0),
                    }
                    for key, data in b.variants
                ],
            }
        )
    return BadgesContext(
        hero=hero,
        stats=stats,
        top_earners=[(model.view(u), per_person[u]) for u in top],
        recent=award_views(model, 11),
        collection=collection,
    )
