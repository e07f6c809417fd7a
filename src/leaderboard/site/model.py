"""`SiteModel`: what every page builder needs for one build (snapshot, config, URLs, icons).

Page builders are functions `build_<page>(model) -> <Page>Context`; the model holds the shared
lookups (person views, all-time totals, role names) so each is computed once per build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup

from leaderboard.config.model import Config
from leaderboard.site.artefacts import ArtefactPlan, initials_data_uri
from leaderboard.site.contexts import PersonView, Trend
from leaderboard.site.icons import Icons
from leaderboard.site.snapshot import Award, Person, Snapshot
from leaderboard.site.urls import Urls, segment

PERIOD_LABELS = {
    "week": "This Week",
    "month": "This Month",
    "year": "This Year",
    "all-time": "All Time",
}
PERIOD_TABS = {"week": "Week", "month": "Month", "year": "Year", "all-time": "All Time"}


@dataclass
class Features:
    """Which optional parts this build produces (WEB-01 switches after flags)."""

    og: bool = True
    avatars: str = "cache"
    rank_badges: bool = True
    api: bool = True
    feeds: bool = True
    scoring: bool = True
    all_time: bool = True
    explorer: bool = True
    docs: bool = False
    timeline_limit: int = 100


@dataclass
class SiteModel:
    snap: Snapshot
    config: Config
    urls: Urls
    features: Features
    icons: Icons = field(default_factory=Icons)
    warnings: list[str] = field(default_factory=list)
    local_assets: dict[str, str] = field(default_factory=dict)  # remote URL → downloaded copy
    theme_link: str | None = None  # a remote `leaderboard.theme` that could never be fetched
    artefacts: ArtefactPlan | None = None  # per-contributor files (WEB-64); None = all of them
    _icon_cache: dict[tuple[str, int], Markup] = field(default_factory=dict, repr=False)

    def asset_url(self, url: str | None) -> str:
        """A config URL for the page: `/`-paths (files in `assets/`) get the base path."""
        if not url:
            return ""
        if url in self.local_assets:  # fetched at build time (WEB-07): never another host
            return self.urls.path(self.local_assets[url])
        return self.urls.path(url.lstrip("/")) if url.startswith("/") else url

    # -- people ------------------------------------------------------------------------------

    def role_name(self, role: str) -> str:
        r = self.config.leaderboard.roles.get(role)
        return r.name if r and r.name else role

    def role_description(self, role: str) -> str:
        r = self.config.leaderboard.roles.get(role)
        return (r.description or "") if r else ""

    def avatar_url(self, person: Person) -> str:
        if self.features.avatars == "remote" and person.avatar_url and not person.pseudonymous:
            url = person.avatar_url
            return self.urls.path(url.lstrip("/")) if url.startswith("/") else url
        if not self.has_media(person.username):  # no file: initials inline (WEB-64)
            return initials_data_uri(person.username, person.display_name)
        return self.urls.path(f"avatars/{segment(person.username)}.webp")

    def has_media(self, username: str) -> bool:
        """Does this contributor get an avatar file and an Open Graph image (`site.media`)?"""
        return self.artefacts is None or self.artefacts.has_media(username)

    def avatar_absolute(self, person: Person) -> str:
        url = self.avatar_url(person)
        if "://" in url or url.startswith("data:"):
            return url
        return self.urls.absolute(url[len(self.urls.base_path) :])

    @cached_property
    def _views(self) -> dict[str, PersonView]:
        return {
            p.username: PersonView(
                username=p.username,
                display_name=p.display_name,
                profile_url=self.urls.profile(p.username),
                avatar_url=self.avatar_url(p),
                role=p.role,
                role_name=self.role_name(p.role),
                role_description=self.role_description(p.role),
                is_bot=p.is_bot,
                hidden_role=p.hidden_role,
            )
            for p in self.snap.people.values()
        }

    def view(self, username: str) -> PersonView:
        return self._views[username]

    @cached_property
    def totals(self) -> dict[str, tuple[int, int]]:
        """All-time (points, activity count) per contributor."""
        return self.snap.log.totals()

    @cached_property
    def _awards_by_person(self) -> dict[str, list[Award]]:
        grouped: dict[str, list[Award]] = {}
        for award in self.snap.awards:
            grouped.setdefault(award.contributor, []).append(award)
        return grouped

    def awards_of(self, username: str) -> list[Award]:
        """A contributor's awards in the snapshot's order (achieved_on desc, then slug); grouped
        once, since scanning every award for every profile was quadratic (CORE-80)."""
        return self._awards_by_person.get(username, [])

    def points(self, username: str) -> int:
        return self.totals.get(username, (0, 0))[0]

    # -- shared display helpers --------------------------------------------------------------

    def definition_name(self, slug: str) -> str:
        d = self.snap.definitions.get(slug)
        return d.name if d else slug

    def definition_icon(self, slug: str, size: int = 16) -> Markup:
        """The definition's icon markup; memoised because every timeline item asks for one."""
        key = (slug, size)
        icon = self._icon_cache.get(key)
        if icon is None:
            d = self.snap.definitions.get(slug)
            icon = self._icon_cache[key] = self.icons.activity(d.icon if d else None, size=size)
        return icon

    def variant_image(self, badge: str, variant: str) -> str:
        b = self.snap.badges.get(badge)
        if not b:
            return ""
        for key, data in b.variants:
            if key == variant:
                return self.image_url(data.get("svg_url"))
        return ""

    def image_url(self, url: object) -> str:
        """An image URL from data: the copy downloaded at build time when there is one."""
        if not isinstance(url, str) or not url:
            return ""
        local = self.local_assets.get(url)
        return self.urls.path(local) if local else url

    def variant_description(self, badge: str, variant: str) -> str:
        b = self.snap.badges.get(badge)
        for key, data in b.variants if b else []:
            if key == variant:
                return str(data.get("description") or "")
        return ""


def trend(current: int, previous: int, phrase: str) -> Trend | None:
    """WEB-17: no trend when both are 0 or equal; p = 0 → up 100%."""
    if current == previous:
        return None
    pct = 100 if previous == 0 else _round_half_up(abs(current - previous) / previous * 100)
    direction = "up" if current > previous else "down"
    return Trend(direction, pct, f"{direction} {pct}% compared with {phrase}")


def _round_half_up(value: float) -> int:
    from leaderboard.site.format import round_half_up

    return int(round_half_up(value))


def capitalise(key: str) -> str:
    return key[:1].upper() + key[1:]


def safe_href(url: object) -> str:
    """The `safe_href` template filter: `url` when it is an http(s) or mailto: link or a site
    path, else `#`. Config values are validated already (WEB-57); this is defence in depth for
    the chrome's links, so that no `javascript:`/`data:` link is ever rendered from config."""
    if not isinstance(url, str):
        return "#"
    text = url.strip()
    lowered = text.lower()
    if lowered.startswith(("http://", "https://", "mailto:")):
        return text
    if text.startswith("/") and not text.startswith(("//", "/\\")):
        return text
    return "#"


def safe_link(url: str | None) -> str | None:
    """Only absolute http(s) links from data become `href`s (CORE-82); others are dropped."""
    if not url:
        return None
    text = url.strip()
    return text if text.lower().startswith(("http://", "https://")) else None
