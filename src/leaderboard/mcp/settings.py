"""`leaderboard mcp` options resolved into what the server needs (ECO-01, ECO-02).

DB selection (ECO-02, deliberately different from CORE-05 and from upstream): `--db`/`--db-url`
> `--data-dir` (its `.leaderboard.db`) > `LEADERBOARD_DB` > `LIBSQL_DB_URL` > the CORE-04 data
dir. The config is read from the data dir whenever one is known.
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from leaderboard.config.datadir import default_cache_dir
from leaderboard.errors import InvalidInputError, UsageError
from leaderboard.mcp.source import ServedDatabase, check_source, is_public_file
from leaderboard.timeutil import get_zone, parse_now

if TYPE_CHECKING:
    from leaderboard.config.model import Config

log = logging.getLogger("leaderboard")
TOKEN_ENV = "LEADERBOARD_MCP_TOKEN"


@dataclass(frozen=True)
class McpOptions:
    """The command line of ECO-01, before resolution."""

    transport: str = "stdio"
    host: str = "127.0.0.1"
    port: int = 3001
    path: str = "/mcp"
    data_dir: str | None = None
    db: str | None = None
    now: str | None = None
    include_private: bool = False
    token: str | None = None
    debug: bool = False


def check_transport(value: str) -> str:
    if value not in ("stdio", "http"):
        raise UsageError(f"Invalid transport: {value} (expected stdio or http)")
    return value


def check_port(value: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise UsageError(f"Invalid port number: {value}") from None
    if not 0 <= port <= 65535:
        raise UsageError(f"Invalid port number: {value}")
    return port


def check_path(value: str) -> str:
    if not value.startswith("/") or value in ("/healthz", "/sse", "/messages", "/message"):
        raise UsageError(f"Invalid --path: {value} (must start with / and not be a reserved path)")
    return value.rstrip("/") or "/"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _file_url(value: str) -> Path:
    """`--db-url`/`LIBSQL_DB_URL`: a `file:` URL or a plain path (CORE-05)."""
    parsed = urlparse(value)
    if parsed.scheme == "file":
        raw = value[len("file://") :] if value.startswith("file://") else value[len("file:") :]
        return Path(unquote(raw)).expanduser().resolve()
    if parsed.scheme and len(parsed.scheme) > 1:
        raise InvalidInputError("Remote LibSQL databases are not supported; use a local file")
    return Path(value).expanduser().resolve()


def _data_dir(explicit: str | None, env: Mapping[str, str], *, required: bool) -> Path | None:
    from leaderboard.config import resolve_data_dir

    if not required and not (explicit or env.get("LEADERBOARD_DATA_DIR")):
        return None
    return resolve_data_dir(explicit, dict(env), Path.cwd())


def open_served(options: McpOptions, env: Mapping[str, str]) -> ServedDatabase:
    """Resolve DB, data dir, config and now; import files when the DB is missing."""
    from leaderboard.pipeline import load_valid_config

    explicit_db = _file_url(options.db) if options.db else None
    env_db = env.get("LEADERBOARD_DB") or env.get("LIBSQL_DB_URL")
    data_dir_given = bool(options.data_dir or env.get("LEADERBOARD_DATA_DIR"))
    data_dir = _data_dir(
        options.data_dir, env, required=explicit_db is None and not (env_db and not data_dir_given)
    )
    if explicit_db is not None:
        db_path = explicit_db
        if not db_path.exists():
            raise InvalidInputError(f"Database not found: {db_path}")
    elif options.data_dir and data_dir is not None:
        db_path = data_dir / ".leaderboard.db"
    elif env.get("LEADERBOARD_DB"):
        db_path = Path(env["LEADERBOARD_DB"]).expanduser().resolve()
    elif env.get("LIBSQL_DB_URL"):
        db_path = _file_url(env["LIBSQL_DB_URL"])
    else:
        assert data_dir is not None
        db_path = data_dir / ".leaderboard.db"

    config = None
    if data_dir is not None:
        config, warnings = load_valid_config(data_dir, env, strict=False)
        for problem in warnings:
            log.warning("%s", problem.format())
    tz_name = config.leaderboard.timezone if config is not None else "UTC"
    now = None
    if options.now:
        try:
            now = parse_now(options.now, get_zone(tz_name))
        except ValueError as exc:
            raise UsageError(f"Invalid --now value '{options.now}': {exc}") from None

    if not db_path.exists() and (data_dir is None or config is None):
        raise InvalidInputError(f"Database not found: {db_path}")
    # Private to this process (mode 0700): the public view and any imported working DB.
    workdir = Path(tempfile.mkdtemp(prefix="leaderboard-mcp-"))
    try:
        if not db_path.exists():
            assert data_dir is not None and config is not None
            db_path = _import_files(data_dir, config, workdir, now, env)
        check_source(db_path)
        public = is_public_file(db_path)
        if options.include_private:
            log.warning("serving private data (--include-private)")
        return ServedDatabase(
            db_path,
            public_view=not options.include_private and not public,
            config=config,
            now=now,
            workdir=workdir,
        )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _import_files(
    data_dir: Path, config: Config, workdir: Path, now: datetime | None, env: Mapping[str, str]
) -> Path:
    """CORE-52: the data dir's files into a temporary working DB (invalid files → exit 3)."""
    from leaderboard.db import Database
    from leaderboard.pipeline import import_only

    target = workdir / "working.db"
    db = Database.open(target)
    try:
        log.info("No working DB: importing %s", data_dir)
        import_only(
            data_dir,
            config,
            db,
            now=now or datetime.now(UTC),
            env=env,
            cache_dir=default_cache_dir(data_dir),
            offline=True,
        )
    finally:
        db.close()
    return target
