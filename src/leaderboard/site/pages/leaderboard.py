"""Leaderboard pages (WEB-25…WEB-34, NEW-19): podium, KPIs, table, top-by-type sidebar, bot track."""

from __future__ import annotations

from datetime import date

from leaderboard.site import graphs
from leaderboard.site.contexts import Kpi, LeaderboardContext, Link, PodiumSpot, RowView, TopCard
from leaderboard.site.format import format_int
from leaderboard.site.model import PERIOD_LABELS, PERIOD_TABS, SiteModel, trend
from leaderboard.site.ranking import (
    Entry,
    ThirtyDays,
    activity_stats,
    bots,
    entries,
    new_contributors,
    ranked,
    thirty_days,
    top_for_definition,
    window,
)
from leaderboard.site.snapshot import Snapshot
from leaderboard.timeutil import canonical

PERIOD_WORDS = {"week": "week", "month": "month", "year": "year", "all-time": "all time"}


def periods(model: SiteModel) -> list[str]:
    return ["week", "month", "year"] + (["all-time"] if model.features.all_time else [])


def _columns(model: SiteModel) -> list[dict[str, object]]:
    cols: list[dict[str, object]] = []
    for slug in model.config.leaderboard.all_contributors_definitions:
        d = model.snap.definitions.get(slug)
        if d is None:
            continue
        cols.append(
            {
                "slug": slug,
                "name": d.name,
                "description": d.description,
                "icon": model.definition_icon(slug),
            }
        )
    return cols


def _row(model: SiteModel, e: Entry, columns: list[dict[str, object]], period: str) -> RowView:
    delta = pct = None
    if e.previous_points is not None and e.points != e.previous_points:
        delta = e.points - e.previous_points
        prev = e.previous_points
        pct = 100 if prev <= 0 else graphs.round_half_up(abs(delta) / prev * 100)
    cells = []
    for col in columns:
        count, pts = e.breakdown.get(str(col["slug"]), (0, 0))
        if count:
            title = f"{col['name']}: {format_int(count)} {'activity' if count == 1 else 'activities'} · {format_int(pts)} pts"
        else:
            title = f"{col['name']}: No activity this period"
        if col["description"]:
            title += f" — {col['description']}"
        cells.append(
            {
                "slug": col["slug"],
                "icon": col["icon"],
                "count": count,
                "points": pts,
                "title": title,
            }
        )
    daily = e.daily_points  # computed here and dropped with the row's sparkline (CORE-80)
    spark = (
        graphs.sparkline(daily, f"{format_int(e.points)} points over the period")
        if daily
        else None
    )
    return RowView(
        person=model.view(e.person.username),
        rank=e.rank,
        points=e.points,
        activity_count=e.activity_count,
        rank_change=e.rank_change if period != "all-time" else None,
        rank_delta=e.rank_delta,
        previous_points=e.previous_points,
        points_delta=delta,
        points_delta_percent=pct,
        columns=cells,
        sparkline=spark,
    )


def _first_seen_in(snap: Snapshot, days: ThirtyDays) -> set[str]:
    """Usernames whose first-ever activity lies in the window."""
    log = snap.log
    positions = set(days.cur)
    return {u for u in log.names if log.first(u) in positions}


def build_leaderboard(model: SiteModel, period: str) -> LeaderboardContext:
    snap = model.snap
    win = window(snap, period)
    main = entries(snap, win, ranked)
    columns = _columns(model)
    rows = [_row(model, e, columns, period) for e in main]
    word = PERIOD_WORDS[period]
    kpis: list[Kpi] = []
    new_now = sum(1 for e in main if e.is_new)
    if period == "all-time":
        recent = _first_seen_in(snap, thirty_days(snap))
        kpis = [
            Kpi("Active Contributors", format_int(len(main)), "users", "All time"),
            Kpi(
                "Total Activities",
                format_int(sum(e.activity_count for e in main)),
                "activity",
                "All time",
            ),
            # all-time, everyone is new: the card counts first-timers of the last 30 days
            Kpi(
                "New Contributors",
                format_int(sum(1 for e in main if e.person.username in recent)),
                "user-plus",
                "Last 30 days",
            ),
        ]
    else:
        assert win.previous_start is not None and win.previous_end is not None
        ps, pe = canonical(win.previous_start), canonical(win.previous_end)
        prev_count, prev_people = activity_stats(
            snap, snap.log.span(ps, pe, end_inclusive=False), ranked
        )
        prev_new = new_contributors(snap, ps, pe, ranked, end_inclusive=False)
        caption = f"vs. last {word}"
        phrase = f"the previous {word}"
        total = sum(e.activity_count for e in main)
        kpis = [
            Kpi(
                "Active Contributors",
                format_int(len(main)),
                "users",
                caption,
                trend(len(main), prev_people, phrase),
            ),
            Kpi(
                "Total Activities",
                format_int(total),
                "activity",
                caption,
                trend(total, prev_count, phrase),
            ),
            Kpi(
                "New Contributors",
                format_int(new_now),
                "user-plus",
                caption,
                trend(new_now, prev_new, phrase),
            ),
        ]
    podium = (
        [
            PodiumSpot(
                model.view(e.person.username), e.rank, e.points, e.activity_count, {"row": r}
            )
            for e, r in zip(main[:3], rows[:3], strict=True)
        ]
        if len(main) >= 3
        else []
    )
    roles = sorted(
        {(r.person.role, r.person.role_name) for r in rows}, key=lambda x: (x[1].lower(), x[0])
    )
    span = snap.log.span(win.start_text, win.end_text)
    cards: list[TopCard] = []
    top_json: dict[str, list[dict[str, object]]] = {}
    for slug in model.config.leaderboard.top_contributors:
        d = snap.definitions.get(slug)
        if d is None:
            continue
        top = top_for_definition(snap, span, slug, ranked, 10)
        if not top:
            continue
        cards.append(
            TopCard(
                slug,
                d.name,
                d.description,
                model.definition_icon(slug, 18),
                [(model.view(p.username), c) for p, c, _ in top],
            )
        )
        top_json[slug] = [{"username": p.username, "role": p.role, "count": c} for p, c, _ in top]
    bot_rows: list[RowView] = []
    if model.config.leaderboard.bots.track:
        bot_rows = [_row(model, e, columns, period) for e in entries(snap, win, bots)]
    tabs = [
        Link(PERIOD_TABS[p], model.urls.path(f"leaderboard/{p}/"), active=p == period)
        for p in periods(model)
    ]
    first = date.fromordinal(snap.log.day[0]).isoformat() if len(snap.log) else None
    return LeaderboardContext(
        period=period,
        period_label=PERIOD_LABELS[period],
        period_word=word,
        tabs=tabs,
        range_start=win.start.astimezone(snap.tz).date().isoformat() if win.start else None,
        range_end=win.end.astimezone(snap.tz).date().isoformat(),
        since=first if period == "all-time" else None,
        podium=podium,
        kpis=kpis,
        columns=columns,
        rows=rows,
        roles=roles,
        top_cards=cards,
        top_json=top_json,
        bot_label=model.config.leaderboard.bots.label,
        bot_rows=bot_rows,
        show_changes=period != "all-time",
    )
