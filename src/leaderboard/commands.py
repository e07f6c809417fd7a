"""What each CLI command does, as library functions taking resolved options.

`cli.py` parses; this module resolves the data dir, DB path, cache dir and "now" (CORE-03…CORE-05,
CORE-12, CORE-24), takes the lock where the command writes (CORE-08) and calls the library.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from leaderboard import lock, progress
from leaderboard.config import default_cache_dir, resolve_data_dir
from leaderboard.db import Database
from leaderboard.errors import InvalidInputError, UsageError
from leaderboard.logs import MASK
from leaderboard.summary import RunSummary
from leaderboard.timeutil import get_zone, parse_now

if TYPE_CHECKING:
    from leaderboard.config.model import Config
    from leaderboard.invocation import Common

log = logging.getLogger("leaderboard")


def data_dir_of(common: Common) -> Path:
    """CORE-04 steps 1-3. Step 4 (`${{ env.LEADERBOARD_DATA_DIR }}` in upstream configs) is
    `load_config`'s: it substitutes with the data dir when the variable is unset, so nothing
    here writes the process environment or the invocation's."""
    return resolve_data_dir(common.data_dir, dict(common.env), Path.cwd())


def db_path_of(common: Common, data_dir: Path) -> str:
    """CORE-05: --db, LEADERBOARD_DB, then LIBSQL_DB_URL (file: URLs only), else the default."""
    explicit = common.db or common.env.get("LEADERBOARD_DB")
    if explicit:
        return str(Path(explicit).expanduser().resolve())
    url = common.env.get("LIBSQL_DB_URL", "").strip()
    if url:
        if url == ":memory:":
            return ":memory:"
        parsed = urlparse(url)
        if parsed.scheme == "file":
            raw = unquote(
                url[len("file://") :] if url.startswith("file://") else url[len("file:") :]
            )
            return str(Path(raw).expanduser().resolve())
        if parsed.scheme and len(parsed.scheme) > 1:
            raise InvalidInputError("Remote LibSQL databases are not supported; use a local file")
        return str(Path(url).expanduser().resolve())
    return str(data_dir / ".leaderboard.db")


def cache_dir_of(common: Common, data_dir: Path) -> Path:
    raw = common.env.get("LEADERBOARD_CACHE_DIR")
    return Path(raw).expanduser().resolve() if raw else default_cache_dir(data_dir)


def now_of(common: Common, tz_name: str | Callable[[], str]) -> datetime:
    """CORE-12: --now / LEADERBOARD_NOW in the configured zone, else the clock at process start.

    `tz_name` may be a function giving the zone's name, called only when the zone matters: a
    --now with an explicit offset (`...Z`) is the same instant in every zone."""
    if not common.now:
        return common.started
    try:
        if callable(tz_name):
            utc = parse_now(common.now, UTC)
            if parse_now(common.now, _OTHER_ZONE) == utc:
                return utc
            tz_name = tz_name()
        return parse_now(common.now, get_zone(tz_name))
    except ValueError as exc:
        raise UsageError(f"Invalid --now value '{common.now}': {exc}") from None


# Any zone whose offset differs from UTC's: a text read alike in both names its own offset.
_OTHER_ZONE = timezone(timedelta(hours=5))


def concurrency_of(common: Common) -> int | None:
    """CORE-25: LEADERBOARD_CONCURRENCY overrides `runner.concurrency` for this run."""
    from leaderboard.config.sections import concurrency_problem

    raw = common.env.get("LEADERBOARD_CONCURRENCY")
    if raw is None or not raw.strip():
        return None
    try:
        value: object = int(raw.strip())
    except ValueError:
        value = raw
    problem = concurrency_problem(value)
    if problem is not None:
        raise UsageError(f"Invalid LEADERBOARD_CONCURRENCY {raw!r}: {problem}")
    assert isinstance(value, int)
    return value


def _peek_timezone(data_dir: Path) -> str:
    """The zone for parsing --now before full validation; a bad zone is reported by validation."""
    from leaderboard.yaml12 import YamlError, load

    try:
        raw = load((data_dir / "config.yaml").read_text(encoding="utf-8")).value
        tz = raw.get("leaderboard", {}).get("timezone") if isinstance(raw, dict) else None
        if isinstance(tz, str):
            get_zone(tz)
            return tz
    except (OSError, YamlError, ValueError, AttributeError):
        pass
    return "UTC"


# -- run ---------------------------------------------------------------------------------------


def run_command(
    common: Common,
    *,
    phases: tuple[str, ...],
    plugins: tuple[str, ...],
    fail_fast: bool,
    skip_invalid: bool,
    break_lock: bool,
) -> int:
    from leaderboard import pipeline

    data_dir = data_dir_of(common)
    ordered = pipeline.ordered_phases(phases)
    now = now_of(common, lambda: _peek_timezone(data_dir))
    settings = pipeline.RunSettings(
        data_dir=data_dir,
        db_path=db_path_of(common, data_dir),
        now=now,
        cache_dir=cache_dir_of(common, data_dir),
        env=common.env,
        phases=ordered,
        offline=common.offline,
        strict=common.strict,
        fail_fast=fail_fast,
        skip_invalid=skip_invalid,
        selected_plugins=plugins,
        command="run",
        progress=progress.wanted(quiet=common.quiet, log_format=common.log_format),
        concurrency=concurrency_of(common),
    )
    with lock.locked(data_dir, "run", started_at=common.started, break_lock=break_lock):
        return execute_run(settings, started=common.started)


def execute_run(settings: Any, *, started: datetime) -> int:
    """prepare → open DB → phases → summary → `_run` row. Returns the exit code."""
    from datetime import UTC

    from leaderboard import pipeline, runmemo

    config, warnings = pipeline.load_valid_config(
        settings.data_dir, settings.env, strict=settings.strict
    )
    key = None if warnings else runmemo.unchanged_since_last_run(settings, config)
    if key is not None:
        # Same data files, config, version and now, and no write to the DB since the last
        # run, which ended without any problem: this run would change nothing (CORE-80).
        summary = RunSummary(phases=list(settings.phases))
        summary.notes.append(
            "Nothing changed since the last run (same data files, config, version and now): "
            "nothing to do"
        )
        _record(settings, started, summary, key)
        return 0
    before = None if warnings else runmemo.digests_before_reading(settings, config)
    with pipeline.prepare(settings, (config, warnings)) as prepared:
        for problem in prepared.warnings:
            log.warning("%s", problem.format())
        db = Database.open(settings.db_path)
        try:
            summary = pipeline.run_phases(settings, prepared, db)
        except BaseException:
            db.close()
            raise
        clean = (
            before is not None
            and summary.ok
            and not prepared.warnings
            and prepared.exported is not None
            and not getattr(prepared.snapshot, "problems", True)
            and runmemo.eligible(settings, prepared.config)
        )
        if not clean:
            try:
                summary.log(log)
                pipeline.record_run(
                    db, settings.command, settings.phases, started, datetime.now(UTC), summary
                )
            finally:
                db.close()
            return 0 if summary.ok else 1
        db.close()  # the change counter is read with no connection open (runmemo.change_counter)
        assert before is not None
        key = runmemo.key_after_run(
            settings, prepared.config, before, prepared.snapshot, prepared.exported
        )
    _record(settings, started, summary, key)
    return 0


def _record(settings: Any, started: datetime, summary: RunSummary, key: str | None) -> None:
    """Log the summary and write the `_run` row, with what lets the next run see that nothing
    changed (runmemo.py) when `key` is known."""
    from datetime import UTC

    from leaderboard import pipeline, runmemo

    summary.memo = None if key is None else runmemo.memo_for(key, settings.db_path)
    summary.log(log)
    db = Database.open(settings.db_path)
    try:
        pipeline.record_run(
            db, settings.command, settings.phases, started, datetime.now(UTC), summary
        )
    finally:
        db.close()


# -- validate ----------------------------------------------------------------------------------


def load_plugins_offline(common: Common, data_dir: Path, config: Config) -> list[Any]:
    """The configured plugins, loaded without network (uncached URL plugins become failures):
    what commands that only need declarations use (validate, migrate-legacy)."""
    from leaderboard.plugins.loader import load_plugins
    from leaderboard.plugins.report import CollectingLogger

    return list(
        load_plugins(
            config,
            data_dir=data_dir,
            cache_dir=cache_dir_of(common, data_dir),
            offline=True,
            selected=None,
            # Load errors are reported by the callers as config problems; logging them too
            # printed each one twice.
            logger=CollectingLogger(passthrough=logging.getLogger("leaderboard.plugins")),
        )
    )


def validate_command(common: Common, *, fmt: str) -> int:
    """CORE-56: every problem, no lock, no DB, no network."""
    from leaderboard import pipeline
    from leaderboard.config import load_config
    from leaderboard.datarepo import read_repo
    from leaderboard.datarepo.report import render_json, render_text
    from leaderboard.gcpause import gc_paused
    from leaderboard.plugins.loader import collect_declarations

    data_dir = data_dir_of(common)
    result = load_config(data_dir, env=common.env, strict=common.strict)
    problems = list(result.problems)
    files_checked = 1
    if result.config is not None:
        config = result.config
        now = now_of(common, config.leaderboard.timezone)
        loaded = load_plugins_offline(common, data_dir, config)
        problems.extend(pipeline.plugin_problems(config, loaded, selected=()))
        declarations = collect_declarations(config, loaded)
        # Collector paused until the snapshot is freed: re-enabled with it alive, its first
        # young collection would traverse every object read (1x: 0.045 s; gcpause.py).
        with gc_paused():
            snapshot = read_repo(
                data_dir,
                config=config,
                declarations=declarations,
                now=now,
                strict=common.strict,
                import_rows=False,  # problems are all validate reports (CORE-80)
            )
            problems.extend(snapshot.problems)
            files_checked += snapshot.files_checked
            del snapshot
    if common.strict:
        problems = [p.as_error() for p in problems]
    output = (
        render_json(problems, files_checked)
        if fmt == "json"
        else render_text(problems, files_checked)
    )
    output = MASK(output)  # problems may quote values substituted from the environment
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 3 if any(p.is_error for p in problems) else 0


# -- build -------------------------------------------------------------------------------------


def load_config_for(common: Common, data_dir: Path, *, require_site_url: bool = False) -> Config:
    from leaderboard import pipeline

    config, warnings = pipeline.load_valid_config(
        data_dir, common.env, strict=common.strict, require_site_url=require_site_url
    )
    for problem in warnings:
        log.warning("%s", problem.format())
    return config


def build_command(common: Common, **opts: Any) -> int:
    from leaderboard.site import BuildOptions, build_site

    data_dir = data_dir_of(common)
    config = load_config_for(common, data_dir)
    site_url = opts.get("site_url") or config.meta.site_url
    if not site_url:
        raise InvalidInputError("meta.site_url is required to build the site (or pass --site-url)")
    now = now_of(common, config.leaderboard.timezone)
    db_path = Path(db_path_of(common, data_dir))
    hint = empty_site_hint(data_dir, db_path, from_files=bool(opts.get("from_files")))
    if hint:
        log.warning("%s", hint)
    with lock.locked(
        data_dir, "build", started_at=common.started, break_lock=opts.get("break_lock", False)
    ):
        result = build_site(
            BuildOptions(
                data_dir=data_dir,
                config=config,
                db_path=db_path,
                out=Path(opts.get("out") or "_site").resolve(),
                site_url=site_url,
                base_path=opts.get("base_path"),
                from_files=bool(opts.get("from_files")),
                public_db_path=Path(opts["public_db"]).resolve() if opts.get("public_db") else None,
                clean=bool(opts.get("clean")),
                og=not opts.get("no_og"),
                avatars="none" if opts.get("no_avatars") else None,
                explorer=not opts.get("no_explorer"),
                refresh_avatars=bool(opts.get("refresh_avatars")),
                host=opts.get("host_profile"),
                now=now,
                offline=common.offline,
                cache_dir=cache_dir_of(common, data_dir),
                env=common.env,
                strict=common.strict,
            )
        )
    if common.strict and result.warnings:
        # --strict: a degraded build (e.g. explorer assets unavailable, WEB-48) is a failure.
        log.error("Build finished with %d warning(s) and --strict is set", len(result.warnings))
        return 1
    return 0


def empty_site_hint(data_dir: Path, db_path: Path, *, from_files: bool) -> str | None:
    """A newcomer's `build` before any `run` gives an empty site: say why and what to do."""
    import sqlite3

    people: int | None = None
    if db_path.is_file() and not from_files:
        try:
            with sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True) as conn:
                people = int(conn.execute("SELECT COUNT(*) FROM contributor").fetchone()[0])
        except sqlite3.Error:
            return None  # the build reports a damaged DB itself
    else:
        folder = data_dir / "contributors"
        people = sum(1 for _ in folder.glob("*.md")) if folder.is_dir() else 0
    if people:
        return None
    if not db_path.exists() and not from_files:
        return (
            f"No working DB at {db_path} and no contributors in the data files yet: the site will "
            "be empty. Run `leaderboard run` first to collect contributions (configure plugins "
            "under leaderboard.plugins in config.yaml), then build again."
        )
    return (
        "No contributors yet: the site will be empty. Run `leaderboard run` to collect "
        "contributions (configure plugins under leaderboard.plugins in config.yaml)."
    )


# -- plugins ---------------------------------------------------------------------------------


def plugins_command(common: Common, *, fmt: str, installed: bool) -> int:
    """`leaderboard plugins`: print the plugin report; exit 1 when a plugin failed to load."""
    from leaderboard.plugins.report import installed_rows, plugin_rows, render_json, render_text

    data_dir = data_dir_of(common)
    config = load_config_for(common, data_dir)
    rows = plugin_rows(config, data_dir=data_dir, cache_dir=cache_dir_of(common, data_dir))
    extra = installed_rows() if installed else None
    render = render_json if fmt == "json" else render_text
    sys.stdout.write(render(rows, extra))
    return 1 if any(r.failed for r in rows) else 0


# -- serve -------------------------------------------------------------------------------------


def serve_command(
    common: Common, *, directory: str, host: str, port: int, base_path: str | None
) -> int:
    """WEB-61; the base path defaults to the one recorded in the build manifest."""
    from leaderboard.serve import serve

    return serve(Path(directory).resolve(), host=host, port=port, base_path=base_path)


# -- migrate-legacy ----------------------------------------------------------------------------


def migrate_legacy_command(
    common: Common,
    *,
    dry_run: bool,
    remove_legacy: bool,
    map_definition: tuple[str, ...],
    modern_github_slugs: bool,
    default_role: str,
    break_lock: bool,
) -> int:
    """ECO-58: convert the legacy layout under the lock (no lock for --dry-run, which writes
    nothing); the report goes to stdout."""
    from contextlib import nullcontext

    from leaderboard.migrate import migrate_legacy, parse_renames
    from leaderboard.plugins.loader import collect_declarations

    data_dir = data_dir_of(common)
    renames = parse_renames(map_definition, modern_github_slugs)
    if not default_role.strip():
        raise UsageError("--default-role must not be empty")
    config = load_config_for(common, data_dir)
    now = now_of(common, config.leaderboard.timezone)
    declarations = collect_declarations(config, load_plugins_offline(common, data_dir, config))
    guard = (
        nullcontext()
        if dry_run
        else lock.locked(
            data_dir, "migrate-legacy", started_at=common.started, break_lock=break_lock
        )
    )
    with guard:
        report = migrate_legacy(
            data_dir,
            config=config,
            declarations=declarations,
            now=now,
            renames=renames,
            default_role=default_role.strip(),
            dry_run=dry_run,
            remove_legacy=remove_legacy,
        )
    for problem in report.warnings:
        log.warning("%s", problem.format())
    header = "migrate-legacy --dry-run: nothing was written" if dry_run else "migrate-legacy"
    lines = [f"{header} ({data_dir})", *report.lines(dry_run=dry_run, remove_legacy=remove_legacy)]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
