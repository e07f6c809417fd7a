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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

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


def media_plan_of(snap: object, policy: str, top: int) -> MediaPlan:
    """`plan_media` over a site snapshot (`leaderboard.site.snapshot.Snapshot`)."""
    from leaderboard.site.activitylog import instant_ms
    from leaderboard.timeutil import canonical

    log = snap.log  # type: ignore[attr-defined]
    people = list(snap.people)  # type: ignore[attr-defined]
    last: dict[str, int] = {}
    for u in people:
        i = log.last(u)
        if i is not None:
            last[u] = log.at[i]
    points = {u: p for u, (p, _n) in log.totals().items()}
    now_ms = instant_ms(canonical(snap.now))  # type: ignore[attr-defined]
    return plan_media(policy, top, people, last, points, now_ms)


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


def ranked_badge_files(
    files: Mapping[str, bytes], ranks: Mapping[str, int | None]
) -> dict[str, bytes]:
    """The badge files of one contributor (`rankbadge.badge_files`) kept for the periods where
    they hold a rank (`ranks`: period → rank or None); `badge.svg`/`badge.json` follow the month."""
    from leaderboard.site.rankbadge import BADGE_FILES, DEFAULT_PERIOD

    keep = {BADGE_FILES[p] for p, rank in ranks.items() if rank is not None}
    if ranks.get(DEFAULT_PERIOD) is not None:
        keep |= {"badge.svg", "badge.json"}
    return {name: data for name, data in files.items() if name in keep}
