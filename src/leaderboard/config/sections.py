"""The small `leaderboard.*` switch sections: site (WEB-01), bots (NEW-06), privacy (NEW-04),
identity (NEW-01), scoring (NEW-25) and digest (NEW-23); and the top-level `runner` section
(CORE-25). Each returns its typed value with the
spec's defaults filled in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from leaderboard.config.checker import Checker, PathKey
from leaderboard.config.model import (
    BotsConfig,
    IdentityConfig,
    PrivacyConfig,
    RunnerConfig,
    SiteConfig,
)

LB: PathKey = ("leaderboard",)
SITE_KEYS = (
    "og_images",
    "avatars",
    "rank_badges",
    "api",
    "feeds",
    "scoring_page",
    "all_time_leaderboard",
    "timeline_limit",
    "docs",
    "og_font",
    "host",
    "media",
    "media_top",
)
HOSTS = ("github-pages", "cloudflare", "cloudflare-paid", "gitlab", "netlify", "none")  # WEB-64
MEDIA_POLICIES = ("active", "all", "top")
AVATAR_MODES = ("cache", "remote", "none")
DOCS_MODES = ("auto", "data", "package", "none")
VISIBILITIES = ("public", "pseudonymous", "hidden")
NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]*$")
DIGEST_DEFAULTS: dict[str, Any] = {"top": 3, "inactivity_days": [7, 14, 30], "webhook_url": None}


def _pick(value: Any, default: Any) -> Any:
    return default if value is None else value


def check_site(ch: Checker, lb: dict[str, Any], data_dir: Path | None) -> SiteConfig:
    p = (*LB, "site")
    m = ch.section(lb, LB, "site", SITE_KEYS)
    d = SiteConfig()
    flags = {
        key: _pick(ch.boolean(m, p, key), getattr(d, key))
        for key in ("og_images", "rank_badges", "api", "feeds", "scoring_page")
    }
    font = ch.string(m, p, "og_font", nonempty=True)
    if font is not None:
        if not font.lower().endswith((".ttf", ".otf")):
            ch.error(
                (*p, "og_font"),
                "invalid-value",
                f"must be a .ttf or .otf file (got {ch.got(font)})",
            )
        elif data_dir is not None and not (data_dir / font).is_file():
            ch.error(
                (*p, "og_font"),
                "missing-file",
                f"file {ch.got(font)} not found (paths are relative to the data dir)",
            )
    return SiteConfig(
        avatars=_pick(ch.choice(m, p, "avatars", AVATAR_MODES), d.avatars),
        all_time_leaderboard=_pick(
            ch.boolean(m, p, "all_time_leaderboard"), d.all_time_leaderboard
        ),
        timeline_limit=_pick(ch.integer(m, p, "timeline_limit", minimum=50), d.timeline_limit),
        docs=_pick(ch.choice(m, p, "docs", DOCS_MODES), d.docs),
        og_font=font,
        host=_pick(ch.choice(m, p, "host", HOSTS), d.host),
        media=_pick(ch.choice(m, p, "media", MEDIA_POLICIES), d.media),
        media_top=_pick(ch.integer(m, p, "media_top", minimum=0), d.media_top),
        **flags,
    )


def check_bots(ch: Checker, lb: dict[str, Any]) -> BotsConfig:
    p = (*LB, "bots")
    m = ch.section(lb, LB, "bots", ("roles", "track", "label"))
    d = BotsConfig()
    roles = ch.string_list(m, p, "roles")
    return BotsConfig(
        roles=tuple(roles) if roles is not None else d.roles,
        track=_pick(ch.boolean(m, p, "track"), d.track),
        label=_pick(ch.string(m, p, "label", nonempty=True), d.label),
    )


def check_privacy(ch: Checker, lb: dict[str, Any], org_name: str) -> PrivacyConfig:
    p = (*LB, "privacy")
    m = ch.section(lb, LB, "privacy", ("default_visibility", "salt"))
    return PrivacyConfig(
        default_visibility=_pick(ch.choice(m, p, "default_visibility", VISIBILITIES), "public"),
        salt=_pick(ch.string(m, p, "salt"), org_name),
    )


def check_identity(ch: Checker, lb: dict[str, Any]) -> IdentityConfig:
    p = (*LB, "identity")
    m = ch.section(lb, LB, "identity", ("primary", "from_social_profiles"))
    primary = ch.string(m, p, "primary")
    if primary is not None and primary != "none" and not NAMESPACE.match(primary):
        ch.error(
            (*p, "primary"),
            "invalid-value",
            f"must be a namespace matching ^[a-z][a-z0-9_-]*$ or 'none' (got {ch.got(primary)})",
        )
        primary = None
    return IdentityConfig(
        primary=_pick(primary, "github"),
        from_social_profiles=_pick(ch.boolean(m, p, "from_social_profiles"), True),
    )


def check_scoring(ch: Checker, lb: dict[str, Any]) -> dict[str, int]:
    p = (*LB, "scoring")
    m = ch.section(lb, LB, "scoring", ("daily_caps",))
    caps = m.get("daily_caps")
    if caps is None:
        return {}
    cm = ch.mapping(caps, (*p, "daily_caps"))
    out: dict[str, int] = {}
    for slug in cm or {}:
        if cm is not None and cm[slug] is None:
            ch.wrong_type((*p, "daily_caps", slug), "an integer ≥ 0", None)
            continue
        cap = ch.integer(cm or {}, (*p, "daily_caps"), slug, minimum=0)
        if cap is not None:
            out[slug] = cap
    return out


def check_digest(ch: Checker, lb: dict[str, Any]) -> dict[str, Any]:
    p = (*LB, "digest")
    m = ch.section(lb, LB, "digest", tuple(DIGEST_DEFAULTS))
    out = dict(DIGEST_DEFAULTS)
    out["inactivity_days"] = list(DIGEST_DEFAULTS["inactivity_days"])
    top = ch.integer(m, p, "top", minimum=1)
    if top is not None:
        out["top"] = top
    days = _inactivity_days(ch, m, (*p, "inactivity_days"))
    if days is not None:
        out["inactivity_days"] = days
    url = ch.string(m, p, "webhook_url")
    if url is not None:
        if url.startswith(("https://", "http://")):
            out["webhook_url"] = url
        else:
            ch.error(
                (*p, "webhook_url"), "invalid-value", f"must be an http(s) URL (got {ch.got(url)})"
            )
    return out


def _inactivity_days(ch: Checker, m: dict[str, Any], path: PathKey) -> list[int] | None:
    raw = m.get("inactivity_days")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in raw
    ):
        ch.wrong_type(path, "a list of integers", raw)
        return None
    if not raw or any(not 1 <= v < 90 for v in raw) or raw != sorted(set(raw)):
        ch.error(
            path,
            "invalid-value",
            "must be increasing day counts between 1 and 89 (the last bucket ends at 90 days)",
        )
        return None
    return list(raw)


MAX_CONCURRENCY = 64


def concurrency_problem(value: object) -> str | None:
    """Why `value` is not a valid scrape concurrency (config key or LEADERBOARD_CONCURRENCY)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number from 1 to 64"
    if not 1 <= value <= MAX_CONCURRENCY:
        return f"must be from 1 to {MAX_CONCURRENCY} (got {value})"
    return None


def check_runner(ch: Checker, root: dict[str, Any]) -> RunnerConfig:
    """`runner.concurrency`: how many plugins scrape at once (default 4; 1 = sequential)."""
    m = ch.section(root, (), "runner", ("concurrency",))
    value = m.get("concurrency")
    if value is None:
        return RunnerConfig()
    problem = concurrency_problem(value)
    if problem is not None:
        suffix = "" if "(got" in problem else f" (got {ch.got(value)})"
        ch.error(("runner", "concurrency"), "invalid-value", problem + suffix)
        return RunnerConfig()
    assert isinstance(value, int)
    return RunnerConfig(concurrency=value)
