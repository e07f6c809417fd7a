"""Pure predicates for config values: URLs, site paths, e-mails, cron strings, time zones."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/\s?#\\]+[^\s]*$")
# Schemes that run script or read local data when a link or image is followed: they would turn
# a config value into a clickable `javascript:` link on every page (issue 15, WEB-57).
_UNSAFE_SCHEMES = ("javascript", "vbscript", "data", "blob", "file", "filesystem")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")
_SITE_PATH = re.compile(r"^/[^\s]*$")
_MAILTO = re.compile(r"^mailto:[^\s@]+@[^\s@]+$")
_HTTP_URL = re.compile(r"^https?://[^/\s?#]+[^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def unsafe_scheme(text: str) -> str | None:
    """The scheme of `text` when it is one that runs script or reads local data, else None.

    Browsers drop control characters and spaces before reading a scheme (`java\tscript:`),
    so they are dropped here too.
    """
    match = _SCHEME.match(_IGNORED_BY_BROWSERS.sub("", text))
    if match and match.group(1).lower() in _UNSAFE_SCHEMES:
        return match.group(1).lower()
    return None


def is_absolute_url(text: str) -> bool:
    """Any scheme with a `//` host (`https://x`, `ftp://x`), or a `mailto:` address (CORE-16);
    never a scheme that runs script (`javascript://x%0aalert(1)` has a "host" too)."""
    if unsafe_scheme(text):
        return False
    return bool(_ABSOLUTE_URL.match(text) or _MAILTO.match(text))


def is_http_url(text: str) -> bool:
    return bool(_HTTP_URL.match(text))


def is_url_or_site_path(text: str) -> bool:
    """An absolute URL or a site-relative path such as `/logo.svg`.

    `//host/x` and `/\\host/x` are not site paths: browsers read both as another host.
    """
    if text.startswith("/"):
        return not text.startswith(("//", "/\\")) and _SITE_PATH.match(text) is not None
    return is_absolute_url(text)


def is_email(text: str) -> bool:
    """Looks like `a@b.c` (an optional `mailto:` prefix is accepted)."""
    return bool(_EMAIL.match(text.removeprefix("mailto:")))


def is_sha256(text: str) -> bool:
    return bool(_HEX64.match(text))


def is_cron(text: str) -> bool:
    """A classic 5-field cron expression that croniter accepts."""
    if len(text.split()) != 5:
        return False
    from croniter import croniter  # 15 ms to import; only configs with a schedule need it

    return bool(croniter.is_valid(text))


def is_timezone(name: str) -> bool:
    """An IANA zone name known to zoneinfo (tzdata is a dependency, so this is portable)."""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
