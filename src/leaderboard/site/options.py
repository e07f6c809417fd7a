"""Inputs and outputs of one site build (WEB-01): `BuildOptions` in, `BuildResult` out.

The CLI fills `BuildOptions` from flags and config; library callers and tests build it directly.
Everything that would otherwise be global (now, the logger, the cache dir) is carried here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from leaderboard.config.model import Config


@dataclass
class BuildOptions:
    """What to build from, where to, and with which switches (WEB-01 flags)."""

    data_dir: Path
    config: Config
    now: datetime  # aware; the run's reference instant (CORE-12)
    out: Path = Path("_site")
    db_path: Path | None = None  # working DB; None or missing → import the data files
    from_files: bool = False
    site_url: str | None = None  # --site-url, else meta.site_url
    base_path: str | None = None  # --base-path, else the path of the site URL
    public_db_path: Path | None = None  # --public-db (used when the explorer source is a URL)
    clean: bool = False
    og: bool | None = None  # False (--no-og) forces off; otherwise config site.og_images
    avatars: str | None = None  # None → config site.avatars; "none" for --no-avatars
    explorer: bool | None = None  # False (--no-explorer) forces off; else data_explorer.enabled
    refresh_avatars: bool = False
    offline: bool = False
    strict: bool = False
    cache_dir: Path | None = None  # fingerprints, avatars, vendored assets
    workers: int | None = None  # processes for page rendering; None → CPU count (max 4)
    # the build's environment (the CLI passes the process's): config substitution of
    # import_only, the explorer's vendored assets, and the reuse key; os.environ is never read
    env: Mapping[str, str] = field(default_factory=dict)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("leaderboard.site"))


@dataclass
class BuildResult:
    """Counts for the final log line (WEB-02) and for tests."""

    out: Path
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    rendered: int = 0  # pages actually rendered (not skipped by fingerprint, NEW-09)
    duration: float = 0.0
    warnings: list[str] = field(default_factory=list)
    written_paths: list[str] = field(default_factory=list)
    deleted_paths: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages ({self.written} written, {self.unchanged} unchanged, "
            f"{self.deleted} deleted) in {self.duration:.2f}s"
        )
