"""`queries.leaderboards`: ranked windows (CORE-76) and the ranking-based shared queries (CORE-77).

`entries()` and `period()` return `LeaderboardEntry`/`Leaderboard` dataclasses (queries.types);
the other functions return plain dicts. Everything is set-based: a leaderboard costs a fixed
number of grouped queries whatever the number of contributors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import dbinfo, writes
from leaderboard.queries.localdate import local_date_sql
from leaderboard.queries.ranking import order, rank_change, ranks
from leaderboard.queries.rows import username_key
from leaderboard.queries.scored import Instant, scored_sql, text, upper_bound
from leaderboard.queries.types import DaySeries, Leaderboard, LeaderboardEntry, day_range
from leaderboard.timeutil import (
    PERIODS,
    canonical,
    date_text,
    local_date,
    parse_timestamp,
    period_window,
)

Caps = Mapping[str, int] | None


def _scored_in_population(
    db: Database, population: Population, *, tz: tzinfo, start: str | None, end: str | None,
    end_inclusive: bool = True, caps: Caps = None, definitions: list[str] | None = None,
) -> tuple[str, list[Any], str]:  # fmt: skip
    """(FROM clause of scored activities `s`, params, WHERE predicate keeping `population`).

    The population is applied as `IN (subquery)`: SQLite builds that key set once, which is
    cheaper than joining the contributor row of every activity. The unary `+` keeps SQLite from
    answering the IN through the contributor index (a scan of every activity of every member)
    instead of the time range.
    """
    sql, params = scored_sql(
        db, tz=tz, start=start, end=end, end_inclusive=end_inclusive, caps=caps,
        definitions=definitions,
    )  # fmt: skip
    member = population.sql("c", public=dbinfo.is_public(db))
    where = f"+s.contributor IN (SELECT c.username FROM contributor c WHERE {member})"
    return f"({sql}) s", params, where


def _people(db: Database, population: Population) -> dict[str, tuple[Any, Any, Any, bool]]:
    """{username: (name, avatar_url, role, is_bot)} for every contributor of `population`."""
    public = dbinfo.is_public(db)
    rows = db.execute(
        f"SELECT c.username, c.name, c.avatar_url, c.role, {population.bot_sql('c', public=public)} "
        f"FROM contributor c WHERE {population.sql('c', public=public)}"
    ).fetchall()
    return {u: (n, a, r, bool(b)) for u, n, a, r, b in rows}


def window_totals(
    db: Database, start: Instant, end: Instant, population: Population, *, now: Instant = None,
    tz: tzinfo | None = None, caps: Caps = None, end_inclusive: bool = True,
) -> dict[str, tuple[int, int]]:  # fmt: skip
    """{username: (points, activity_count)} for contributors of `population` active in the window."""
    zone = dbinfo.timezone(db, tz)
    frm, params, where = _scored_in_population(
        db, population, tz=zone, start=text(start), end=upper_bound(end, now),
        end_inclusive=end_inclusive, caps=caps,
    )  # fmt: skip
    rows = db.execute(
        f"SELECT s.contributor, SUM(s.points), COUNT(*) FROM {frm} WHERE {where} "
        "GROUP BY s.contributor",
        params,
    ).fetchall()
    return {u: (int(p), int(n)) for u, p, n in rows}


def _earlier(db: Database, usernames: list[str], before: str) -> set[str]:
    """Which of `usernames` have any activity before `before` (one statement, EXISTS per name)."""
    if not usernames:
        return set()
    rows = db.execute(
        "SELECT j.value FROM json_each(?) j WHERE EXISTS (SELECT 1 FROM activity x "
        "WHERE x.contributor = j.value AND x.occurred_at < ?)",
        (json.dumps(usernames), before),
    ).fetchall()
    return {r[0] for r in rows}


def leaderboard(
    db: Database, start: Instant, end: Instant, population: Population, *,
    previous_start: Instant = None, previous_end: Instant = None, now: Instant = None,
    tz: tzinfo | None = None, caps: Caps = None, daily: bool = True, period: str | None = None,
) -> Leaderboard:  # fmt: skip
    """The full computation of CORE-76 for one window (and its previous window when given)."""
    zone = dbinfo.timezone(db, tz)
    lo, hi = text(start), upper_bound(end, now)
    if hi is None:
        raise ValueError("a leaderboard needs an end or now")
    frm, params, where = _scored_in_population(db, population, tz=zone, start=lo, end=hi, caps=caps)
    # One pass over the window: grouped by contributor, definition and (for day series) date.
    day = local_date_sql("s.occurred_at", zone) if daily else "''"
    rows = db.execute(
        f"SELECT s.contributor, s.activity_definition, {day} AS k, COUNT(*), SUM(s.points) "
        f"FROM {frm} WHERE {where} GROUP BY s.contributor, s.activity_definition, k",
        params,
    ).fetchall()
    breakdowns: dict[str, dict[str, dict[str, int]]] = {}
    totals: dict[str, int] = {}
    counts: dict[str, int] = {}
    for user, slug, _, n, p in rows:
        per = breakdowns.setdefault(user, {})
        item = per.get(slug)
        if item is None:
            per[slug] = {"count": n, "points": p}
        else:
            item["count"] += n
            item["points"] += p
        totals[user] = totals.get(user, 0) + p
        counts[user] = counts.get(user, 0) + n
    ranked_names = order(totals)
    info = _people(db, population) if ranked_names else {}

    dates: list[str] = []
    series: dict[str, DaySeries] = {}
    if daily and ranked_names:
        end_text = text(end) or hi
        if lo is not None:
            dates = day_range(lo, end_text, zone)
        else:
            dates = _dates_from(min(r[2] for r in rows), end_text, zone)
        index = {d: i for i, d in enumerate(dates)}
        series = {u: DaySeries.zeros(dates, index) for u in ranked_names}
        for user, _, k, n, p in rows:
            series[user].add(k, n, p)

    previous_ranks: dict[str, int] = {}
    previous_points: dict[str, int] = {}
    has_previous = previous_start is not None and previous_end is not None
    if has_previous:
        prev = window_totals(
            db, previous_start, previous_end, population, tz=zone, caps=caps, end_inclusive=False
        )
        previous_points = {u: p for u, (p, _) in prev.items()}
        previous_ranks = ranks(previous_points)
    candidates = [u for u in ranked_names if u not in previous_ranks]
    earlier = _earlier(db, candidates, lo) if lo is not None else set()

    entries: list[LeaderboardEntry] = []
    for rank, user in enumerate(ranked_names, start=1):
        name, avatar, role, is_bot = info[user]
        entry = LeaderboardEntry(
            rank=rank, username=user, name=name, avatar_url=avatar, role=role, is_bot=is_bot,
            points=totals[user], activity_count=counts[user],
            breakdown=dict(sorted(breakdowns[user].items())),
            daily=series.get(user), is_new=user not in previous_ranks and user not in earlier,
        )  # fmt: skip
        if has_previous:
            entry.previous_points = previous_points.get(user)
            entry.previous_rank = previous_ranks.get(user)
            entry.rank_change, entry.rank_delta = rank_change(
                rank, entry.previous_rank, user in earlier
            )
        entries.append(entry)
    return Leaderboard(
        period=period, start=lo, end=text(end) or hi,
        previous_start=text(previous_start) if has_previous else None,
        previous_end=text(previous_end) if has_previous else None,
        population=population, entries=entries, dates=dates,
        new_contributors=[e.username for e in entries if e.is_new],
    )  # fmt: skip


def _dates_from(first_day: str, end: str, tz: tzinfo) -> list[str]:
    """All-time day series: from the first active date to the date of `end`."""
    a = date.fromisoformat(first_day)
    b = local_date(end, tz)
    return [date_text(a + timedelta(days=i)) for i in range((b - a).days + 1)]


def entries(
    db: Database, start: Instant, end: Instant, population: Population, *,
    tz: tzinfo | None = None, now: Instant = None, caps: Caps = None, daily: bool = True,
) -> list[LeaderboardEntry]:  # fmt: skip
    """Ranked entries of a window (no previous-window fields; see `period`)."""
    return leaderboard(db, start, end, population, tz=tz, now=now, caps=caps, daily=daily).entries


def _now_dt(now: Instant) -> datetime:
    if isinstance(now, datetime):
        return now
    if now is None:
        raise ValueError("now is required (inject it; the query layer never reads the clock)")
    return parse_timestamp(now, UTC).instant


def period(
    db: Database, period_name: str, population: Population, *, now: Instant,
    tz: tzinfo | None = None, caps: Caps = None, daily: bool = True,
) -> Leaderboard:  # fmt: skip
    """The leaderboard of `week`, `month`, `year` or `all-time` (CORE-12) ending now."""
    zone = dbinfo.timezone(db, tz)
    if period_name not in PERIODS:
        raise ValueError(f"unknown period '{period_name}' (expected one of {', '.join(PERIODS)})")
    window = period_window(period_name, _now_dt(now), zone)
    end = canonical(window.end)
    return leaderboard(
        db, window.start_text, end, population,
        previous_start=window.previous_start, previous_end=window.previous_end,
        now=end, tz=zone, caps=caps, daily=daily, period=period_name,
    )  # fmt: skip


def active_contributors(
    db: Database, start: Instant, end: Instant, population: Population, *,
    now: Instant = None, tz: tzinfo | None = None, caps: Caps = None, limit: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Contributors active in the window with their window points, in rank order (CORE-77)."""
    board = leaderboard(db, start, end, population, now=now, tz=tz, caps=caps, daily=False)
    chosen = board.entries if limit is None else board.entries[:limit]
    return [
        {
            "rank": e.rank, "username": e.username, "name": e.name, "avatar_url": e.avatar_url,
            "role": e.role, "points": e.points, "activity_count": e.activity_count,
        }
        for e in chosen
    ]  # fmt: skip


def top_for_definition(
    db: Database, definition: str, start: Instant, end: Instant, population: Population, *,
    now: Instant = None, tz: tzinfo | None = None, caps: Caps = None, limit: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Top contributors for one definition: count desc, then points desc, then username."""
    zone = dbinfo.timezone(db, tz)
    frm, params, where = _scored_in_population(
        db, population, tz=zone, start=text(start), end=upper_bound(end, now), caps=caps,
        definitions=[definition],
    )  # fmt: skip
    rows = db.execute(
        f"SELECT s.contributor, COUNT(*), SUM(s.points) FROM {frm} WHERE {where} "
        "GROUP BY s.contributor",
        params,
    ).fetchall()
    rows.sort(key=lambda r: (-r[1], -r[2], *username_key(r[0])))
    if limit is not None:
        rows = rows[:limit]
    info = _people(db, population) if rows else {}
    return [
        {
            "rank": i, "username": u, "name": info[u][0], "avatar_url": info[u][1],
            "role": info[u][2], "count": int(n), "points": int(p),
        }
        for i, (u, n, p) in enumerate(rows, start=1)
    ]  # fmt: skip


def period_totals(
    db: Database, population: Population, *, now: Instant, tz: tzinfo | None = None,
    caps: Caps = None,
) -> dict[str, dict[str, tuple[int, int]]]:  # fmt: skip
    """{period: {username: (points, activity_count)}} for every period, in one pass (NEW-19)."""
    zone = dbinfo.timezone(db, tz)
    end = canonical(_now_dt(now))
    starts = {
        name: period_window(name, _now_dt(end), zone).start_text
        for name in PERIODS if name != "all-time"
    }  # fmt: skip
    frm, params, where = _scored_in_population(
        db, population, tz=zone, start=None, end=end, caps=caps
    )
    parts = ["SUM(CASE WHEN s.occurred_at >= ? THEN s.points END), SUM(s.occurred_at >= ?)"] * len(
        starts
    )
    bounds = [b for name in starts for b in (starts[name], starts[name])]
    rows = db.execute(
        f"SELECT s.contributor, SUM(s.points), COUNT(*), {', '.join(parts)} FROM {frm} "
        f"WHERE {where} GROUP BY s.contributor",
        [*bounds, *params],
    ).fetchall()
    out: dict[str, dict[str, tuple[int, int]]] = {name: {} for name in PERIODS}
    for user, p_all, n_all, *windowed in rows:
        out["all-time"][user] = (int(p_all), int(n_all))
        for i, name in enumerate(starts):
            n = windowed[2 * i + 1]
            if n:
                out[name][user] = (int(windowed[2 * i] or 0), int(n))
    return out


def contributor_summary(
    db: Database, username: str, population: Population, *, now: Instant,
    tz: tzinfo | None = None, caps: Caps = None,
) -> dict[str, Any] | None:  # fmt: skip
    """Totals, first/last activity instants, ranks per period and badge count of one contributor.

    `ranks[period]` is `{"rank", "of", "points", "activity_count"}`, or None when the contributor
    has no activity in that window or is not in `population` (then `not_ranked_reason` says why).
    """
    zone = dbinfo.timezone(db, tz)
    who = writes.canonical_username(db, username)
    if who is None:
        return None
    row = db.query_one("SELECT c.* FROM contributor c WHERE c.username = ?", (who,)) or {}
    end = canonical(_now_dt(now))
    sql, params = scored_sql(db, tz=zone, end=end, caps=caps, contributor=who)
    day = local_date_sql("s.occurred_at", zone)
    agg = db.execute(
        f"SELECT COALESCE(SUM(s.points), 0), COUNT(*), COUNT(DISTINCT {day}), MIN(s.occurred_at), "
        f"MAX(s.occurred_at) FROM ({sql}) s",
        params,
    ).fetchone()
    member = bool(
        db.scalar(
            f"SELECT 1 FROM contributor c WHERE c.username = ? AND "
            f"{population.sql('c', public=dbinfo.is_public(db))}",
            (who,),
        )
    )
    result_ranks: dict[str, dict[str, int] | None] = dict.fromkeys(PERIODS)
    if member:
        for name, totals in period_totals(db, population, now=end, tz=zone, caps=caps).items():
            if who in totals:
                points, count = totals[who]
                result_ranks[name] = {
                    "rank": ranks({u: p for u, (p, _) in totals.items()})[who],
                    "of": len(totals), "points": points, "activity_count": count,
                }  # fmt: skip
    badge_count = int(
        db.scalar("SELECT COUNT(*) FROM contributor_badge WHERE contributor = ?", (who,))
    )
    return {
        "username": who,
        "name": row.get("name"),
        "role": row.get("role"),
        "points": int(agg[0]),
        "activity_count": int(agg[1]),
        "active_days": int(agg[2]),
        "first_activity_at": agg[3],
        "last_activity_at": agg[4],
        "ranks": result_ranks,
        "badge_count": badge_count,
        "not_ranked_reason": None if member else population.not_ranked_reason(row),
    }
