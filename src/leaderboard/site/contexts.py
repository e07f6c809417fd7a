"""Template contexts: the documented, versioned public API for template overrides (NEW-29).

Every page template receives three names: `site` (`SiteContext`, the chrome shared by all pages),
`page` (`PageMeta`, head metadata and the active navigation item) and `ctx` (the page's own
dataclass below). Overriding templates may rely on exactly these fields; a field is only added in
a minor version and only removed when `CONTEXT_VERSION` changes.

Values are display-ready: numbers are ints (format them with the `int` filter), texts are plain
strings (autoescaped), and pre-rendered HTML (icons, charts, sanitised Markdown) is `Markup`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

CONTEXT_VERSION = 1


@dataclass
class Link:
    label: str
    href: str
    icon: str = ""  # Lucide icon name
    active: bool = False
    external: bool = False


@dataclass
class PersonView:
    """A contributor as pages show them (display name, links, role badge)."""

    username: str
    display_name: str
    profile_url: str
    avatar_url: str
    role: str
    role_name: str
    role_description: str
    is_bot: bool
    hidden_role: bool


@dataclass
class SiteContext:
    """The chrome: header, footer, assets (WEB-11…WEB-14)."""

    version: int
    package_version: str
    org_name: str
    org_description: str
    org_url: str
    logo_url: str
    favicon_url: str
    meta_title: str
    home_url: str
    site_url: str
    base_path: str
    css_url: str
    js_url: str
    theme_url: str | None
    nav: list[Link]
    github_url: str | None
    socials: list[Link]
    footer_pages: list[Link]
    footer_leaderboards: list[Link]
    building_since: str | None
    data_updated_at: str  # canonical timestamp
    update_description: str | None
    next_update_at: str | None
    data_source: Link | None
    year: int
    feeds: list[Link]
    api_index_url: str | None
    sitemap_url: str
    project_url: str


@dataclass
class PageMeta:
    """Head metadata of one page (WEB-11)."""

    path: str  # relative to the base path, "" for home, always ending with "/" otherwise
    title: str
    description: str
    canonical: str
    og_type: str = "website"
    og_image: str = ""
    og_image_alt: str = ""
    robots: str | None = None
    nav: str = ""  # active nav key: home | leaderboard | people | badges | ""
    keywords: list[str] = field(default_factory=list)
    json_ld: Any = None
    noindex: bool = False
    prev_url: str | None = None  # rel="prev"/"next" of numbered pages (WEB-63)
    next_url: str | None = None


@dataclass
class Kpi:
    label: str
    value: str
    icon: str
    caption: str
    trend: Trend | None = None


@dataclass
class Trend:
    """WEB-17: direction up | down, the percentage and a sentence for screen readers."""

    direction: str
    percent: int
    words: str


@dataclass
class PodiumSpot:
    person: PersonView
    rank: int
    points: int
    activity_count: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AwardView:
    person: PersonView
    badge_name: str
    variant: str
    variant_label: str  # "" when the badge has a single variant
    variant_description: str
    image: str
    achieved_on: str


@dataclass
class ActivityView:
    person: PersonView
    definition_name: str
    icon: Markup
    title: str | None
    text_plain: str
    text_html: Markup
    link: str | None
    points: int
    occurred_at: str


@dataclass
class HomeContext:
    hero_logo: str
    kpis: list[Kpi]
    trend_chart: Markup | None
    trend_total: int
    trend_points: int
    donut_chart: Markup | None
    top_week: list[PodiumSpot]
    recent_awards: list[AwardView]
    mosaic: list[PersonView]
    mosaic_total: int
    mosaic_more: int
    recent_activities: list[ActivityView]
    has_badges: bool = True  # badge definitions exist: the achievements card and link show


@dataclass
class RowView:
    """One row of a leaderboard table (WEB-29)."""

    person: PersonView
    rank: int
    points: int
    activity_count: int
    rank_change: str | None
    rank_delta: int | None
    previous_points: int | None
    points_delta: int | None
    points_delta_percent: int | None
    columns: list[dict[str, Any]]
    sparkline: Markup | None


@dataclass
class TopCard:
    slug: str
    name: str
    description: str
    icon: Markup
    # the top 10 (person, count); templates show 3 and the role filter picks from all 10
    people: list[tuple[PersonView, int]]


@dataclass
class LeaderboardContext:
    period: str  # week | month | year | all-time
    period_label: str  # This Week …
    period_word: str  # week | month | year
    tabs: list[Link]
    range_start: str | None  # YYYY-MM-DD
    range_end: str
    since: str | None  # all-time: date of the first activity
    podium: list[PodiumSpot]
    kpis: list[Kpi]
    columns: list[dict[str, Any]]  # the table's activity-definition columns
    rows: list[RowView]
    roles: list[tuple[str, str]]  # (role key, display name) present among rows
    top_cards: list[TopCard]
    top_json: Any
    bot_label: str
    bot_rows: list[RowView]
    show_changes: bool
    pager: Pager | None = None  # set when the ranking needs more than one page
    api_url: str | None = None  # the whole ranking as JSON ("Show more", search over all rows)


@dataclass
class Pager:
    """Numbered static pages of a long list (WEB-63): every row reachable without JavaScript."""

    page: int  # 1-based
    pages: int
    links: list[Link]  # numbered links (active = this page); gaps are `Link("…", "")`
    prev: str | None
    next: str | None
    first_item: int  # 1-based position of this page's first row
    last_item: int
    total: int


@dataclass
class PeopleSection:
    key: str
    name: str
    description: str
    people: list[tuple[PersonView, int]]  # (person, all-time points)


@dataclass
class PeopleContext:
    count: int
    sections: list[PeopleSection]
    hidden_sections: list[PeopleSection]
    hidden_count: int
    gallery: list[PersonView]
    hidden_gallery: list[PersonView]
    pager: Pager | None = None  # more than one page of cards (WEB-63)
    api_url: str | None = None  # everyone as JSON, for the search box


@dataclass
class ProfileContext:
    person: PersonView
    title: str | None
    notice: str | None
    bio_html: Markup
    edit_url: str | None
    socials: list[Link]
    stats: list[Kpi]
    ranks: list[dict[str, Any]]
    heatmaps: list[dict[str, Any]]
    breakdown: dict[str, Any]
    timeline: list[dict[str, Any]]
    timeline_total: int
    timeline_shown: int
    api_url: str | None
    explorer_url: str | None
    achievements: list[dict[str, Any]]
    badge_count: int
    embed: dict[str, str] | None
    # months not (fully) rendered, newest first: key, label, count, url (WEB-42, WEB-63)
    timeline_more: list[dict[str, Any]] = field(default_factory=list)
    timeline_types: list[str] = field(default_factory=list)  # definition names of all activities


@dataclass
class BadgesContext:
    hero: list[dict[str, Any]]
    stats: list[Kpi]
    top_earners: list[tuple[PersonView, int]]
    recent: list[AwardView]
    collection: list[dict[str, Any]]


@dataclass
class RedirectContext:
    target: str


@dataclass
class NotFoundContext:
    links: list[Link]


@dataclass
class DocsContext:
    title: str
    show_title: bool
    body: Markup
    toc: list[dict[str, Any]]
    sidebar: list[Link]
    sidebar_title: str


@dataclass
class ScoringContext:
    definitions: list[dict[str, Any]]
    timezone: str
    hidden_roles: list[str]
    bots: dict[str, Any]
    badges: list[dict[str, Any]]
    daily_caps: list[dict[str, Any]]
    windows: list[dict[str, str]] = field(default_factory=list)


# The page templates and the type of their `ctx` (NEW-29). Every other template is a partial
# (`macros.html`, `_table.html`) or the Data Explorer page, which receives `site`, `page` and an
# `explorer` mapping from `leaderboard.explorer.page` instead of `ctx`.
TEMPLATE_CONTEXTS: dict[str, type] = {
    "home.html": HomeContext,
    "leaderboard.html": LeaderboardContext,
    "people.html": PeopleContext,
    "profile.html": ProfileContext,
    "badges.html": BadgesContext,
    "docs.html": DocsContext,
    "scoring.html": ScoringContext,
    "redirect.html": RedirectContext,
    "404.html": NotFoundContext,
}
PARTIAL_TEMPLATES = ("base.html", "macros.html", "_table.html")
TEMPLATE_GLOBALS = ("icons", "fmt", "tz")  # besides `site`, `page`, `ctx`
