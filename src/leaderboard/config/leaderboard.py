"""The `leaderboard` section (CORE-17): display keys, roles, aggregates, badges, and the
sub-sections delegated to `sections.py` and `plugin_entries.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaderboard.config import sections
from leaderboard.config.badges import check_badge_definition_into, check_badge_rule_into
from leaderboard.config.checker import Checker, PathKey
from leaderboard.config.model import DataExplorerConfig, LeaderboardConfig, RoleConfig
from leaderboard.config.plugin_entries import check_plugins
from leaderboard.config.sources import SourceSpec
from leaderboard.config.values import is_absolute_url, is_cron, is_timezone, is_url_or_site_path

LB: PathKey = ("leaderboard",)
KEYS = (
    "data_source",
    "data_branch",
    "data_update_frequency",
    "timezone",
    "default_role",
    "roles",
    "top_contributors",
    "social_profiles",
    "theme",
    "aggregates",
    "data_explorer",
    "leaderboard",
    "plugins",
    "plugin_aliases",
    "badges",
    "bots",
    "privacy",
    "identity",
    "scoring",
    "site",
    "digest",
)
DEFAULT_GLOBAL = ("total_activities", "count_contributors")
DEFAULT_CONTRIBUTOR = ("total_points", "total_activities", "activity_types")


@dataclass
class LeaderboardResult:
    config: LeaderboardConfig | None
    sources: dict[str, SourceSpec] = field(default_factory=dict)
    infos: list[str] = field(default_factory=list)


def check_leaderboard(
    ch: Checker,
    root: dict[str, Any],
    lines: dict[PathKey, int],
    *,
    org_name: str,
    data_dir: Path | None,
) -> LeaderboardResult:
    """Validate `leaderboard` (required; `{}` is valid) and fill the defaults of CORE-17."""
    if "leaderboard" not in root:
        ch.missing(LB, "a mapping; `leaderboard: {}` is enough")
        return LeaderboardResult(None)
    lb = ch.mapping(root["leaderboard"], LB)
    if lb is None:
        return LeaderboardResult(None)
    ch.unknown_keys(lb, LB, KEYS)
    data_source = _url_key(ch, lb, "data_source", site_path=False)
    cron = ch.string(lb, LB, "data_update_frequency")
    if cron is not None and not is_cron(cron):
        ch.warning(
            (*LB, "data_update_frequency"),
            "invalid-value",
            f"is not a 5-field cron expression (got {ch.got(cron)}); the footer will omit it",
        )
        cron = None
    tz = ch.string(lb, LB, "timezone", nonempty=True)
    if tz is not None and not is_timezone(tz):
        ch.error(
            (*LB, "timezone"),
            "invalid-value",
            f"must be an IANA time zone name such as UTC or Europe/Berlin (got {ch.got(tz)})",
        )
        tz = None
    roles = _roles(ch, lb)
    default_role = ch.string(lb, LB, "default_role", nonempty=True)
    if default_role is not None and roles and default_role not in roles:
        ch.warning(
            (*LB, "default_role"),
            "unknown-role",
            f"role '{default_role}' is not a key of leaderboard.roles",
        )
    aggregates = ch.section(lb, LB, "aggregates", ("global", "contributor"))
    explorer = ch.section(
        lb, LB, "data_explorer", ("enabled", "source", "chunk_threshold", "chunk_size")
    )
    nested = ch.section(lb, LB, "leaderboard", ("all_contributors",))
    all_contributors = ch.section(
        nested, (*LB, "leaderboard"), "all_contributors", ("activity_definitions",)
    )
    definitions, rules = _badges(ch, lb)
    plugins = check_plugins(ch, lb, lines, data_dir)
    config = LeaderboardConfig(
        timezone=tz or "UTC",
        data_source=data_source,
        data_branch=ch.string(lb, LB, "data_branch", nonempty=True) or "main",
        data_update_frequency=cron,
        default_role=default_role,
        roles=roles,
        top_contributors=_slugs(ch, lb, LB, "top_contributors", ()),
        social_profiles=_social_profiles(ch, lb),
        theme=_url_key(ch, lb, "theme", site_path=True),
        global_aggregates=_slugs(ch, aggregates, (*LB, "aggregates"), "global", DEFAULT_GLOBAL),
        contributor_aggregates=_slugs(
            ch, aggregates, (*LB, "aggregates"), "contributor", DEFAULT_CONTRIBUTOR
        ),
        data_explorer=_explorer(ch, explorer),
        all_contributors_definitions=_slugs(
            ch,
            all_contributors,
            (*LB, "leaderboard", "all_contributors"),
            "activity_definitions",
            (),
        ),
        plugins=plugins.entries,
        plugin_aliases=plugins.aliases,
        badge_definitions=definitions,
        badge_rules=rules,
        bots=sections.check_bots(ch, lb),
        privacy=sections.check_privacy(ch, lb, org_name),
        identity=sections.check_identity(ch, lb),
        site=sections.check_site(ch, lb, data_dir),
        daily_caps=sections.check_scoring(ch, lb),
        digest=sections.check_digest(ch, lb),
    )
    return LeaderboardResult(config, plugins.sources, plugins.infos)


def _url_key(ch: Checker, m: dict[str, Any], key: str, *, site_path: bool) -> str | None:
    value = ch.string(m, LB, key)
    if value is None:
        return None
    ok = is_url_or_site_path(value) if site_path else is_absolute_url(value)
    if not ok:
        expected = (
            "an absolute URL or a site path starting with /" if site_path else "an absolute URL"
        )
        ch.error((*LB, key), "invalid-value", f"must be {expected} (got {ch.got(value)})")
        return None
    return value


def _slugs(
    ch: Checker, m: dict[str, Any], path: PathKey, key: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    found = ch.string_list(m, path, key)
    return tuple(found) if found is not None else default


def _roles(ch: Checker, lb: dict[str, Any]) -> dict[str, RoleConfig]:
    p = (*LB, "roles")
    if lb.get("roles") is None:
        return {}
    raw = ch.mapping(lb["roles"], p)
    out: dict[str, RoleConfig] = {}
    for key, value in (raw or {}).items():
        rp = (*p, key)
        role = ch.mapping(value, rp)
        if role is None:
            continue
        ch.unknown_keys(role, rp, ("name", "description", "hidden"))
        name = ch.string(role, rp, "name", required=True)
        description = ch.string(role, rp, "description")
        hidden = ch.boolean(role, rp, "hidden")
        if name is not None:
            out[key] = RoleConfig(name, description, bool(hidden))
    return out


def _social_profiles(ch: Checker, lb: dict[str, Any]) -> dict[str, dict[str, Any]]:
    p = (*LB, "social_profiles")
    if lb.get("social_profiles") is None:
        return {}
    raw = ch.mapping(lb["social_profiles"], p)
    out: dict[str, dict[str, Any]] = {}
    for platform, value in (raw or {}).items():
        pp = (*p, platform)
        entry = ch.mapping(value, pp)
        if entry is None:
            continue
        ch.unknown_keys(entry, pp, ("icon",))
        icon = ch.string(entry, pp, "icon", required=True, nonempty=True)
        if icon is not None:
            out[platform] = dict(entry)
    return out


def _explorer(ch: Checker, m: dict[str, Any]) -> DataExplorerConfig:
    p = (*LB, "data_explorer")
    enabled = ch.boolean(m, p, "enabled")
    source = ch.string(m, p, "source", nonempty=True)
    if source is not None and not is_url_or_site_path(source):
        ch.error(
            (*p, "source"),
            "invalid-value",
            f"must be a site path starting with / or an absolute URL (got {ch.got(source)})",
        )
        source = None
    threshold = ch.integer(m, p, "chunk_threshold", minimum=0)
    chunk_size = ch.integer(m, p, "chunk_size", minimum=PAGE)
    if chunk_size is not None and (chunk_size % PAGE or chunk_size > MAX_CHUNK):
        ch.error(
            (*p, "chunk_size"),
            "invalid-value",
            f"must be a multiple of {PAGE} (the database page size) and at most {MAX_CHUNK} "
            f"(25 MiB: hosts such as Cloudflare Pages refuse larger files) (got {chunk_size})",
        )
        chunk_size = None
    default = DataExplorerConfig()
    return DataExplorerConfig(
        enabled=True if enabled is None else enabled,
        source=source or "/data.db",
        chunk_threshold=default.chunk_threshold if threshold is None else threshold,
        chunk_size=chunk_size or default.chunk_size,
    )


PAGE = 4096  # the public DB's page size (publicdb.PAGE_SIZE): chunks hold whole pages
MAX_CHUNK = 25 * 1024 * 1024  # a chunk file is chunk_size bytes: none above 25 MiB (WEB-47)


def _badges(ch: Checker, lb: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    p = (*LB, "badges")
    m = ch.section(lb, LB, "badges", ("definitions", "rules"))
    definitions: list[dict[str, Any]] = []
    by_slug: dict[str, dict[str, Any]] = {}
    raw_defs = m.get("definitions")
    if raw_defs is not None and not isinstance(raw_defs, list):
        ch.wrong_type((*p, "definitions"), "a list of badge definitions", raw_defs)
        raw_defs = None
    for i, defn in enumerate(raw_defs or []):
        dp = (*p, "definitions", i)
        slug = check_badge_definition_into(ch, defn, dp)
        if slug is None:
            continue
        if slug in by_slug:
            ch.error(
                (*dp, "slug"),
                "duplicate-slug",
                f"badge '{slug}' is defined twice; remove or rename one definition",
            )
            continue
        by_slug[slug] = defn
        definitions.append(defn)
    rules: list[dict[str, Any]] = []
    raw_rules = m.get("rules")
    if raw_rules is not None and not isinstance(raw_rules, list):
        ch.wrong_type((*p, "rules"), "a list of badge rules", raw_rules)
        raw_rules = None
    for i, rule in enumerate(raw_rules or []):
        check_badge_rule_into(ch, rule, (*p, "rules", i), definitions=by_slug)
        if isinstance(rule, dict):
            rules.append({**rule, "enabled": rule.get("enabled", True) is not False})
    return definitions, rules
