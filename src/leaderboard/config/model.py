"""Typed configuration (CORE-16…CORE-19, WEB-01, NEW-01, NEW-04, NEW-06).

These dataclasses are the contract between `config.yaml` and every other module: code reads
`config.leaderboard.timezone`, never the raw mapping. Defaults here are the spec's defaults.
Badge definitions and rules stay in their file/config shape (dicts with snake_case keys) because
the badge engine and the data repository share that shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class OrgConfig:
    name: str
    description: str
    url: str
    logo_url: str
    start_date: str | None = None
    socials: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MetaConfig:
    title: str
    description: str
    image_url: str
    site_url: str | None
    favicon_url: str
    badge_label: str


@dataclass(frozen=True)
class RoleConfig:
    name: str
    description: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class PluginEntry:
    id: str
    source: str
    name: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    sha256: str | None = None
    enabled: bool = True
    line: int | None = None  # line of the entry in config.yaml, for messages


@dataclass(frozen=True)
class BotsConfig:
    roles: tuple[str, ...] = ("bot",)
    track: bool = True
    label: str = "Bots"


@dataclass(frozen=True)
class PrivacyConfig:
    default_visibility: str = "public"
    salt: str = ""  # defaults to org.name when not configured


@dataclass(frozen=True)
class IdentityConfig:
    primary: str = "github"  # "none" disables the implicit primary identity
    from_social_profiles: bool = True


@dataclass(frozen=True)
class SiteConfig:
    og_images: bool = True
    avatars: str = "cache"  # cache | remote | none
    rank_badges: bool = True
    api: bool = True
    feeds: bool = True
    scoring_page: bool = True
    all_time_leaderboard: bool = True
    timeline_limit: int = 100
    docs: str = "auto"  # auto | data | package | none
    og_font: str | None = None
    host: str = "github-pages"  # WEB-64: github-pages | cloudflare | cloudflare-paid | gitlab | netlify | none
    media: str = "active"  # who gets OG images and downloaded avatars: active | all | top
    media_top: int = 1000  # with media: top, how many (by all-time points)


@dataclass(frozen=True)
class DataExplorerConfig:
    enabled: bool = True
    source: str = "/data.db"
    chunk_threshold: int = 20 * 1024 * 1024  # WEB-47: larger public DBs ship as chunks
    # WEB-47's 8 MiB: a chunk file is exactly chunk_size bytes (the explorer's worker reads
    # across chunk ends), so the size only trades files against bytes per file, never total bytes
    chunk_size: int = 8 * 1024 * 1024


@dataclass(frozen=True)
class LeaderboardConfig:
    timezone: str = "UTC"
    data_source: str | None = None
    data_branch: str = "main"
    data_update_frequency: str | None = None
    default_role: str | None = None
    roles: dict[str, RoleConfig] = field(default_factory=dict)  # YAML order
    top_contributors: tuple[str, ...] = ()
    social_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    theme: str | None = None
    global_aggregates: tuple[str, ...] = ("total_activities", "count_contributors")
    contributor_aggregates: tuple[str, ...] = ("total_points", "total_activities", "activity_types")
    data_explorer: DataExplorerConfig = field(default_factory=DataExplorerConfig)
    all_contributors_definitions: tuple[str, ...] = ()
    plugins: dict[str, PluginEntry] = field(default_factory=dict)  # YAML order = run order
    plugin_aliases: dict[str, str] = field(default_factory=dict)
    badge_definitions: list[dict[str, Any]] = field(default_factory=list)
    badge_rules: list[dict[str, Any]] = field(default_factory=list)  # enabled default applied
    bots: BotsConfig = field(default_factory=BotsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    daily_caps: dict[str, int] = field(default_factory=dict)  # NEW-25 scoring.daily_caps
    digest: dict[str, Any] = field(default_factory=dict)

    @property
    def hidden_roles(self) -> tuple[str, ...]:
        return tuple(k for k, r in self.roles.items() if r.hidden)


@dataclass(frozen=True)
class RunnerConfig:
    """The top-level `runner` section (CORE-25)."""

    concurrency: int = 4  # scrape hooks running at once; 1 = one after another in config order


@dataclass(frozen=True)
class Config:
    """The validated config. `raw` is the substituted mapping (secrets included: never log it)."""

    org: OrgConfig
    meta: MetaConfig
    leaderboard: LeaderboardConfig
    raw: dict[str, Any]
    path: str = "config.yaml"
    secrets: frozenset[str] = frozenset()  # values that came from ${{ env.X }} substitution
    runner: RunnerConfig = field(default_factory=RunnerConfig)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.leaderboard.timezone)
