"""The explorer stage of a build (WEB-47…WEB-49): the database file, the page and the assets.

The page is complete without JavaScript (schema listing and a download link are rendered here);
`static/explorer.js` turns it into a REPL when the vendored library is available. When it is
not (offline without cache, registry down), the page says so and the build carries on: an
explorer is a nice-to-have, a published site is not.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from leaderboard.config.model import Config
from leaderboard.explorer.assets import (
    PINS,
    AssetsUnavailable,
    Pins,
    obtain_assets,
)
from leaderboard.site.output import copy_if_changed, sha256_file

UNAVAILABLE_MESSAGE = "The Data Explorer is unavailable in this build."
SIZE_WARNING_BYTES = 25 * 1024 * 1024
READ_CAP_BYTES = 268435456
REQUEST_CHUNK_SIZE = 4096

# WEB-49: label and SQL of each example chip, in order; the first is loaded initially.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("All contributors", "SELECT username, name, role, title FROM contributor ORDER BY username;"),
    (
        "Top 10 by points",
        "SELECT a.contributor, c.name, SUM(COALESCE(a.points, d.points, 0)) AS points FROM "
        "activity a JOIN activity_definition d ON d.slug = a.activity_definition JOIN contributor "
        "c ON c.username = a.contributor GROUP BY a.contributor ORDER BY points DESC, "
        "a.contributor LIMIT 10;",
    ),
    (
        "Activity types",
        "SELECT slug, name, points FROM activity_definition ORDER BY points DESC, slug;",
    ),
    (
        "Recent activity",
        "SELECT a.title, a.contributor, d.name AS type, COALESCE(a.points, d.points, 0) AS "
        "points, a.occurred_at FROM activity a JOIN activity_definition d ON d.slug = "
        "a.activity_definition ORDER BY a.occurred_at DESC LIMIT 20;",
    ),
    (
        "Activity per contributor",
        "SELECT a.contributor, COUNT(*) AS activities, SUM(COALESCE(a.points, d.points, 0)) AS "
        "points FROM activity a JOIN activity_definition d ON d.slug = a.activity_definition "
        "GROUP BY a.contributor ORDER BY points DESC LIMIT 15;",
    ),
    (
        "Badge holders",
        "SELECT b.contributor, d.name AS badge, b.variant, b.achieved_on FROM contributor_badge b "
        "JOIN badge_definition d ON d.slug = b.badge ORDER BY b.achieved_on DESC, b.slug LIMIT 20;",
    ),
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[Column]


@dataclass
class ExplorerOutcome:
    """What the stage did: `available` False means the degraded page (WEB-48)."""

    available: bool
    db_path: str | None  # output path of the DB file, None when uploaded elsewhere
    warnings: list[str] = field(default_factory=list)
    chunks: int = 0  # files the DB was split into (0: one file)


SUFFIX_LENGTH = 3  # chunk names: `<db>.000`, `<db>.001`, …
WORKER_SCRIPT = "static/explorer-worker.js"  # the library's worker is started from ours


def write_chunks(
    write: Callable[[str, bytes], Any], public_db: Path, rel: str, url: str, chunk_size: int
) -> dict[str, Any]:
    """Ship the public DB as `<rel>.000`, `<rel>.001`, … and `<rel>.json`, the sql.js-httpvfs
    configuration of its chunked server mode (WEB-47: static hosts refuse files above 25 MiB).

    Chunk `i` holds bytes `i × chunk_size` up to the next chunk's first, no more: the chunks
    concatenated are the database, byte for byte. sql.js-httpvfs asks the chunk holding a read's
    first byte for the whole read, and its read-ahead (up to 5 MiB) runs past a chunk's end;
    `static/explorer-worker.js` answers such a read from the consecutive chunks it covers (an
    earlier version carried 5 MiB of overlap in every chunk instead: a quarter more bytes).
    One chunk in memory at a time.
    """
    size = public_db.stat().st_size
    count = 0
    with public_db.open("rb") as source:
        while count * chunk_size < size:
            write(f"{rel}.{count:0{SUFFIX_LENGTH}d}", source.read(chunk_size))
            count += 1
    settings = {
        "serverMode": "chunked",
        "requestChunkSize": REQUEST_CHUNK_SIZE,
        "databaseLengthBytes": size,
        "serverChunkSize": chunk_size,
        "urlPrefix": url + ".",
        "suffixLength": SUFFIX_LENGTH,
    }
    write(f"{rel}.json", (json.dumps(settings, indent=2) + "\n").encode())
    return {"config": settings, "chunks": count}


def _bytes_per_activity(public_db: Path, size: int) -> int:
    """The public DB's size over its activities (WEB-47: the build reports it)."""
    conn = sqlite3.connect(f"{public_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        count = int(conn.execute("SELECT count(*) FROM activity").fetchone()[0])
    finally:
        conn.close()
    return size // max(1, count)


def format_size(size: int) -> str:
    """B / KB / MB with one decimal, 1024-based (the same rule as the REPL's statistics)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def schema_listing(public_db: Path) -> list[Table]:
    """Tables of the public DB sorted by name, each with its columns and declared types (`ANY`
    when none).

    Views count as tables: `activity` is a view with the documented columns over `_activity`,
    which stores integer keys (CORE-80's byte budget). Names starting with `_` (that storage
    and `_leaderboard_public`) and `sqlite_%` are left out: the listing shows what to query."""
    conn = sqlite3.connect(f"{public_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_%' ESCAPE '\\' "
                "ORDER BY name"
            )
        ]
        tables = []
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            cols = [
                Column(row[1], row[2] or "ANY")
                for row in conn.execute(f"PRAGMA table_info({quoted})")
            ]
            tables.append(Table(name, cols))
        return tables
    finally:
        conn.close()


def source_location(config: Config, base_path: str) -> tuple[str, str | None]:
    """(URL the browser loads, output path inside the site or None for an absolute URL)."""
    source = config.leaderboard.data_explorer.source or "/data.db"
    if source.startswith(("http://", "https://")):
        return source, None
    rel = source.lstrip("/")
    base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    return base + rel, rel


def write_explorer(
    write: Callable[[str, bytes], Any],
    render: Callable[[str, dict[str, Any]], str],
    *,
    public_db: Path,
    config: Config,
    page_context: dict[str, Any],
    cache_dir: Path,
    offline: bool,
    logger: logging.Logger | logging.LoggerAdapter[Any],
    base_path: str = "/",
    script_url: str | None = None,
    worker_url: str | None = None,
    upload_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    pins: Pins = PINS,
    copy: Callable[[str, Path], Any] | None = None,
) -> ExplorerOutcome:
    """Write the DB file, `data/index.html` and `static/vendor/<pkg>-<version>/*`.

    `write(rel_path, bytes)` and `render(template, context)` are the site builder's. A `/`-path
    source is written inside the site; an absolute URL source is written to `upload_path`
    (`--public-db`) with an INFO line saying where to upload it. AssetMismatch propagates (the
    build fails); AssetsUnavailable degrades the page and is reported in `warnings`.
    `copy(rel_path, source)` writes a file's bytes without holding them (the public DB is
    hundreds of MB on large sites); it defaults to `write` with the bytes read.
    """
    outcome = ExplorerOutcome(available=False, db_path=None)
    size = public_db.stat().st_size
    url, rel = source_location(config, base_path)
    chunked: dict[str, Any] | None = None
    if rel is not None:
        settings = config.leaderboard.data_explorer
        if size > settings.chunk_threshold:
            chunked = write_chunks(write, public_db, rel, url, settings.chunk_size)
            outcome.chunks = chunked["chunks"]
            logger.info(
                "The public database (%s, %d bytes per activity) is shipped as %d chunks, "
                "one every %s", format_size(size), _bytes_per_activity(public_db, size),
                outcome.chunks, format_size(settings.chunk_size),
            )  # fmt: skip
        elif copy is not None:
            copy(rel, public_db)
        else:
            write(rel, public_db.read_bytes())
        outcome.db_path = rel
    elif upload_path is not None:
        upload_path.parent.mkdir(parents=True, exist_ok=True)
        copy_if_changed(public_db, upload_path)
        logger.info("Upload %s to %s", upload_path, url)
    if size > SIZE_WARNING_BYTES and chunked is None:
        message = (
            f"The public database is {format_size(size)}, above 25 MiB: many static hosts "
            "refuse files that large"
        )
        logger.warning("%s", message)
        outcome.warnings.append(message)
    site_root = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    vendor = f"{site_root}static/vendor/{pins.dir_name}/"
    try:
        files = obtain_assets(
            cache_dir, offline=offline, env=env, client=client, pins=pins, logger=None
        )
    except AssetsUnavailable as exc:
        message = f"Data Explorer assets unavailable: {exc}"
        logger.warning("%s", message)
        outcome.warnings.append(message)
        files = {}
    for name, content in sorted(files.items()):
        write(f"static/vendor/{pins.dir_name}/{name}", content)
    outcome.available = bool(files)
    explorer = {
        "available": outcome.available,
        "unavailable_message": UNAVAILABLE_MESSAGE,
        "source_url": url,
        "db_size": format_size(size),
        "tables": schema_listing(public_db),
        "examples": [{"label": label, "sql": sql} for label, sql in EXAMPLES],
        "script_url": script_url or f"{site_root}static/explorer.js",
        "config": {
            "available": outcome.available,
            "sourceUrl": url,
            "cacheBust": sha256_file(public_db)[:16],
            "libraryUrl": vendor + "index.js",
            "workerUrl": worker_url or site_root + WORKER_SCRIPT,
            "libraryWorkerUrl": vendor + "sqlite.worker.js",
            "wasmUrl": vendor + "sql-wasm.wasm",
            "requestChunkSize": REQUEST_CHUNK_SIZE,
            "chunked": chunked["config"] if chunked else None,
            "maxBytesToRead": READ_CAP_BYTES,
            "rowLimit": 1000,
            "historyKey": "leaderboard_sql_history",
            "historySize": 20,
        },
    }
    html = render("data.html", {**page_context, "explorer": explorer})
    write("data/index.html", html.encode())
    return outcome
