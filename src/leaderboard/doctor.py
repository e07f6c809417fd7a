"""`leaderboard doctor` (NEW-15): one line per health check, each with a hint that says what to do.

Never writes and takes no lock: the working DB is opened read-only (`mode=ro`), the lock file and
the explorer cache are only looked at, and validation reuses the `validate` code paths. Exit 1
when any check fails.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from leaderboard.config.datadir import PUBLIC_DB_NAME

if TYPE_CHECKING:
    import httpx

    from leaderboard.config.model import Config
    from leaderboard.invocation import Common

Status = Literal["ok", "warn", "fail"]
MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}
PUBLIC_DB_WARN_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    id: str
    status: Status
    message: str
    hint: str = ""


def _worst(statuses: list[Status]) -> Status:
    return "fail" if "fail" in statuses else ("warn" if "warn" in statuses else "ok")


# -- environment --------------------------------------------------------------------------------


def check_python() -> list[Check]:
    out: list[Check] = []
    if sys.version_info < (3, 11):  # noqa: UP036 - doctor may run from a checkout
        out.append(
            Check(
                "python",
                "fail",
                f"Python {sys.version.split()[0]} is too old",
                "Install Python 3.11 or newer",
            )
        )
    missing = []
    for module in (
        "yaml",
        "jinja2",
        "httpx",
        "click",
        "PIL",
        "markdown_it",
        "nh3",
        "croniter",
        "orjson",
        "tzdata",
    ):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        out.append(
            Check(
                "python",
                "fail",
                f"missing dependencies: {', '.join(missing)}",
                "Reinstall: pip install contributor-leaderboard",
            )
        )
    else:
        from leaderboard import __version__

        out.append(
            Check(
                "python",
                "ok",
                f"Python {sys.version.split()[0]}, contributor-leaderboard {__version__}",
            )
        )
    try:
        from PIL import features

        if not features.check("webp"):
            out.append(
                Check(
                    "pillow",
                    "warn",
                    "Pillow was built without WebP",
                    "Avatars and Open Graph images degrade; install a Pillow wheel "
                    "with WebP support",
                )
            )
    except Exception:  # pragma: no cover - Pillow is a dependency
        pass
    try:
        __import__("cairosvg")
    except (ImportError, OSError):
        out.append(
            Check(
                "svg",
                "ok",
                "no SVG rasteriser (cairosvg): SVG avatars are kept as SVG",
                "Optional: pip install 'contributor-leaderboard[svg]'",
            )
        )
    return out


def check_data_dir(data_dir: Path, env: Mapping[str, str]) -> list[Check]:
    out = []
    if not os.access(data_dir, os.W_OK):
        out.append(
            Check(
                "data-dir",
                "fail",
                f"{data_dir} is not writable",
                "Fix the permissions; run and build write there",
            )
        )
    else:
        out.append(Check("data-dir", "ok", f"data dir {data_dir}"))
    if env.get("WORKSPACE_ROOT"):
        out.append(
            Check(
                "data-dir",
                "warn",
                "WORKSPACE_ROOT is set and ignored",
                "Use --data-dir or LEADERBOARD_DATA_DIR instead",
            )
        )
    if (data_dir / "config.yml").exists():
        out.append(
            Check(
                "data-dir",
                "warn",
                "config.yml is present and ignored",
                "Merge it into config.yaml and delete it",
            )
        )
    return out


def check_lock(data_dir: Path) -> list[Check]:
    from leaderboard.lock import LOCK_NAME, _read, process_alive

    path = data_dir / LOCK_NAME
    if not path.exists():
        return [Check("lock", "ok", "not locked")]
    held = _read(path)
    pid = held.get("pid")
    import socket

    if held.get("host") == socket.gethostname() and isinstance(pid, int) and not process_alive(pid):
        return [
            Check(
                "lock",
                "warn",
                f"stale lock left by pid {pid}",
                "The next run removes it; or delete .leaderboard.lock",
            )
        ]
    return [
        Check(
            "lock",
            "warn",
            f"locked by pid {pid} on {held.get('host')} "
            f"({held.get('command')}) since {held.get('started_at')}",
            "Wait for that process, or use --break-lock if it is gone",
        )
    ]


# -- working DB ---------------------------------------------------------------------------------


def open_readonly(db_path: str) -> sqlite3.Connection | None:
    if db_path == ":memory:" or not Path(db_path).is_file():
        return None
    return sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)


def check_db(conn: sqlite3.Connection | None, db_path: str) -> list[Check]:
    from leaderboard.db.migrations import SCHEMA_VERSION, current_version

    if conn is None:
        return [
            Check(
                "working-db",
                "warn",
                f"no working DB at {db_path}",
                "It is a cache rebuilt from the data files: run `leaderboard run`",
            )
        ]
    out: list[Check] = []
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [
            Check(
                "working-db",
                "fail",
                f"working DB {db_path} cannot be read: {exc}",
                "Delete it and run `leaderboard run` (it is rebuilt from the files)",
            )
        ]
    if integrity != "ok" or fk:
        detail = integrity if integrity != "ok" else f"{len(fk)} foreign key violation(s)"
        out.append(
            Check(
                "working-db",
                "fail",
                f"working DB is damaged: {detail}",
                "Delete it and run `leaderboard run` (it is rebuilt from the files)",
            )
        )
        return out
    version = current_version(conn)
    if version < SCHEMA_VERSION:
        out.append(
            Check(
                "working-db",
                "warn",
                f"schema version {version} is older than {SCHEMA_VERSION}",
                "The next `leaderboard run` migrates it",
            )
        )
    out += check_timestamps(conn)
    if not out:
        out.append(Check("working-db", "ok", f"working DB {db_path}"))
    return out


def check_timestamps(conn: sqlite3.Connection) -> list[Check]:
    """Activities whose `occurred_at` is not canonical UTC (`YYYY-MM-DDTHH:MM:SS.sssZ`).

    Migration 002 rewrites every parseable upstream value and leaves the unparseable ones in
    place (CORE-12); they sort and compare wrongly as text, so they are worth a warning.
    """
    from leaderboard.timeutil import is_canonical

    try:
        rows = conn.execute(
            "SELECT slug, occurred_at FROM activity WHERE length(occurred_at) != 24 "
            "OR occurred_at NOT LIKE '____-__-__T__:__:__.___Z' ORDER BY slug"
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    bad = [(slug, value) for slug, value in rows if not is_canonical(str(value))]
    if not bad:
        return []
    slug, value = bad[0]
    return [
        Check(
            "working-db",
            "warn",
            f"{len(bad)} activit{'y' if len(bad) == 1 else 'ies'} with a non-canonical "
            f"occurred_at left by migration, e.g. {slug}: {value!r}",
            "Correct them to UTC like 2025-01-15T12:00:00.000Z (or delete the working DB and "
            "`leaderboard run` to rebuild it from the files)",
        )
    ]


def check_db_vs_files(conn: sqlite3.Connection | None, counts: Mapping[str, int]) -> list[Check]:
    if conn is None:
        return []
    db_counts = {
        "contributors": conn.execute("SELECT COUNT(*) FROM contributor").fetchone()[0],
        "activities": conn.execute("SELECT COUNT(*) FROM activity").fetchone()[0],
        "awards": conn.execute("SELECT COUNT(*) FROM contributor_badge").fetchone()[0],
    }
    differ = [
        f"{k}: DB {db_counts[k]}, files {counts[k]}"
        for k in db_counts
        if k in counts and db_counts[k] != counts[k]
    ]
    if differ:
        return [
            Check(
                "db-vs-files",
                "warn",
                "; ".join(differ),
                "Run `leaderboard run import export` to bring them in line",
            )
        ]
    return [Check("db-vs-files", "ok", "working DB matches the data files")]


def check_freshness(conn: sqlite3.Connection | None, config: Config, now: datetime) -> list[Check]:
    if conn is None:
        return []
    out: list[Check] = []
    try:
        last = conn.execute(
            "SELECT status, finished_at FROM _run ORDER BY id DESC LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError:
        last = None
    if last and last[0] != "ok":
        out.append(
            Check(
                "freshness",
                "warn",
                f"the last run failed (finished {last[1]})",
                "Look at its log; `leaderboard run` again after fixing the cause",
            )
        )
    cron = config.leaderboard.data_update_frequency
    row = conn.execute(
        "SELECT value FROM _leaderboard_meta WHERE key = 'data_updated_at'"
    ).fetchone()
    if cron and row and row[0]:
        from croniter import croniter

        from leaderboard.timeutil import parse_now

        updated = parse_now(str(row[0]), config.tz)
        it = croniter(cron, updated)
        first = it.get_next(datetime)
        interval = it.get_next(datetime) - first
        if now - updated > 2 * max(interval, timedelta(minutes=1)):
            out.append(
                Check(
                    "freshness",
                    "warn",
                    f"data last updated {row[0]}, more than twice the schedule '{cron}' ago",
                    "Check that the scheduled workflow runs and succeeds",
                )
            )
    if not out:
        out.append(Check("freshness", "ok", "last run succeeded" if last else "no runs yet"))
    return out


# -- config, files, plugins, identities ----------------------------------------------------------


def problems_check(check_id: str, problems: list[Any], hint: str, ok: str) -> Check:
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if errors:
        return Check(check_id, "fail", f"{len(errors)} error(s), e.g. {errors[0].format()}", hint)
    if warnings:
        return Check(
            check_id, "warn", f"{len(warnings)} warning(s), e.g. {warnings[0].format()}", hint
        )
    return Check(check_id, "ok", ok)


def check_plugins(config: Config, data_dir: Path, cache_dir: Path) -> list[Check]:
    from leaderboard.plugins.report import plugin_rows

    rows = plugin_rows(config, data_dir=data_dir, cache_dir=cache_dir)
    out: list[Check] = []
    for row in rows:
        if not row.enabled:
            continue
        if "not cached" in row.status:
            out.append(
                Check(
                    "plugins",
                    "warn",
                    f"plugin {row.id}: not cached",
                    "Run `leaderboard run` online once to fetch it",
                )
            )
        elif row.failed:
            out.append(
                Check(
                    "plugins",
                    "fail",
                    f"plugin {row.id}: {row.status}",
                    "Fix the source or the plugin; see `leaderboard plugins`",
                )
            )
        if row.source == "git" and shutil.which("git") is None:
            out.append(
                Check("plugins", "fail", "the git plugin needs the git executable", "Install git")
            )
    if not out:
        out.append(Check("plugins", "ok", f"{len(rows)} plugin(s) configured, all load"))
    return out


def check_identities(problems: list[Any], unresolved: int) -> list[Check]:
    conflicts = [p for p in problems if p.code.startswith("identity-")]
    out = [
        problems_check(
            "identities",
            conflicts,
            "Run `leaderboard identities` for details",
            "no identity conflicts",
        )
    ]
    if unresolved:
        out.append(
            Check(
                "identities",
                "warn",
                f"{unresolved} unresolved account(s)",
                "Run `leaderboard identities --suggest`",
            )
        )
    return out


def estimate_public_db(conn: sqlite3.Connection | None, public_db: Path) -> tuple[int, str] | None:
    """Bytes the public DB will take: the last one written to `public_db` when present, else
    the working DB's used pages (the public DB is a subset of its rows, so an upper bound).
    Returns (bytes, where the figure comes from), or None without either."""
    if public_db.is_file():
        return public_db.stat().st_size, "last public DB written"
    if conn is None:
        return None
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int((pages - free) * size), "upper bound from the working DB"


def unknown_icons(config: Config, conn: sqlite3.Connection | None, db_path: str) -> list[str]:
    """Data icon names the site cannot resolve (WEB-08: it falls back to `star` / `link`):
    activity definitions' `icon`, `org.socials` keys and `social_profiles.<key>.icon`."""
    from leaderboard.site.icons import resolve_icon_name

    named: list[tuple[str, str]] = []
    if conn is not None:
        from leaderboard.db import Database
        from leaderboard.queries import activity_definitions

        try:
            definitions = activity_definitions.get_all(Database(conn, db_path))
        except sqlite3.OperationalError:
            definitions = []
        named += [(str(d["icon"]), f"activity {d['slug']}") for d in definitions if d["icon"]]
    named += [
        (key, "org.socials")
        for key, value in config.org.socials.items()
        if isinstance(value, str) and value.strip()
    ]
    for key, profile in config.leaderboard.social_profiles.items():
        icon = (profile or {}).get("icon")
        if isinstance(icon, str) and icon:
            named.append((icon, f"social_profiles.{key}"))
    return [f"'{name}' ({where})" for name, where in named if resolve_icon_name(name) is None]


def check_site(
    config: Config,
    cache_dir: Path,
    estimate: tuple[int, str] | None,
    icons: list[str] | None = None,
    activities: int = 0,
) -> list[Check]:
    """`estimate`: the public DB's bytes and their source (None: no working DB, no public DB);
    `activities` (in the working DB) gives bytes per activity."""
    from leaderboard.explorer.assets import PINS, cache_path
    from leaderboard.explorer.page import format_size, source_location

    out: list[Check] = []
    if not config.meta.site_url:
        out.append(
            Check(
                "site",
                "warn",
                "meta.site_url is not set",
                "Set it in config.yaml (or pass --site-url to build)",
            )
        )
    assets = cache_path(cache_dir, PINS)
    if config.leaderboard.data_explorer.enabled and not all(
        (assets / name).is_file() for name in PINS.files
    ):
        out.append(
            Check(
                "site",
                "warn",
                "Data Explorer assets are not cached",
                "The first online `leaderboard build` fetches and verifies them",
            )
        )
    explorer = config.leaderboard.data_explorer
    public_estimate, source = estimate if estimate is not None else (None, "")
    # The build ships a site-path DB above chunk_threshold as chunks (WEB-47); only a DB that
    # would be shipped or uploaded whole is a problem for hosts refusing files over 25 MiB.
    chunked = (
        source_location(config, "")[1] is not None
        and explorer.chunk_size <= PUBLIC_DB_WARN_BYTES
        and (public_estimate or 0) > explorer.chunk_threshold
    )
    too_big = public_estimate is not None and public_estimate > PUBLIC_DB_WARN_BYTES
    if explorer.enabled and public_estimate is not None and too_big and not chunked:
        out.append(
            Check(
                "site",
                "warn",
                f"public DB estimate is {format_size(public_estimate)} ({source}), "
                "shipped in files above 25 MiB",
                "Many static hosts refuse such files: use a site path for data_explorer.source "
                "and a chunk_threshold below 25 MiB so the build ships it in chunks",
            )
        )
    if icons:
        out.append(
            Check(
                "site",
                "warn",
                f"{len(icons)} unknown icon name(s): {', '.join(icons[:5])}",
                "Use Lucide names (https://lucide.dev/icons); the site draws 'star' or 'link' "
                "instead",
            )
        )
    if not out:
        out.append(Check("site", "ok", "site settings look complete"))
    if explorer.enabled and public_estimate is not None and (chunked or not too_big):
        # WEB-47: doctor reports the size, bytes per activity and chunk count, like the build.
        chunks = -(-public_estimate // explorer.chunk_size) if chunked else 1
        out.append(
            Check(
                "site",
                "ok",
                f"public DB estimate {format_size(public_estimate)} ({source}), "
                f"{public_estimate // max(1, activities)} bytes per activity, "
                + (f"{chunks} chunks" if chunked else "one file"),
            )
        )
    return out


def check_host(
    conn: sqlite3.Connection | None,
    config: Config,
    now: datetime,
    public_db: tuple[int, str] | None,
) -> list[Check]:
    """WEB-64: the site a build would produce against `site.host`'s limits (an estimate from
    the working DB; the build measures the real output and fails when it does not fit)."""
    if conn is None:
        return []
    from leaderboard.site import hosts

    host = hosts.profile(config.leaderboard.site.host)
    try:
        size = hosts.estimate(conn, config, now, public_db[0] if public_db else None)
    except sqlite3.Error as exc:  # an old or partial schema: the build will say more
        return [Check("host", "warn", f"cannot estimate the site's size: {exc}")]
    figures = "; ".join(hosts.report_lines(size, host))
    problems = hosts.check(size, host)
    if problems:
        return [
            Check(
                "host",
                "warn",
                f"estimate: {figures}",
                hosts.error_message(problems, host),
            )
        ]
    return [Check("host", "ok", f"estimate: {figures}")]


def check_repository(data_dir: Path) -> list[Check]:
    if shutil.which("git") is None:
        return []
    done = subprocess.run(
        ["git", "status", "--porcelain"], cwd=data_dir, capture_output=True, text=True
    )
    if done.returncode != 0:
        return []
    changed = [line for line in done.stdout.splitlines() if line.strip()]
    if changed:
        return [
            Check(
                "repository",
                "warn",
                f"{len(changed)} uncommitted change(s) in the data repository",
                "Commit them so the scheduled workflow sees them",
            )
        ]
    return [Check("repository", "ok", "data repository is clean")]


# -- online (opt-in) ---------------------------------------------------------------------------


def check_online(config: Config, transport: httpx.BaseTransport | None = None) -> list[Check]:
    """GitHub token validity and quota (`GET <apiUrl>/rate_limit`), Slack `auth.test`."""
    import httpx

    out: list[Check] = []
    with httpx.Client(transport=transport, timeout=20) as client:
        for entry in config.leaderboard.plugins.values():
            cfg = entry.config or {}
            if not entry.enabled:
                continue
            token = cfg.get("githubToken")
            if isinstance(token, str) and token:
                base = str(cfg.get("apiUrl") or "https://api.github.com").rstrip("/")
                try:
                    r = client.get(
                        f"{base}/rate_limit", headers={"Authorization": f"Bearer {token}"}
                    )
                except httpx.HTTPError as exc:
                    out.append(Check("online", "warn", f"{entry.id}: GitHub unreachable ({exc})"))
                    continue
                if r.status_code == 401:
                    out.append(
                        Check(
                            "online",
                            "warn",
                            f"{entry.id}: GitHub token is invalid",
                            "Create a new token and update the secret",
                        )
                    )
                elif r.status_code == 200:
                    core = r.json().get("resources", {}).get("core", {})
                    remaining, limit = core.get("remaining", 0), core.get("limit", 0)
                    status: Status = "warn" if limit and remaining < limit * 0.1 else "ok"
                    out.append(
                        Check(
                            "online",
                            status,
                            f"{entry.id}: GitHub quota {remaining}/{limit}",
                            "Wait for the reset or use another token" if status == "warn" else "",
                        )
                    )
                else:
                    out.append(
                        Check("online", "warn", f"{entry.id}: GitHub answered {r.status_code}")
                    )
            slack = cfg.get("slackApiToken")
            if isinstance(slack, str) and slack:
                base = str(cfg.get("apiUrl") or "https://slack.com/api").rstrip("/")
                try:
                    r = client.post(
                        f"{base}/auth.test", headers={"Authorization": f"Bearer {slack}"}
                    )
                    ok = r.status_code == 200 and r.json().get("ok") is True
                except (httpx.HTTPError, ValueError):
                    ok = False
                out.append(
                    Check(
                        "online",
                        "ok" if ok else "warn",
                        f"{entry.id}: Slack auth.test {'ok' if ok else 'failed'}",
                        "" if ok else "Check the Slack token and its scopes",
                    )
                )
    if not out:
        out.append(Check("online", "ok", "no tokens configured to check"))
    return out


# -- the whole report ---------------------------------------------------------------------------


def run_checks(
    data_dir: Path,
    *,
    env: Mapping[str, str],
    db_path: str,
    cache_dir: Path,
    now: Callable[[Config], datetime],
    online: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> list[Check]:
    from leaderboard.config import load_config

    checks = check_python() + check_data_dir(data_dir, env) + check_lock(data_dir)
    result = load_config(data_dir, env=env)
    checks.append(
        problems_check(
            "config",
            list(result.problems),
            "Run `leaderboard validate` for every problem",
            "config.yaml is valid",
        )
    )
    conn = open_readonly(db_path)
    try:
        db_checks = check_db(conn, db_path)
        checks += db_checks
        if conn is not None and any(c.status == "fail" for c in db_checks):
            conn.close()  # a damaged DB cannot answer the later checks
            conn = None
        config = result.config
        if config is None:
            return checks
        checks += check_plugins(config, data_dir, cache_dir)
        file_problems, counts, unresolved = _read_files(
            data_dir, config, cache_dir, now(config), conn
        )
        data_only = [
            p
            for p in file_problems
            if not p.code.startswith("identity-") and p.code != "reserved-username"
        ]
        checks.append(
            problems_check(
                "data-files",
                data_only,
                "Run `leaderboard validate` for every problem",
                f"{counts['files']} data file(s) valid",
            )
        )
        checks += check_db_vs_files(conn, counts)
        checks += check_identities(file_problems, unresolved)
        reserved = [p for p in file_problems if p.code == "reserved-username"]
        checks.append(
            problems_check(
                "usernames", reserved, "Rename the profile file", "no reserved usernames"
            )
        )
        checks += check_site(
            config,
            cache_dir,
            estimate_public_db(conn, data_dir / PUBLIC_DB_NAME),
            unknown_icons(config, conn, db_path),
            conn.execute("SELECT COUNT(*) FROM activity").fetchone()[0] if conn else 0,
        )
        checks += check_host(
            conn, config, now(config), estimate_public_db(conn, data_dir / ".leaderboard-public.db")
        )
        checks += check_freshness(conn, config, now(config))
        checks += check_repository(data_dir)
        if online:
            checks += check_online(config, transport)
    finally:
        if conn is not None:
            conn.close()
    return checks


def _read_files(
    data_dir: Path,
    config: Config,
    cache_dir: Path,
    now: datetime,
    conn: sqlite3.Connection | None,
) -> tuple[list[Any], dict[str, int], int]:
    from leaderboard.datarepo import read_repo
    from leaderboard.plugins.loader import collect_declarations, load_plugins
    from leaderboard.plugins.report import CollectingLogger

    loaded = load_plugins(
        config,
        data_dir=data_dir,
        cache_dir=cache_dir,
        offline=True,
        selected=None,
        logger=CollectingLogger(),
    )
    snapshot = read_repo(
        data_dir, config=config, declarations=collect_declarations(config, loaded), now=now
    )
    counts = {
        "files": snapshot.files_checked,
        "contributors": sum(1 for u in snapshot.units["contributor"] if u.valid),
        "activities": sum(1 for u in snapshot.units["activity"] if u.valid),
        "awards": sum(1 for u in snapshot.units["contributor_badge"] if u.valid),
    }
    # Kinds read lazily (unchanged since the last import) have no units here: not comparable.
    for kind, key in (("activity", "activities"), ("contributor_badge", "awards")):
        if kind in snapshot.deferred:
            counts.pop(key)
    unresolved = 0
    if conn is not None:
        try:
            unresolved = conn.execute("SELECT COUNT(*) FROM unresolved_identity").fetchone()[0]
        except sqlite3.OperationalError:
            unresolved = 0
    return list(snapshot.problems), counts, unresolved


def render_text(checks: list[Check]) -> str:
    lines = []
    for check in checks:
        lines.append(f"{MARKS[check.status]} {check.id}: {check.message}")
        if check.hint and check.status != "ok":
            lines.append(f"    {check.hint}")
    summary = {s: sum(1 for c in checks if c.status == s) for s in ("ok", "warn", "fail")}
    lines.append(f"{summary['ok']} ok, {summary['warn']} warning(s), {summary['fail']} failed")
    return "\n".join(lines) + "\n"


def render_json(checks: list[Check]) -> str:
    return json.dumps({"checks": [asdict(c) for c in checks]}, indent=2, ensure_ascii=False) + "\n"


def doctor_command(common: Common, *, fmt: str, online: bool) -> int:
    from leaderboard.commands import cache_dir_of, data_dir_of, db_path_of, now_of

    data_dir = data_dir_of(common)
    checks = run_checks(
        data_dir,
        env=common.env,
        db_path=db_path_of(common, data_dir),
        cache_dir=cache_dir_of(common, data_dir),
        now=lambda config: now_of(common, config.leaderboard.timezone),
        online=online and not common.offline,
    )
    sys.stdout.write(render_json(checks) if fmt == "json" else render_text(checks))
    return 1 if _worst([c.status for c in checks]) == "fail" else 0
