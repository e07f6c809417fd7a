"""Pinned remote plugin files (CORE-23 step 4): download once, verify, cache, re-verify.

The https-only rule is checked where the source is classified (`config.sources`); this module
fetches the URL it is given over the transport it is given, which keeps it testable against a
server on 127.0.0.1 — but never lets an https URL redirect to http.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import httpx

from leaderboard.datarepo.atomic import write_if_changed
from leaderboard.errors import PluginError
from leaderboard.plugins.http import USER_AGENT


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_path(cache_dir: Path, pin: str) -> Path:
    """`<cache dir>/plugins/<sha256>.py`."""
    return Path(cache_dir) / "plugins" / f"{pin.lower()}.py"


def cached_copy(plugin_id: str, cache_dir: Path, pin: str) -> Path | None:
    """The verified cached file, None when absent; a tampered copy is deleted and refused."""
    target = cache_path(cache_dir, pin)
    if not target.is_file():
        return None
    actual = sha256_hex(target.read_bytes())
    if actual != pin.lower():
        with contextlib.suppress(OSError):
            target.unlink()
        raise PluginError(
            f"Plugin {plugin_id}: sha256 mismatch for {target}: expected {pin.lower()}, got {actual}",
            hint="the cached copy was modified; it has been removed and will be downloaded again",
        )
    return target


MAX_REDIRECTS = 10


def _get_following_secure_redirects(
    plugin_id: str, client: httpx.Client, url: str
) -> httpx.Response:
    """GET `url`, following redirects one by one; from an https URL, a redirect to anything but
    https is refused before it is requested (the docs promise http is never used)."""
    current = httpx.URL(url)
    for _ in range(MAX_REDIRECTS + 1):
        response = client.get(current)
        if not response.is_redirect:
            return response
        target = current.join(response.headers["location"])
        if current.scheme == "https" and target.scheme != "https":
            raise PluginError(
                f"Plugin {plugin_id}: {url} redirects to {target}, which is not https; "
                "plugin URLs must use https, redirects included"
            )
        current = target
    raise PluginError(
        f"Plugin {plugin_id}: cannot download {url}: more than {MAX_REDIRECTS} redirects"
    )


def fetch_pinned(
    plugin_id: str,
    url: str,
    pin: str,
    *,
    cache_dir: Path,
    offline: bool,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 60.0,
) -> Path:
    """Return the path of the verified plugin file, downloading it when not cached."""
    pin = pin.lower()
    found = cached_copy(plugin_id, cache_dir, pin)
    if found is not None:
        return found
    if offline:
        raise PluginError(f"Plugin {plugin_id}: not cached and --offline is set")
    try:
        with httpx.Client(
            transport=transport,
            follow_redirects=False,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
        ) as client:
            response = _get_following_secure_redirects(plugin_id, client, url)
            response.raise_for_status()
            data = response.content
    except httpx.HTTPError as exc:
        raise PluginError(f"Plugin {plugin_id}: cannot download {url}: {exc}") from None
    actual = sha256_hex(data)
    if actual != pin:
        raise PluginError(
            f"Plugin {plugin_id}: sha256 mismatch for {url}: expected {pin}, got {actual}"
        )
    target = cache_path(cache_dir, pin)
    write_if_changed(target, data)
    return target
