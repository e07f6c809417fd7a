"""The `org` and `meta` sections (CORE-16) and their defaults, plus the `meta.site_url` rule (WEB-01)."""

from __future__ import annotations

import re
from typing import Any

from leaderboard.config.checker import Checker, Issue, PathKey
from leaderboard.config.model import MetaConfig, OrgConfig
from leaderboard.config.values import (
    is_absolute_url,
    is_email,
    is_http_url,
    is_url_or_site_path,
    unsafe_scheme,
)

ORG_KEYS = ("name", "description", "url", "logo_url", "start_date", "socials")
META_KEYS = ("title", "description", "image_url", "site_url", "favicon_url", "badge_label")
KNOWN_SOCIALS = ("github", "slack", "linkedin", "youtube", "email")
SITE_URL_REQUIRED = "meta.site_url is required to build the site (or pass --site-url)"

_DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def _url(ch: Checker, value: str | None, path: PathKey, *, site_path: bool) -> str | None:
    if value is None:
        return None
    ok = is_url_or_site_path(value) if site_path else is_absolute_url(value)
    if not ok:
        expected = (
            "an absolute URL or a site path starting with /" if site_path else "an absolute URL"
        )
        ch.error(path, "invalid-value", f"must be {expected} (got {ch.got(value)})")
        return None
    return value


def check_org(ch: Checker, root: dict[str, Any]) -> OrgConfig | None:
    """Validate `org`; `None` when it is unusable (problems recorded)."""
    if "org" not in root or root["org"] is None:
        ch.missing(("org",), "a mapping with name, description, url and logo_url")
        return None
    org = ch.mapping(root["org"], ("org",))
    if org is None:
        return None
    p: PathKey = ("org",)
    ch.unknown_keys(org, p, ORG_KEYS)
    name = ch.string(org, p, "name", required=True, nonempty=True)
    description = ch.string(org, p, "description", required=True)
    url = _url(ch, ch.string(org, p, "url", required=True), (*p, "url"), site_path=False)
    logo = _url(ch, ch.string(org, p, "logo_url", required=True), (*p, "logo_url"), site_path=True)
    start = ch.string(org, p, "start_date")
    if start is not None and not re.match(_DATE, start):
        ch.error(
            (*p, "start_date"),
            "invalid-value",
            f"must be a date YYYY-MM-DD (got {ch.got(start)}); quote it if needed",
        )
    socials = _socials(ch, org)
    if name is None or description is None or url is None or logo is None:
        return None
    return OrgConfig(name, description, url, logo, start, socials)


def _socials(ch: Checker, org: dict[str, Any]) -> dict[str, str]:
    p: PathKey = ("org", "socials")
    raw = org.get("socials")
    if raw is None:
        return {}
    m = ch.mapping(raw, p)
    if m is None:
        return {}
    out: dict[str, str] = {}
    for key, value in m.items():  # free-form: unknown platforms are allowed
        if not isinstance(value, str):
            ch.wrong_type((*p, key), "a string", value)
            continue
        if key == "email" and not is_email(value):
            ch.error((*p, key), "invalid-value", f"must be an e-mail address (got {ch.got(value)})")
            continue
        scheme = unsafe_scheme(value)
        if scheme:
            # Free-form, but rendered as a link on every page (WEB-57, issue 15).
            ch.error(
                (*p, key),
                "invalid-value",
                f"must not be a {scheme}: link (got {ch.got(value)}); use an http(s) URL",
            )
            continue
        out[key] = value
    return out


def check_meta(
    ch: Checker, root: dict[str, Any], org: OrgConfig | None, *, require_site_url: bool
) -> MetaConfig | None:
    """Validate `meta` and fill its defaults from `org` (CORE-16)."""
    p: PathKey = ("meta",)
    meta = ch.section(root, (), "meta", META_KEYS)
    title = ch.string(meta, p, "title")
    description = ch.string(meta, p, "description")
    image = _url(ch, ch.string(meta, p, "image_url"), (*p, "image_url"), site_path=True)
    site_url = ch.string(meta, p, "site_url")
    if site_url is not None and not is_http_url(site_url):
        ch.error(
            (*p, "site_url"),
            "invalid-value",
            f"must be an absolute http(s) URL (got {ch.got(site_url)})",
        )
        site_url = None
    elif site_url is None and require_site_url and "site_url" not in meta:
        # The message is WEB-01's, verbatim; it already names the key.
        ch.issues.append(
            Issue((*p, "site_url"), "error", "missing-key", SITE_URL_REQUIRED, at=p, bare=True)
        )
    favicon = ch.string(meta, p, "favicon_url")
    badge_label = ch.string(meta, p, "badge_label")
    if org is None:
        return None
    return MetaConfig(
        title=title if title is not None else f"{org.name} Leaderboard",
        description=description if description is not None else org.description,
        image_url=image if image is not None else org.logo_url,
        site_url=site_url,
        favicon_url=favicon if favicon is not None else org.logo_url,
        badge_label=badge_label if badge_label is not None else org.name,
    )
