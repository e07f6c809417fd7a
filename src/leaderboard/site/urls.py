"""Site URLs (WEB-04): base path, absolute URLs, and the path segment of a profile.

One object knows the site URL and base path so that every link, canonical URL, sitemap entry and
API URL is built the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from leaderboard.errors import InvalidInputError
from leaderboard.usernames import is_reserved, url_segment


def normalise_site_url(url: str | None) -> str:
    """The site URL without a trailing slash; exit 3 when missing or not absolute http(s)."""
    if not url:
        raise InvalidInputError("meta.site_url is required to build the site (or pass --site-url)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(
            f"site URL '{url}' must be an absolute http(s) URL, e.g. https://org.github.io/leaderboard"
        )
    return url.rstrip("/")


def normalise_base_path(path: str) -> str:
    """Always starts and ends with `/`."""
    path = "/" + path.strip("/")
    return path if path == "/" else path + "/"


def segment(username: str) -> str:
    """Percent-encode every byte outside `A-Z a-z 0-9 - . _ ~` (UTF-8)."""
    return url_segment(username)


@dataclass(frozen=True)
class Urls:
    """Link builder for one build."""

    site_url: str  # no trailing slash
    base_path: str  # starts and ends with "/"
    explorer_source: str = "/data.db"

    @classmethod
    def create(
        cls, site_url: str | None, base_path: str | None = None, explorer_source: str | None = None
    ) -> Urls:
        site = normalise_site_url(site_url)
        base = normalise_base_path(base_path if base_path is not None else urlsplit(site).path)
        return cls(site, base, explorer_source or "/data.db")

    def path(self, rel: str = "") -> str:
        """`rel` (no leading slash) under the base path."""
        return self.base_path + rel.lstrip("/")

    def absolute(self, rel: str = "") -> str:
        """Absolute URL of `rel`: the site URL's origin plus the base-path-prefixed path."""
        parts = urlsplit(self.site_url)
        return f"{parts.scheme}://{parts.netloc}{self.path(rel)}"

    def is_reserved(self, username: str) -> bool:
        return is_reserved(username, self.explorer_source)

    def profile_dir(self, username: str) -> str:
        """Directory (on disk, raw username) of a profile, relative to the output root."""
        return f"people/{username}" if self.is_reserved(username) else username

    def profile_rel(self, username: str) -> str:
        """URL path of a profile relative to the base path, ending with `/`."""
        seg = segment(username)
        return f"people/{seg}/" if self.is_reserved(username) else f"{seg}/"

    def profile(self, username: str) -> str:
        return self.path(self.profile_rel(username))

    def profile_absolute(self, username: str) -> str:
        return self.absolute(self.profile_rel(username))
