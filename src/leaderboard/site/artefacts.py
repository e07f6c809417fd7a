"""Per-contributor artefacts sized to the population that needs them (WEB-64).

A profile page exists for every listed contributor: it is the product. The heavier extras do
not have to: an organisation that grows from 200 to 20,000 contributors is mostly a long tail of
people who contributed once, years ago, and a 30 KB Open Graph card plus a downloaded avatar for
each of them is what pushed real sites past the hosts' file and size limits. So:

- Open Graph images and downloaded (or generated) avatar files go to the contributors chosen by
  `site.media`: `active` (default: an activity in the last 365 days), `all`, or `top` (the
  `site.media_top` contributors with the most all-time points). Everyone else gets the
  organisation's card (`meta.image_url`) as `og:image` and an initials avatar inlined in the page
  (a small SVG data URI: no file, no request).
- Rank badges are written only for the periods where the contributor holds a rank (NEW-07);
  `badge.svg`/`badge.json` follow the month.
- The JSON API's per-contributor documents are grouped into `SHARDS` files by a hash of the
  username (`api/v1/contributors/shards/<xx>.json`), and the older timeline months of a profile
  into one file per year (`api/v1/contributors/<u>/activities/<yyyy>.json`).

The choice depends only on the public data and `now`, so builds stay deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from leaderboard.config.model import Config
    from leaderboard.db.database import Database

ACTIVE_DAYS = 365
SHARD_DIGITS = 2  # 256 shard files at most, at any organisation size
SHARD_TEMPLATE = "contributors/shards/{shard}.json"


@dataclass(frozen=True)
class MediaPlan:
    """Who gets an Open Graph image and an avatar file (None = everyone)."""

    policy: str
    chosen: frozenset[str] | None

    def has_media(self, username: str) -> bool:
        return self.chosen is None or username in self.chosen

    def count(self, everyone: int) -> int:
        return everyone if self.chosen is None else len(self.chosen)


def plan_media(
    policy: str,
    top: int,
    people: Iterable[str],
    last_activity_ms: Mapping[str, int],
    points: Mapping[str, int],
    now_ms: int,
) -> MediaPlan:
    """`site.media` applied to the listed contributors (see the module docstring)."""
    names = list(people)
    if policy == "all":
        return MediaPlan(policy, None)
    if policy == "top":
        ordered = sorted(names, key=lambda u: (-points.get(u, 0), u))
        return MediaPlan(policy, frozenset(ordered[: max(0, top)]))
    since = now_ms - int(timedelta(days=ACTIVE_DAYS).total_seconds() * 1000)
    return MediaPlan(
        policy, frozenset(u for u in names if last_activity_ms.get(u, -(2**62)) > since)
    )


def media_people(
    working: Database, config: Config, now: datetime, people: Sequence[str]
) -> frozenset[str] | None:
    """Who `site.media` gives an avatar file (None: everyone), from the working DB, before the
    public DB and the build's plan exist: the prefetch draws only those. With the default
    `active`, a third of the benchmark's people get none, and drawing them anyway was a third
    of the drawers' CPU. `people` are the published names (`publicdb.published_people`).

    The build's plan (`hosts.plan_for_build`) decides what is written; this is the same rule
    over the same activities (points as published, without daily caps), so it names the same
    people unless daily caps or a host's file budget move the `top` cut. Either way the output
    cannot change: a contributor the prefetch left out is drawn by the avatar step, one it drew
    in vain stays in the cache."""
    from leaderboard.publicdb import plan_visibility
    from leaderboard.site.activitylog import instant_ms
    from leaderboard.timeutil import canonical

    site = config.leaderboard.site
    if site.media == "all":
        return None
    plan = plan_visibility(working, config)
    end = canonical(now)
    last: dict[str, int] = {}
    points: dict[str, int] = {}
    # NOT INDEXED: one pass over the table. Driven by the contributor index, SQLite fetched
    # the rows one by one in index order, a system call each: 7 CPU s instead of 1 at 10x.
    for user, total, at in working.conn.execute(
        "SELECT a.contributor, SUM(COALESCE(a.points, d.points, 0)), MAX(a.occurred_at) "
        "FROM activity a NOT INDEXED "
        "LEFT JOIN activity_definition d ON d.slug = a.activity_definition "
        "WHERE a.occurred_at <= ? GROUP BY a.contributor",
        (end,),
    ):
        if plan.is_hidden(user):
            continue
        name = plan.pseudonyms.get(user, user)
        last[name], points[name] = instant_ms(at), int(total)
    return plan_media(site.media, site.media_top, people, last, points, instant_ms(end)).chosen


@dataclass(frozen=True)
class ArtefactPlan:
    """What one build writes per contributor beyond the profile page (WEB-64).

    `media`: who gets an Open Graph image and an avatar file; `badge_top`: rank badges of the
    week, month and year only for ranks ≤ this (None: every rank); `notes`: what was trimmed to
    fit the host, for the build log."""

    media: MediaPlan
    badge_top: int | None = None
    notes: tuple[str, ...] = ()

    def has_media(self, username: str) -> bool:
        return self.media.has_media(username)


@dataclass(frozen=True)
class Population:
    """The counts and orders the plan needs, read once from the snapshot."""

    people: list[str]
    last_ms: dict[str, int]
    points: dict[str, int]  # all time
    recent: dict[str, int]  # points in the last ACTIVE_DAYS days
    ranked: dict[str, int]  # period → contributors holding a rank
    timeline_files: int  # files of older timeline months (one per contributor and year)


def population_of(snap: object, timeline_limit: int, api: bool) -> Population:
    """One pass over the snapshot's activity log (`leaderboard.site.snapshot.Snapshot`)."""
    from datetime import date

    from leaderboard.site.activitylog import instant_ms
    from leaderboard.timeutil import PERIODS, canonical, period_window

    log = snap.log  # type: ignore[attr-defined]
    people_map = snap.people  # type: ignore[attr-defined]
    now = snap.now  # type: ignore[attr-defined]
    names = log.names
    ranked_member = [people_map[u].ranked for u in names]
    now_ms = instant_ms(canonical(now))
    since = now_ms - ACTIVE_DAYS * 86_400_000
    last: dict[str, int] = {}
    points: dict[str, int] = {}
    recent: dict[str, int] = {}
    years = 0
    for u in people_map:
        positions = log.of(u)
        if not positions:
            continue
        last[u] = log.at[positions[-1]]
        points[u] = sum(log.points[i] for i in positions)
        recent[u] = sum(log.points[i] for i in positions if log.at[i] > since)
        if api and timeline_limit and len(positions) > timeline_limit:
            cut = positions[-timeline_limit]
            years += len({date.fromordinal(log.day[i]).year for i in positions if i <= cut})
    ranked: dict[str, int] = {}
    for period in PERIODS:
        w = period_window(period, now, snap.tz)  # type: ignore[attr-defined]
        span = log.span(w.start_text if period != "all-time" else None, w.end_text)
        sums = [0] * len(names)
        for i in span:
            who = log.who[i]
            if ranked_member[who]:
                sums[who] += log.points[i]
        ranked[period] = sum(1 for v in sums if v > 0)
    return Population(list(people_map), last, points, recent, ranked, years)


def plan_artefacts(
    pop: Population,
    *,
    policy: str,
    top: int,
    now_ms: int,
    budget: int | None,
    reserved: int,
    og: bool,
    avatar_files: bool,
    rank_badges: bool,
) -> ArtefactPlan:
    """Fit the optional files into `budget` files (None: no cap), after the `reserved` ones
    (profiles, pages, API, explorer, static). In order: the all-time rank badge of everyone
    ranked (embeds must not break), then Open Graph images and avatar files for the contributors
    `site.media` chooses, most points in the last year first, then week/month/year rank badges
    for the best ranks. Nothing here ever removes a profile page or a sitemap entry."""
    wanted = plan_media(policy, top, pop.people, pop.last_ms, pop.points, now_ms)
    if budget is None:
        return ArtefactPlan(wanted)
    notes: list[str] = []
    left = budget - reserved - (pop.ranked["all-time"] if rank_badges else 0)
    per_person = int(og) + int(avatar_files)
    media = wanted
    chosen = wanted.count(len(pop.people))
    if per_person and chosen * per_person > max(0, left):
        fit = max(0, left) // per_person
        pool = list(pop.people) if wanted.chosen is None else sorted(wanted.chosen)
        pool.sort(key=lambda u: (-pop.recent.get(u, 0), -pop.points.get(u, 0), u))
        media = MediaPlan(policy, frozenset(pool[:fit]))
        notes.append(
            f"Open Graph images and avatar files for {fit:,} of {chosen:,} contributors "
            f"(most points in the last year first) to stay within {budget:,} files; the others "
            "use the organisation's card and inline initials"
        )
        chosen = fit
    left -= chosen * per_person
    badge_top: int | None = None
    if rank_badges:
        # week, month (badge-month.svg, badge.svg, badge.json) and year
        weights = {"week": 1, "month": 3, "year": 1}

        def files(k: int | None) -> int:
            return sum(
                w * min(pop.ranked[p], k if k is not None else 10**9) for p, w in weights.items()
            )

        if files(None) > max(0, left):
            lo, hi = 0, max(pop.ranked.values(), default=0)
            while lo < hi:  # the largest k whose badges fit
                mid = (lo + hi + 1) // 2
                if files(mid) <= left:
                    lo = mid
                else:
                    hi = mid - 1
            badge_top = lo
            notes.append(
                f"Week, month and year rank badges for ranks 1–{lo:,} (all-time badges for "
                f"everyone ranked) to stay within {budget:,} files"
            )
    return ArtefactPlan(media, badge_top, tuple(notes))


# -- inline initials -------------------------------------------------------------------------


def initials_data_uri(username: str, display_name: str) -> str:
    """The generated avatar of WEB-09 (hue from the username, the initials in white) as a tiny
    SVG data URI, for contributors without an avatar file."""
    from leaderboard.site.avatars import fallback_colour, initials

    r, g, b = fallback_colour(username)
    text = initials(display_name or username)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>"
        f"<rect width='64' height='64' fill='#{r:02x}{g:02x}{b:02x}'/>"
        "<text x='32' y='32' dy='.35em' text-anchor='middle' fill='#fff' font-size='26' "
        f"font-family='system-ui,sans-serif'>{text}</text></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe=" '=:/#,.()")


# -- API shards ------------------------------------------------------------------------------


def shard_of(username: str) -> str:
    """The shard of a contributor's JSON document: the first two hex digits of the sha256 of
    the lower-cased UTF-8 username (usernames are unique ignoring case)."""
    return hashlib.sha256(username.lower().encode("utf-8")).hexdigest()[:SHARD_DIGITS]


def shard_path(username: str) -> str:
    """Path of the shard holding `username`, relative to `api/v1/`."""
    return SHARD_TEMPLATE.format(shard=shard_of(username))


def year_api_path(profile_rel: str, year: str) -> str:
    """`api/v1/contributors/<u>/activities/<yyyy>.json` for the segment of a profile URL."""
    rel = profile_rel.removeprefix("people/").rstrip("/")
    return f"api/v1/contributors/{rel}/activities/{year}.json"


# -- rank badges -----------------------------------------------------------------------------


FIXED_FILES = 150  # static assets, docs pages, feeds, home, badges, scoring, 404, sitemap… (upper)


def explorer_files(public_db_bytes: int | None, explorer: Any) -> int:
    """Files of the public DB in the output: one, or its chunks and their JSON (WEB-47)."""
    if public_db_bytes is None:
        return 1
    if public_db_bytes > explorer.chunk_threshold:
        return 1 + -(-public_db_bytes // explorer.chunk_size)
    return 1


def reserved_files(pop: Population, *, api: bool, explorer: int) -> int:
    """Files every build writes whatever the plan: profiles, leaderboard and People pages,
    the API (shards, timeline years), the explorer's, and the fixed ones."""
    people = len(pop.people)
    reserved = people + FIXED_FILES + explorer
    reserved += sum(-(-pop.ranked[p] // 100) for p in pop.ranked) + -(-people // 200)
    if api:
        reserved += 12 + min(people, 16**SHARD_DIGITS) + pop.timeline_files
    return reserved
