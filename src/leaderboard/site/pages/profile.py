"""Contributor profiles (WEB-36…WEB-44, NEW-19): header, stats, ranks, heatmap, breakdown,
timeline and achievements, plus the head metadata and JSON-LD."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from leaderboard.site import charts, graphs
from leaderboard.site.artefacts import shard_path, year_api_path
from leaderboard.site.contexts import Kpi, Link, PageMeta, ProfileContext
from leaderboard.site.format import format_aggregate_value, format_int, format_month, truncate
from leaderboard.site.markdown import markdown_plain_text, render_bio, sanitize_activity_text
from leaderboard.site.model import SiteModel, capitalise, safe_link
from leaderboard.site.pages.chrome import page_meta
from leaderboard.site.ranking import Standings
from leaderboard.site.snapshot import Act, ActivityLog, Person
from leaderboard.timeutil import minus_months


def edit_url(data_source: str | None, branch: str, username: str) -> str | None:
    """WEB-37: the GitHub edit link of the contributor's Markdown file, or None."""
    if not data_source:
        return None
    parts = urlsplit(data_source.strip())
    if parts.scheme not in ("http", "https") or parts.hostname != "github.com":
        return None
    segs = [s for s in parts.path.split("/") if s]
    if len(segs) < 2:
        return None
    owner, repo = segs[0], segs[1].removesuffix(".git")
    if not owner or not repo:
        return None
    return (
        f"https://github.com/{owner}/{repo}/edit/{quote(branch, safe='')}/contributors/"
        f"{quote(username, safe='')}.md"
    )


@dataclass(frozen=True, slots=True)
class History:
    """One contributor's activities as three parallel lists, oldest first (from the log)."""

    days: list[int]  # local day ordinals
    kinds: list[str]  # definition slugs
    points: list[int]

    @classmethod
    def of(cls, log: ActivityLog, positions: Sequence[int]) -> History:
        day, kind, pts, kinds = log.day, log.kind, log.points, log.kinds
        return cls(
            [day[i] for i in positions], [kinds[kind[i]] for i in positions],
            [pts[i] for i in positions],
        )  # fmt: skip


YEAR_GRIDS = 5


def heatmaps(model: SiteModel, mine: History) -> list[dict[str, Any]]:
    """WEB-40: "Last year" then each calendar year with activity, newest first."""
    snap = model.snap
    per_ordinal: dict[int, dict[str, int]] = {}
    for ordinal, slug in zip(mine.days, mine.kinds, strict=True):
        types = per_ordinal.setdefault(ordinal, {})
        name = model.definition_name(slug)
        types[name] = types.get(name, 0) + 1
    days = {
        date.fromordinal(o): sorted(t.items(), key=lambda x: (-x[1], x[0]))
        for o, t in sorted(per_ordinal.items())
    }
    today = snap.today
    start = minus_months(snap.now, 12, snap.tz).astimezone(snap.tz).date() + timedelta(days=1)
    ranges = [("last-year", "Last year", "in the last year", start, today)]
    # the five most recent calendar years: a grid of a busy year weighs ~40 KB, and a profile
    # stays within its page budget however long the history (CORE-80, WEB-63)
    for year in sorted({d.year for d in days}, reverse=True)[:YEAR_GRIDS]:
        ranges.append((str(year), str(year), f"in {year}", date(year, 1, 1), date(year, 12, 31)))
    grids = []
    for key, label, phrase, first, last in ranges:
        total = sum(c for d, t in days.items() if first <= d <= last for _, c in t)
        heading = (
            f"{format_int(total)} {'contribution' if total == 1 else 'contributions'} {phrase}"
        )
        grids.append(
            {
                "key": key,
                "label": label,
                "heading": heading,
                "svg": graphs.heatmap(first, last, days, heading),
            }
        )
    return grids


def _breakdown(model: SiteModel, mine: History) -> dict[str, Any]:
    """WEB-41: bar by points, legend cards with count sparklines, summary row."""
    per: dict[str, dict[str, Any]] = {}
    for ordinal, slug, pts in zip(mine.days, mine.kinds, mine.points, strict=True):
        d = per.setdefault(slug, {"count": 0, "points": 0, "days": {}})
        d["count"] += 1
        d["points"] += pts
        d["days"][ordinal] = d["days"].get(ordinal, 0) + 1
    total_count = len(mine.days)
    total_points = sum(mine.points)
    by_name = {model.definition_name(s): s for s in per}
    items = [charts.TypeTotal(n, per[s]["count"], per[s]["points"]) for n, s in by_name.items()]
    legend = []
    for item, colour in charts.breakdown_order(items):
        slug = by_name[item.name]
        d = per[slug]
        # one point per day from the first to the last day of this type (by ordinal: building
        # the date list for every type of every profile took a second)
        by_ordinal = d["days"]
        series = [by_ordinal.get(o, 0) for o in range(min(by_ordinal), max(by_ordinal) + 1)]
        legend.append(
            {
                "slug": slug,
                "name": item.name,
                "color": colour,
                "count": d["count"],
                "share": f"{graphs.one_decimal(d['count'] / total_count * 100)}%",
                "points": d["points"],
                "sparkline": graphs.sparkline(series, f"{format_int(d['count'])} {item.name}"),
            }
        )
    avg = graphs.one_decimal(total_points / total_count) if total_count else "0"
    return {
        "total_count": total_count,
        "total_points": total_points,
        "types": len(per),
        "average": avg,
        "bar": graphs.breakdown_bar([(i.name, i.count, i.points) for i in items]),
        "legend": legend,
    }


def _timeline(model: SiteModel, acts: list[Act]) -> list[dict[str, Any]]:
    months: list[dict[str, Any]] = []
    for a in reversed(acts):
        label = format_month(a.day)
        if not months or months[-1]["label"] != label:
            months.append({"label": label, "key": a.day.strftime("%Y-%m"), "items": []})
        months[-1]["items"].append(
            {
                "slug": a.slug,
                "definition": a.definition,
                "definition_name": model.definition_name(a.definition),
                "icon": model.definition_icon(a.definition),
                "occurred_at": a.occurred_at,
                "day": a.day.isoformat(),
                "points": a.points,
                "title": a.title,
                "link": safe_link(a.link),
                "text_html": sanitize_activity_text(a.text),
            }
        )
    return months


def month_api_path(model: SiteModel, username: str, key: str) -> str:
    """The file holding the older month `key` (`yyyy-mm`) of a timeline: one file per year,
    `api/v1/contributors/<username>/activities/<yyyy>.json` (relative to the base; WEB-64)."""
    return year_api_path(model.urls.profile_rel(username), key[:4])


def older_months(model: SiteModel, positions: Sequence[int], limit: int) -> dict[str, list[int]]:
    """Log positions by month (`yyyy-mm`, newest first) of the months the page does not show in
    full: those older than the newest `limit` activities, and the month the limit cuts."""
    if not limit or len(positions) <= limit:
        return {}
    day = model.snap.log.day
    cut = date.fromordinal(day[positions[-limit]]).strftime("%Y-%m")
    months: dict[str, list[int]] = {}
    for i in reversed(positions):
        key = date.fromordinal(day[i]).strftime("%Y-%m")
        if key > cut:
            continue
        months.setdefault(key, []).append(i)
    return months


# The columns of an older timeline item in the year files (`month_row`), after its type's index
MONTH_FIELDS = ("type", "occurred_at", "day", "points", "title", "link", "text")


def month_row(model: SiteModel, a: Act, types: dict[tuple[str, str], int]) -> list[Any]:
    """One older timeline item as the year file carries it: a row of `MONTH_FIELDS`, its
    activity type an index into the file's `types` (`[name, icon]` pairs, filled here), empty
    trailing fields left out. Keys and type names repeated on every item were two thirds of
    these files, the largest part of the JSON API (WEB-64)."""
    d = model.snap.definitions.get(a.definition)
    kind = (
        model.definition_name(a.definition),
        model.icons.name_for(d.icon if d else None, "star", "activity icon"),
    )
    index = types.setdefault(kind, len(types))
    row: list[Any] = [
        index,
        a.occurred_at,
        a.day.isoformat(),
        a.points,
        a.title or "",
        safe_link(a.link) or "",
        # as stored: the page shows it as plain text. Rendering Markdown for every older
        # activity of every busy contributor cost more than the rest of the build (CORE-80)
        a.text or "",
    ]
    while row[-1] == "":
        row.pop()
    return row


def _achievements(model: SiteModel, username: str) -> list[dict[str, Any]]:
    snap = model.snap
    earned: dict[str, dict[str, str]] = {}
    order: list[str] = []
    for a in model.awards_of(username):  # achieved_on desc, then slug
        if a.badge not in earned:
            earned[a.badge] = {}
            order.append(a.badge)
        earned[a.badge][a.variant] = a.achieved_on
    cards = []
    for slug in order:
        b = snap.badges.get(slug)
        got = earned[slug]
        variants = b.variants if b else [(k, {}) for k in sorted(got)]
        highest = [k for k, _ in variants if k in got]
        hero = highest[-1] if highest else next(iter(got))
        cards.append(
            {
                "slug": slug,
                "name": b.name if b else slug,
                "description": b.description if b else "",
                "image": model.variant_image(slug, hero),
                "earned": len(got),
                "tiers": len(variants),
                "variants": [
                    {
                        "key": k,
                        "label": capitalise(k),
                        "image": model.image_url(v.get("svg_url")),
                        "description": str(v.get("description") or ""),
                        "achieved_on": got.get(k),
                    }
                    for k, v in variants
                ],
            }
        )
    return cards


def _ranks(model: SiteModel, person: Person, boards: dict[str, Standings]) -> list[dict[str, Any]]:
    labels = {
        "week": "This Week",
        "month": "This Month",
        "year": "This Year",
        "all-time": "All Time",
    }
    result = []
    reason = None
    if person.hidden_role:
        reason = f"{model.role_name(person.role)} role"
    elif person.is_bot:
        reason = "bot"
    for period, board in boards.items():
        item: dict[str, Any] = {"period": period, "label": labels[period], "rank": None}
        if reason:
            item["status"] = f"Not ranked ({reason})"
        else:
            place = board.places.get(person.username)
            if place is None:
                item["status"] = "No activity"
            else:
                rank, points = place
                n = board.size
                item.update(
                    rank=rank,
                    of=n,
                    points=points,
                    top=math.ceil(rank / n * 100),
                    status="",
                )
        result.append(item)
    return result


def _stats(model: SiteModel, username: str, mine: History) -> list[Kpi]:
    stats = []
    aggs = model.snap.contributor_aggregates.get(username, {})
    for slug in model.config.leaderboard.contributor_aggregates:
        if slug == "total_points":
            stats.append(Kpi("Total Points", format_int(sum(mine.points)), "star", "All time"))
        elif slug == "total_activities":
            stats.append(
                Kpi("Total Activities", format_int(len(mine.days)), "activity", "All time")
            )
        elif slug == "activity_types":
            stats.append(
                Kpi(
                    "Activity Types",
                    format_int(len(set(mine.kinds))),
                    "layers",
                    "Different types",
                )
            )
        else:
            d = model.snap.aggregate_defs.get(slug)
            if slug in aggs and not (d and d.hidden):
                stats.append(
                    Kpi(
                        d.name if d else slug,
                        format_aggregate_value(aggs[slug]),
                        "trending-up",
                        (d.description or "") if d else "",
                    )
                )
    return stats


def build_profile(
    model: SiteModel, username: str, boards: dict[str, Standings]
) -> tuple[PageMeta, ProfileContext]:
    snap = model.snap
    person = snap.people[username]
    view = model.view(username)
    positions = snap.log.of(username)
    mine = History.of(snap.log, positions)
    org = model.config.org.name
    notice = None
    if person.hidden_role:
        notice = (
            f"Not ranked: {model.role_name(person.role)} accounts are not included in rankings."
        )
    elif person.is_bot:
        notice = "This is an automation account; it appears in the bot track."
    socials = []
    for key, value in person.social_profiles.items():
        if (
            isinstance(value, str)
            and value.strip()
            and value.strip().lower().startswith(("http://", "https://", "mailto:"))
        ):
            icon = (model.config.leaderboard.social_profiles.get(key) or {}).get("icon")
            socials.append(
                Link(
                    key,
                    value.strip(),
                    model.icons.name_for(
                        icon if isinstance(icon, str) else None, "link", "social icon"
                    ),
                    external=True,
                )
            )
    limit = model.features.timeline_limit
    shown = snap.log.details(positions[-limit:] if limit else positions)
    more = []
    if model.features.api:
        for key, items in older_months(model, positions, limit).items():
            first = date.fromordinal(snap.log.day[items[0]])
            more.append({"key": key, "label": format_month(first), "count": len(items),
                         "url": model.urls.path(month_api_path(model, username, key))})  # fmt: skip
    kinds = snap.log.kinds
    types = sorted({model.definition_name(kinds[snap.log.kind[i]]) for i in positions})
    awards = _achievements(model, username)
    points = sum(mine.points)
    profile_url = model.urls.profile_absolute(username)
    embed = None
    if model.features.rank_badges and person.ranked and points > 0:  # has a badge to embed
        from leaderboard.site.format import truncate as _t

        label = _t(model.config.meta.badge_label or org, 24)
        # the all-time badge exists as long as the contributor has points; the month's
        # (`badge.svg`) only while ranked this month (WEB-64), so embeds use the lasting one
        badge_url = model.urls.absolute(model.urls.profile_rel(username) + "badge-all-time.svg")
        embed = {
            "markdown": f"[![{label}]({badge_url})]({profile_url})",
            "html": f'<a href="{profile_url}"><img src="{badge_url}" alt="{label}"></a>',
        }
    ctx = ProfileContext(
        person=view,
        title=person.title,
        notice=notice,
        bio_html=render_bio(person.bio),
        edit_url=None
        if person.pseudonymous
        else edit_url(
            model.config.leaderboard.data_source, model.config.leaderboard.data_branch, username
        ),
        socials=socials,
        stats=_stats(model, username, mine),
        ranks=_ranks(model, person, boards),
        heatmaps=heatmaps(model, mine),
        breakdown=_breakdown(model, mine),
        timeline=_timeline(model, shown),
        timeline_total=len(positions),
        timeline_shown=len(shown),
        timeline_more=more,
        timeline_types=types,
        api_url=model.urls.absolute("api/v1/" + shard_path(username))
        if model.features.api
        else None,
        explorer_url=model.urls.path("data/") if model.features.explorer else None,
        achievements=awards,
        badge_count=len(awards),
        embed=embed,
    )
    bio_plain = markdown_plain_text(person.bio) if person.bio else ""
    description = (
        truncate(bio_plain, 160)
        if bio_plain
        else (
            f"{view.display_name} has earned {format_int(points)} points from {format_int(len(positions))} "
            f"activities on {org}. View their complete contribution history and activity breakdown."
        )
    )
    rel = model.urls.profile_rel(username)
    og_image = (  # without a card of their own: the organisation's (WEB-64)
        model.urls.absolute(rel + "opengraph-image.png")
        if model.features.og and model.has_media(username)
        else None
    )
    meta = page_meta(
        model,
        rel,
        f"{view.display_name} - {org} Contributor",
        description,
        og_type="profile",
        og_image=og_image,
    )
    meta.og_image_alt = f"{view.display_name}'s profile"
    meta.keywords = [
        view.display_name,
        username,
        org,
        "contributor",
        "leaderboard",
        "open source",
        "contributions",
        view.role_name,
    ]
    meta.robots = (
        "noindex, nofollow" if person.pseudonymous else "index, follow, max-image-preview:large"
    )
    meta.noindex = person.pseudonymous
    entity: dict[str, Any] = {
        "@type": "Person",
        "name": view.display_name,
        "alternateName": username,
        "image": model.avatar_absolute(person),
    }
    if bio_plain:
        entity["description"] = bio_plain
    entity["url"] = profile_url
    entity["memberOf"] = {"@type": "Organization", "name": org, "url": model.config.org.url}
    entity["interactionStatistic"] = {
        "@type": "InteractionCounter",
        "interactionType": "https://schema.org/CreateAction",
        "userInteractionCount": len(positions),
    }
    meta.json_ld = {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": entity}
    return meta, ctx
