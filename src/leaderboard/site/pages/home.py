"""The home page `/` (WEB-15…WEB-24): KPIs, trend chart, donut, top contributors, recent feeds."""

from __future__ import annotations

from datetime import date

from leaderboard.queries.rows import username_key
from leaderboard.site import graphs
from leaderboard.site.contexts import ActivityView, AwardView, HomeContext, Kpi, PodiumSpot
from leaderboard.site.format import format_aggregate_value, format_int, plural
from leaderboard.site.markdown import plain_text, sanitize_activity_text
from leaderboard.site.model import SiteModel, capitalise, safe_link, trend
from leaderboard.site.ranking import entries, members, ranked, thirty_days, window
from leaderboard.site.snapshot import Act
from leaderboard.timeutil import canonical, minus_days, parse_date


def _since_kpi(model: SiteModel) -> Kpi | None:
    start = model.config.org.start_date
    if not start:
        return None
    try:
        d = parse_date(str(start)[:10])
    except ValueError:
        return None
    today = model.snap.today
    days = max((today - d).days, 0)
    years = today.year - d.year - ((today.month, today.day) < (d.month, d.day))
    months = (today.year - d.year) * 12 + today.month - d.month - (today.day < d.day)
    if years >= 1:
        value = plural(years, "year")
    elif months >= 1:
        value = plural(months, "month")
    else:
        value = plural(days, "day")
    return Kpi("Since", value, "calendar", f"{format_int(days)} days")


def activity_view(model: SiteModel, act: Act) -> ActivityView:
    return ActivityView(
        person=model.view(act.contributor),
        definition_name=model.definition_name(act.definition),
        icon=model.definition_icon(act.definition),
        title=act.title,
        text_plain=plain_text(act.text) if act.text else "",
        text_html=sanitize_activity_text(act.text),
        link=safe_link(act.link),
        points=act.points,
        occurred_at=act.occurred_at,
    )


def award_views(model: SiteModel, limit: int) -> list[AwardView]:
    result = []
    for award in model.snap.awards:
        person = model.snap.people[award.contributor]
        if not person.ranked:
            continue
        badge = model.snap.badges.get(award.badge)
        single = badge is not None and len(badge.variants) == 1
        result.append(
            AwardView(
                person=model.view(award.contributor),
                badge_name=badge.name if badge else award.badge,
                variant=award.variant,
                variant_label="" if single else capitalise(award.variant),
                variant_description=model.variant_description(award.badge, award.variant),
                image=model.variant_image(award.badge, award.variant),
                achieved_on=award.achieved_on,
            )
        )
        if len(result) == limit:
            break
    return result


def build_home(model: SiteModel) -> HomeContext:
    snap = model.snap
    now = snap.now
    log = snap.log
    member = members(snap, ranked)
    who = log.who
    window30 = thirty_days(snap)
    cur, prev = window30.cur, window30.prev
    kpis: list[Kpi] = []
    since = _since_kpi(model)
    if since:
        kpis.append(since)
    ranked_people = [p for p in snap.people.values() if p.ranked]
    kpis.append(Kpi("Total Contributors", format_int(len(ranked_people)), "users", "All time"))
    phrase = "the previous 30 days"
    for slug in model.config.leaderboard.global_aggregates:
        if slug == "total_activities":
            kpis.append(
                Kpi(
                    "Total Activities",
                    format_int(len(cur)),
                    "activity",
                    "Last 30 days",
                    trend(len(cur), len(prev), phrase),
                )
            )
        elif slug == "count_contributors":
            c, p = len({who[i] for i in cur}), len({who[i] for i in prev})
            kpis.append(
                Kpi(
                    "Active Contributors",
                    format_int(c),
                    "user-check",
                    "Last 30 days",
                    trend(c, p, phrase),
                )
            )
        elif slug == "total_contributors":
            continue
        else:
            agg = snap.global_aggregates.get(slug)
            if agg is None:
                model.warnings.append(
                    f"Global aggregate '{slug}' not found; its home page card is skipped"
                )
                continue
            if agg.hidden:
                continue
            kpis.append(
                Kpi(
                    agg.name,
                    format_aggregate_value(agg.value),
                    "trending-up",
                    agg.description or "",
                )
            )
    # WEB-18 trend: the window's 30 dates
    days = window30.days
    counts = dict.fromkeys(days, 0)
    points = dict.fromkeys(days, 0)
    for i in cur:
        d = date.fromordinal(log.day[i])
        counts[d] += 1
        points[d] += log.points[i]
    trend_total = sum(counts.values())
    trend_points = sum(points.values())
    trend_chart = (
        graphs.trend_chart(days, [counts[d] for d in days], [points[d] for d in days])
        if trend_total
        else None
    )
    # WEB-19 donut
    per_def: dict[str, list[int]] = {}
    for i in cur:
        x = per_def.setdefault(log.kinds[log.kind[i]], [0, 0])
        x[0] += 1
        x[1] += log.points[i]
    order = sorted(per_def, key=lambda s: (-per_def[s][0], model.definition_name(s), s))
    slices = [(model.definition_name(s), per_def[s][0], per_def[s][1]) for s in order]
    donut = graphs.donut_chart(slices) if slices else None
    # WEB-20 top contributors this week
    week = entries(snap, window(snap, "week"), ranked, with_daily=False)[:5]
    top = [
        PodiumSpot(model.view(e.person.username), e.rank, e.points, e.activity_count) for e in week
    ]
    # WEB-22 mosaic
    active: dict[str, int] = {}
    for i in cur:
        name = log.names[who[i]]
        active[name] = active.get(name, 0) + log.points[i]
    mosaic_order = sorted(active, key=lambda u: (-active[u], *username_key(u)))
    mosaic = [model.view(u) for u in mosaic_order[:30]]
    # WEB-23 recent activity: 12 newest of ranked contributors in 90 days
    start90 = canonical(minus_days(now, 90, snap.tz))
    newest: list[int] = []
    for i in reversed(log.span(start90, canonical(now))):
        if member[who[i]]:
            newest.append(i)
            if len(newest) == 12:
                break
    recent = [activity_view(model, a) for a in log.details(newest)]
    return HomeContext(
        hero_logo=model.asset_url(model.config.org.logo_url),
        kpis=kpis,
        trend_chart=trend_chart,
        trend_total=trend_total,
        trend_points=trend_points,
        donut_chart=donut,
        top_week=top,
        recent_awards=award_views(model, 6),
        mosaic=mosaic if active else [],
        mosaic_total=len(ranked_people),
        mosaic_more=max(len(ranked_people) - len(mosaic), 0),
        recent_activities=recent,
        has_badges=bool(snap.badges),
    )
