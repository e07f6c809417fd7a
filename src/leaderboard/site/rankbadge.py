"""Embeddable SVG rank badges (NEW-07): `<u>/badge-<period>.svg`, `badge.svg` and `badge.json`.

A flat two-part badge in the shields.io look, so it sits well next to CI badges in a README.
The geometry is computed from code-point counts (⌈n × 6.5⌉ + 10 px per part) rather than font
metrics, so the file is byte-identical on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import escape

from leaderboard import jsonfmt
from leaderboard.site.format import format_int

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState
    from leaderboard.site.snapshot import Snapshot

PERIOD_WORDS = {
    "week": "this week",
    "month": "this month",
    "year": "this year",
    "all-time": "all time",
}
BADGE_FILES = {
    "week": "badge-week.svg",
    "month": "badge-month.svg",
    "year": "badge-year.svg",
    "all-time": "badge-all-time.svg",
}
DEFAULT_PERIOD = "month"  # badge.svg and badge.json
LABEL_LIMIT = 24
LABEL_COLOUR = "#555"
UNRANKED_COLOUR = "#767676"
FONT_FAMILY = "Verdana, Geneva, DejaVu Sans, sans-serif"


def badge_label(meta_badge_label: str | None, org_name: str) -> str:
    """`meta.badge_label` or `org.name`, at most 24 code points (cut ones end with `…`)."""
    label = meta_badge_label or org_name
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


@dataclass(frozen=True, slots=True)
class Standing:
    """A contributor's position in one period.

    `ranked`: in the ranked population (not hidden-role, not bot). `rank` is None when the
    contributor had no activity in the window. `points` are the window's points.
    """

    period: str
    ranked: bool
    rank: int | None
    points: int


def badge_message(standing: Standing) -> str:
    """`#3 this month · 1,234 pts`, `no activity this month`, or `120 pts this month` (unranked)."""
    words = PERIOD_WORDS[standing.period]
    if not standing.ranked:
        return f"{format_int(standing.points)} pts {words}"
    if standing.rank is None:
        return f"no activity {words}"
    return f"#{standing.rank} {words} · {format_int(standing.points)} pts"


def badge_colour(standing: Standing) -> str:
    """Gold, silver, bronze for 1–3, green for 4–10, blue for other ranks, grey without rank."""
    rank = standing.rank if standing.ranked else None
    if rank is None:
        return UNRANKED_COLOUR
    if rank == 1:
        return "#b8860b"
    if rank == 2:
        return "#6e6e6e"
    if rank == 3:
        return "#a0522d"
    if rank <= 10:
        return "#2e7d32"
    return "#0969da"


def part_width(text: str) -> int:
    """⌈code points × 6.5⌉ + 10."""
    return math.ceil(len(text) * 6.5) + 10


def _x(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def rank_badge_svg(label: str, message: str, colour: str) -> str:
    """The badge SVG text (ends with a newline)."""
    lw, mw = part_width(label), part_width(message)
    width = lw + mw
    title = escape(f"{label}: {message}")
    lab, msg = escape(label), escape(message)
    lx, mx = _x(lw / 2), _x(lw + mw / 2)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" '
        f'viewBox="0 0 {width} 20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{lw}" width="{mw}" height="20" fill="{colour}"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="{FONT_FAMILY}" font-size="11">'
        f'<text x="{lx}" y="15" fill="#010101" fill-opacity="0.3">{lab}</text>'
        f'<text x="{lx}" y="14">{lab}</text>'
        f'<text x="{mx}" y="15" fill="#010101" fill-opacity="0.3">{msg}</text>'
        f'<text x="{mx}" y="14">{msg}</text></g></svg>\n'
    )


def shields_endpoint(label: str, message: str, colour: str) -> str:
    """`badge.json` in the shields.io endpoint format (compact JSON, trailing newline)."""
    doc = {"schemaVersion": 1, "label": label, "message": message, "color": colour.lstrip("#")}
    return jsonfmt.dumps_compact(doc) + "\n"


def badge_files(label: str, standings: dict[str, Standing]) -> dict[str, bytes]:
    """Every badge file of one contributor, relative to the profile directory.

    `standings` maps each period (`week`, `month`, `year`, `all-time`) to its `Standing`;
    `badge.svg` and `badge.json` show the month.
    """
    files: dict[str, bytes] = {}
    for period, name in BADGE_FILES.items():
        standing = standings[period]
        svg = rank_badge_svg(label, badge_message(standing), badge_colour(standing))
        files[name] = svg.encode("utf-8")
    files["badge.svg"] = files[BADGE_FILES[DEFAULT_PERIOD]]
    month = standings[DEFAULT_PERIOD]
    files["badge.json"] = shields_endpoint(label, badge_message(month), badge_colour(month)).encode(
        "utf-8"
    )
    return dict(sorted(files.items()))


def embed_snippets(label: str, message: str, badge_url: str, profile_url: str) -> tuple[str, str]:
    """(Markdown, HTML) snippets offered on the profile (WEB-43)."""
    alt = f"{label}: {message}"
    markdown = f"[![{_md_escape(alt)}]({badge_url})]({profile_url})"
    html = (
        f'<a href="{escape(profile_url)}"><img src="{escape(badge_url)}" '
        f'alt="{escape(alt)}" height="20"></a>'
    )
    return markdown, html


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def standings(snap: Snapshot) -> dict[str, dict[str, Standing]]:
    """{username: {period: Standing}} for every contributor of the site's snapshot.

    The query layer's ranking (CORE-76: the ranked population's contributors active in the
    window, `queries.ranking.ranks`; a contributor whose window sums to 0 points is ranked
    too, unlike on the site's boards, WEB-63) summed from the in-memory activity log: the eight
    SQL passes this took (four boards, four window totals) were a fifth of the files step.
    That both agree is a contract test (`tests/site/test_one_query_layer.py`).
    """
    from leaderboard.queries.ranking import ranks
    from leaderboard.timeutil import PERIODS, period_window

    log = snap.log
    names = log.names
    people = snap.people
    member = [people[u].ranked for u in names]
    result: dict[str, dict[str, Standing]] = {u: {} for u in people}
    for period in PERIODS:
        window = period_window(period, snap.now, snap.tz)
        span = log.span(window.start_text, window.end_text)
        points = [0] * len(names)
        active = [False] * len(names)
        lo, hi = span.start, span.stop
        for w, p in zip(log.who[lo:hi], log.points[lo:hi], strict=True):
            points[w] += p
            active[w] = True
        board = {names[i]: points[i] for i in range(len(names)) if active[i] and member[i]}
        places = ranks(board)
        for user, person in people.items():
            i = log.index.get(user)
            window_points = points[i] if i is not None else 0
            result[user][period] = Standing(period, person.ranked, places.get(user), window_points)
    return result


def build_stage(state: BuildState) -> None:
    """Builder step (WEB-02 step 9): `<u>/badge*.svg` and `badge.json`, for the periods where
    the contributor holds a rank (WEB-64: no file for a rank that does not exist)."""

    assert state.model is not None and state.urls is not None and state.writer is not None
    o = state.options
    plan = state.model.artefacts
    label = badge_label(o.config.meta.badge_label, o.config.org.name)
    for user, of_user in sorted(standings(state.model.snap).items()):
        directory = state.urls.profile_dir(user)
        ranks = {p: s.rank if s.ranked else None for p, s in of_user.items()}
        if plan is not None and plan.badge_top is not None:  # trimmed to fit the host
            ranks = {
                p: r if p == "all-time" or (r is not None and r <= plan.badge_top) else None
                for p, r in ranks.items()
            }
        for name, data in ranked_badge_files(badge_files(label, of_user), ranks).items():
            state.writer.write(f"{directory}/{name}", data)


def ranked_badge_files(
    files: Mapping[str, bytes], ranks: Mapping[str, int | None]
) -> dict[str, bytes]:
    """The badge files of one contributor (`badge_files`) kept for the periods where
    they hold a rank (`ranks`: period → rank or None); `badge.svg`/`badge.json` follow the month."""
    keep = {BADGE_FILES[p] for p, rank in ranks.items() if rank is not None}
    if ranks.get(DEFAULT_PERIOD) is not None:
        keep |= {"badge.svg", "badge.json"}
    return {name: data for name, data in files.items() if name in keep}
