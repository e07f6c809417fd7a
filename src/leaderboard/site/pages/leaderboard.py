"""Leaderboard pages (WEB-25…WEB-34, NEW-19): podium, KPIs, table, top-by-type sidebar, bot track."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from leaderboard.site import graphs
from leaderboard.site.contexts import (
    Kpi,
    LeaderboardContext,
    Link,
    Pager,
    PodiumSpot,
    RowView,
    TopCard,
)
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
        graphs.sparkline(daily, f"{format_int(e.points)} points over the period") if daily else None
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


PAGE_SIZE = 100  # ranked rows per HTML page (WEB-63)


def page_path(base: str, n: int) -> str:
    """`<base>` for page 1, `<base>page/<n>/` after it (base ends with `/`)."""
    return base if n == 1 else f"{base}page/{n}/"


def pager(model: SiteModel, base: str, n: int, pages: int, total: int, size: int) -> Pager:
    """Links to the first, last and nearby pages, with `…` gaps (a board may have 150 pages)."""
    shown = sorted({1, pages, *range(max(1, n - 2), min(pages, n + 2) + 1)})
    links: list[Link] = []
    for k, number in enumerate(shown):
        if k and number - shown[k - 1] > 1:
            links.append(Link("…", ""))
        links.append(
            Link(str(number), model.urls.path(page_path(base, number)), active=number == n)
        )
    return Pager(
        page=n,
        pages=pages,
        links=links,
        prev=model.urls.path(page_path(base, n - 1)) if n > 1 else None,
        next=model.urls.path(page_path(base, n + 1)) if n < pages else None,
        first_item=(n - 1) * size + 1,
        last_item=min(n * size, total),
        total=total,
    )


def build_leaderboard(model: SiteModel, period: str) -> LeaderboardContext:
    """Page 1 of a period's board (see `build_leaderboard_pages`)."""
    return build_leaderboard_pages(model, period)[0]


def build_leaderboard_pages(model: SiteModel, period: str) -> list[LeaderboardContext]:
    """A period's board as numbered pages of `PAGE_SIZE` rows: page 1 has the podium, KPIs,
    sidebar and bot track; later pages only their slice of the table (WEB-63)."""
    snap = model.snap
    win = window(snap, period)
    main = entries(snap, win, ranked)
    columns = _columns(model)
    rows = [_row(model, e, columns, period) for e in main[:PAGE_SIZE]]
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
        {(e.person.role, model.role_name(e.person.role)) for e in main},
        key=lambda x: (x[1].lower(), x[0]),
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
    base = f"leaderboard/{period}/"
    pages = max(1, -(-len(main) // PAGE_SIZE))
    api_url = model.urls.path(f"api/v1/leaderboard/{period}.json") if model.features.api else None
    first_page = LeaderboardContext(
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
        pager=pager(model, base, 1, pages, len(main), PAGE_SIZE) if pages > 1 else None,
        api_url=api_url,
    )
    result = [first_page]
    for n in range(2, pages + 1):
        chunk = main[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]
        result.append(
            replace(
                first_page,
                podium=[],
                kpis=[],
                top_cards=[],
                top_json={},
                bot_rows=[],
                rows=[_row(model, e, columns, period) for e in chunk],
                pager=pager(model, base, n, pages, len(main), PAGE_SIZE),
            )
        )
    return result
