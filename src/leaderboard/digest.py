"""`leaderboard digest weekly|inactivity` (NEW-23): summaries for maintainers' outreach.

Read-only: the working DB is opened read-only and turned into the in-memory public view (the same
transformation as the published DB), so pseudonyms apply and hidden people never appear. The
weekly window and the "previous week" are those of the site's week leaderboard (CORE-12).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaderboard.db import Database
from leaderboard.errors import LeaderboardError, UsageError
from leaderboard.population import Population

if TYPE_CHECKING:
    import httpx

    from leaderboard.config.model import Config
    from leaderboard.invocation import Common

DORMANT_AFTER_DAYS = 90


@dataclass
class Weekly:
    start: str
    end: str
    top: list[dict[str, Any]]
    new_contributors: list[str]
    badges: list[dict[str, str]]
    totals: dict[str, int]
    previous: dict[str, int]


@dataclass
class Inactivity:
    buckets: list[dict[str, Any]] = field(default_factory=list)
    dormant: int = 0


def _display(db: Database, username: str) -> str:
    name = db.scalar("SELECT name FROM contributor WHERE username = ?", (username,))
    return str(name) if name else username


def weekly(pub: Database, config: Config, now: datetime) -> Weekly:
    from leaderboard.queries import leaderboards
    from leaderboard.timeutil import local_date

    population = Population.from_db(pub, "ranked")
    tz = config.tz
    board = leaderboards.period(pub, "week", population, now=now, tz=tz, daily=False)
    top = [
        {
            "rank": e.rank,
            "username": e.username,
            "name": e.name or e.username,
            "points": e.points,
            "activities": e.activity_count,
        }
        for e in board.entries[: int(config.leaderboard.digest["top"])]
    ]
    previous = leaderboards.window_totals(
        pub, board.previous_start, board.previous_end, population, tz=tz, end_inclusive=False
    )
    start_day = str(local_date(board.start, tz)) if board.start else "0000-01-01"
    end_day = str(local_date(board.end, tz))
    rows = pub.execute(
        "SELECT cb.contributor, b.name, cb.variant, cb.achieved_on FROM contributor_badge cb "
        "JOIN badge_definition b ON b.slug = cb.badge JOIN contributor c ON c.username = "
        f"cb.contributor WHERE {population.sql('c', public=True)} AND cb.achieved_on > ? AND "
        "cb.achieved_on <= ? ORDER BY cb.achieved_on, cb.slug",
        (start_day, end_day),
    ).fetchall()
    badges = [
        {"name": _display(pub, u), "badge": b, "variant": v, "achieved_on": d}
        for u, b, v, d in rows
    ]
    return Weekly(
        start=board.start or "",
        end=board.end,
        top=top,
        new_contributors=[_display(pub, u) for u in board.new_contributors],
        badges=badges,
        totals={
            "points": sum(e.points for e in board.entries),
            "activities": sum(e.activity_count for e in board.entries),
            "contributors": len(board.entries),
        },
        previous={
            "points": sum(p for p, _ in previous.values()),
            "activities": sum(n for _, n in previous.values()),
            "contributors": len(previous),
        },
    )


def inactivity(pub: Database, config: Config, now: datetime) -> Inactivity:
    """Ranked, non-bot contributors by days since their last activity (NEW-23 buckets)."""
    from leaderboard.timeutil import parse_now

    population = Population.from_db(pub, "ranked")
    rows = pub.execute(
        "SELECT c.username, COALESCE(c.name, c.username), a.occurred_at, a.title FROM contributor c "
        "JOIN activity a ON a.contributor = c.username WHERE "
        f"{population.sql('c', public=True)} AND c.is_bot = 0 AND a.occurred_at = (SELECT "
        "MAX(x.occurred_at) FROM activity x WHERE x.contributor = c.username) "
        "ORDER BY a.occurred_at DESC, c.username",
    ).fetchall()
    bounds = [*config.leaderboard.digest["inactivity_days"], DORMANT_AFTER_DAYS]
    result = Inactivity(
        buckets=[
            {"from_days": lo, "to_days": hi, "people": []} for lo, hi in itertools.pairwise(bounds)
        ]
    )
    seen: set[str] = set()
    for username, name, occurred_at, title in rows:
        if username in seen:
            continue
        seen.add(username)
        days = (now - parse_now(occurred_at, config.tz)).days
        if days >= DORMANT_AFTER_DAYS:
            result.dormant += 1
            continue
        for bucket in result.buckets:
            if bucket["from_days"] <= days < bucket["to_days"]:
                bucket["people"].append(
                    {"name": name, "days": days, "last_activity": occurred_at[:10], "title": title}
                )
    return result


# -- rendering ----------------------------------------------------------------------------------


def _trend(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "±0"
    change = round((now - before) * 100 / before)
    return f"{change:+d}%"


def render_weekly(w: Weekly, org: str, *, slack: bool) -> str:
    bold = (lambda s: f"*{s}*") if slack else (lambda s: f"**{s}**")
    title = f"{org} — weekly digest ({w.start[:10]} to {w.end[:10]})"
    lines = [f"*{title}*" if slack else f"# {title}", ""]
    lines.append(bold("Top contributors"))
    if not w.top:
        lines.append("No activity this week.")
    for row in w.top:
        lines.append(
            f"{row['rank']}. {row['name']} — {row['points']} points, {row['activities']} activities"
        )
    lines += ["", bold("New contributors")]
    lines.append(", ".join(w.new_contributors) if w.new_contributors else "None this week.")
    lines += ["", bold("Badges awarded")]
    if not w.badges:
        lines.append("None this week.")
    for b in w.badges:
        lines.append(f"• {b['name']} earned {b['badge']} ({b['variant']}) on {b['achieved_on']}")
    lines += ["", bold("Totals")]
    for key in ("points", "activities", "contributors"):
        lines.append(
            f"• {key}: {w.totals[key]} ({_trend(w.totals[key], w.previous[key])} vs "
            "the previous week)"
        )
    return "\n".join(lines) + "\n"


def render_inactivity(r: Inactivity, org: str, *, slack: bool) -> str:
    title = f"{org} — contributors who have gone quiet"
    lines = [f"*{title}*" if slack else f"# {title}", ""]
    for bucket in r.buckets:
        head = f"{bucket['from_days']}–{bucket['to_days'] - 1} days since the last activity"
        lines.append(f"*{head}*" if slack else f"## {head}")
        if not bucket["people"]:
            lines.append("Nobody.")
        for p in bucket["people"]:
            lines.append(f"• {p['name']} — last active {p['last_activity']}: {p['title'] or ''}")
        lines.append("")
    lines.append(f"Dormant (more than {DORMANT_AFTER_DAYS} days): {r.dormant}")
    return "\n".join(lines) + "\n"


def render(kind: str, data: Weekly | Inactivity, org: str, fmt: str) -> str:
    if fmt == "json":
        from dataclasses import asdict

        return json.dumps({"kind": kind, **asdict(data)}, indent=2, ensure_ascii=False) + "\n"
    slack = fmt == "slack"
    if isinstance(data, Weekly):
        return render_weekly(data, org, slack=slack)
    return render_inactivity(data, org, slack=slack)


def post(url: str, text: str, transport: httpx.BaseTransport | None = None) -> None:
    import httpx

    try:
        with httpx.Client(transport=transport, timeout=30) as client:
            response = client.post(url, json={"text": text})
    except httpx.HTTPError as exc:
        raise LeaderboardError(f"Posting the digest failed: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise LeaderboardError(
            f"Posting the digest failed: the webhook answered HTTP {response.status_code}"
        )


def digest_command(common: Common, *, kind: str, fmt: str, do_post: bool) -> int:
    import sys

    from leaderboard.commands import data_dir_of, db_path_of, load_config_for, now_of
    from leaderboard.publicdb import public_db_in_memory

    data_dir = data_dir_of(common)
    config = load_config_for(common, data_dir)
    db_path = db_path_of(common, data_dir)
    if db_path != ":memory:" and not Path(db_path).is_file():
        raise LeaderboardError(
            f"No working DB at {db_path}; run `leaderboard run` first (the digest reads it)"
        )
    url = config.leaderboard.digest.get("webhook_url")
    if do_post and not url:
        raise UsageError("--post needs leaderboard.digest.webhook_url in config.yaml")
    if do_post and common.offline:
        raise UsageError("--post sends a request; it cannot be combined with --offline")
    now = now_of(common, config.leaderboard.timezone)
    working = Database.open(db_path, readonly=True)
    try:
        pub = public_db_in_memory(working, config=config, now=now)
    finally:
        working.close()
    data: Weekly | Inactivity = (
        weekly(pub, config, now) if kind == "weekly" else inactivity(pub, config, now)
    )
    if do_post:
        post(str(url), render(kind, data, config.org.name, "slack"))
        print(f"Posted the {kind} digest.")
        return 0
    sys.stdout.write(render(kind, data, config.org.name, fmt))
    return 0
