"""Pure predicates for config values: URLs, site paths, e-mails, cron strings, time zones."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

_ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/\s?#]+[^\s]*$")
_MAILTO = re.compile(r"^mailto:[^\s@]+@[^\s@]+$")
_HTTP_URL = re.compile(r"^https?://[^/\s?#]+[^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def is_absolute_url(text: str) -> bool:
    """Any scheme with a `//` host (`https://x`, `ftp://x`), or a `mailto:` address."""
    return bool(_ABSOLUTE_URL.match(text) or _MAILTO.match(text))


def is_http_url(text: str) -> bool:
    return bool(_HTTP_URL.match(text))


def is_url_or_site_path(text: str) -> bool:
    """An absolute URL or a site-relative path such as `/logo.svg`."""
    return text.startswith("/") or is_absolute_url(text)


def is_email(text: str) -> bool:
    """Looks like `a@b.c` (an optional `mailto:` prefix is accepted)."""
    return bool(_EMAIL.match(text.removeprefix("mailto:")))


def is_sha256(text: str) -> bool:
    return bool(_HEX64.match(text))


def is_cron(text: str) -> bool:
    """A classic 5-field cron expression that croniter accepts."""
    return len(text.split()) == 5 and bool(croniter.is_valid(text))


def is_timezone(name: str) -> bool:
    """An IANA zone name known to zoneinfo (tzdata is a dependency, so this is portable)."""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
