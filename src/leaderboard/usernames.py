"""Usernames: what makes one valid (CORE-57) and where its profile lives on the site (WEB-04).

A username becomes a file name (`contributors/<u>.md`) and a URL segment, so validity is about
keeping both safe; reservation is about not colliding with the site's own top-level pages.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit

MAX_LENGTH = 100
_FORBIDDEN = set('/\\:*?"<>|')

RESERVED_SEGMENTS = frozenset(
    {
        "leaderboard",
        "people",
        "badges",
        "data",
        "docs",
        "scoring",
        "api",
        "feeds",
        "avatars",
        "assets",
        "static",
        "404",
        "404.html",
        "index.html",
        "sitemap.xml",
        "robots.txt",
        "_redirects",
        "data.db",
        "favicon.ico",
    }
)


# Format (bidi overrides, zero-width), surrogate, private-use and unassigned code points.
_INVISIBLE = frozenset(("Cf", "Cs", "Co", "Cn"))


def username_problem(name: str) -> str | None:
    """Why `name` is not a valid username (CORE-57), or None when it is valid."""
    if not isinstance(name, str) or name == "":
        return "username must not be empty"
    if len(name) > MAX_LENGTH:
        return f"username is longer than {MAX_LENGTH} characters"
    if name in (".", ".."):
        return f"username must not be '{name}'"
    if name.startswith("."):
        return "username must not start with '.'"
    for ch in name:
        if ch.isspace():
            return "username must not contain whitespace"
        if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            return "username must not contain control characters"
        if unicodedata.category(ch) in _INVISIBLE:
            # U+202E reverses how the rest of a line is shown, U+200B is invisible: two
            # names that look the same, or a name that disguises another (issue 15).
            return f"username must not contain invisible or formatting characters (U+{ord(ch):04X})"
        if ch in _FORBIDDEN:
            return f"username must not contain '{ch}' (forbidden: / \\ : * ? \" < > |)"
    return None


def _explorer_segment(explorer_source: str) -> str | None:
    """The first path segment of `data_explorer.source` when it is a site path."""
    if not explorer_source or urlsplit(explorer_source).scheme:
        return None
    first = explorer_source.lstrip("/").split("/", 1)[0]
    return first.lower() or None


def is_reserved(name: str, explorer_source: str = "/data.db") -> bool:
    """True when `name` (ASCII-case-insensitively) collides with a site route (WEB-04)."""
    lowered = _ascii_lower(name)
    return lowered in RESERVED_SEGMENTS or lowered == _explorer_segment(explorer_source)


def url_segment(name: str) -> str:
    """Percent-encode every UTF-8 byte outside `A-Z a-z 0-9 - . _ ~` (WEB-04)."""
    return quote(name, safe="")


def profile_path(name: str, reserved: bool) -> str:
    """Site path of a profile, without base path: `/<u>/`, or `/people/<u>/` when reserved."""
    segment = url_segment(name)
    return f"/people/{segment}/" if reserved else f"/{segment}/"


def _ascii_lower(text: str) -> str:
    # SQLite NOCASE folds ASCII only; Python's lower() would also fold 'É'.
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def ascii_lower(text: str) -> str:
    """ASCII-only lower-casing, the case folding of SQLite NOCASE (CORE-57 uniqueness)."""
    return _ascii_lower(text)
