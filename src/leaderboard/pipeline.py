"""The runner (CORE-09…CORE-11): the phases in order, each isolated, nothing else.

    import → setup → scrape → aggregate → evaluate → export

`prepare()` does everything that may refuse to run (config, plugins, data validation) before the
working DB is opened for writing, so invalid input never writes a byte (CORE-55). `run_phases()`
then runs the selected phases; a failing plugin hook is rolled back and recorded while the run
goes on (CORE-11).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from leaderboard import jsonfmt
from leaderboard.config import load_config
from leaderboard.config.model import Config
from leaderboard.db import Database
from leaderboard.declarations import Declarations
from leaderboard.errors import InvalidInputError, UsageError
from leaderboard.gcpause import gc_frozen, gc_paused
from leaderboard.logs import MASK
from leaderboard.plugins.loader import LoadedPlugin, PluginLoadFailure
from leaderboard.problems import Problem, ProblemList
from leaderboard.progress import steps
from leaderboard.summary import HookOutcome, RunSummary
from leaderboard.timeutil import canonical

if TYPE_CHECKING:
    import httpx

    from leaderboard.datarepo.exporter import ExportStats
    from leaderboard.datarepo.snapshot import RepoSnapshot
    from leaderboard.plugins.context import PluginContext
    from leaderboard.plugins.hooks import HookResult

PHASES = ("import", "setup", "scrape", "aggregate", "evaluate", "export")
HOOK_PHASES = {"setup": "setup", "scrape": "scrape", "aggregate": "aggregate"}
log = logging.getLogger("leaderboard.pipeline")


@dataclass
class RunSettings:
    """Everything a run needs, resolved by the caller (CLI or tests); nothing is read from globals."""

    data_dir: Path
    db_path: str
    now: datetime
    cache_dir: Path
    env: Mapping[str, str]
    phases: tuple[str, ...] = PHASES
    offline: bool = False
    strict: bool = False
    fail_fast: bool = False
    skip_invalid: bool = False
    selected_plugins: tuple[str, ...] = ()
    transport: httpx.BaseTransport | None = None
    command: str = "run"
    progress: bool = False  # a progress bar on stderr (only ever true on a terminal)
    concurrency: int | None = None  # LEADERBOARD_CONCURRENCY; None = runner.concurrency


@dataclass
class Prepared:
    """The result of `prepare`: validated config, loaded plugins, parsed data files."""

    config: Config
    plugins: list[LoadedPlugin | PluginLoadFailure] = field(default_factory=list)
    declarations: Declarations = field(default_factory=Declarations)
    snapshot: RepoSnapshot | None = None  # when import runs
    failed_setup: set[str] = field(default_factory=set)  # skipped by later hooks (CORE-11)
    warnings: list[Problem] = field(default_factory=list)
    exported: ExportStats | None = None  # the export phase's (runmemo.py)
    resources: ExitStack = field(default_factory=ExitStack)  # undone by `release`

    def release(self) -> None:
        """Undo what `prepare` did to the process (the GC freeze), after dropping the snapshot
        so that its objects are freed by reference counting, not traversed. Call it when the
        run ends; `with prepare(...) as prepared:` does."""
        self.snapshot = None
        self.resources.close()

    def __enter__(self) -> Prepared:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def ordered_phases(requested: tuple[str, ...]) -> tuple[str, ...]:
    """Requested phases in canonical order, repeats ignored; none means all (CORE-09)."""
    for phase in requested:
        if phase not in PHASES:
            raise UsageError(f"Unknown phase: {phase}. Valid phases: {', '.join(PHASES)}")
    if not requested:
        return PHASES
    return tuple(p for p in PHASES if p in set(requested))


def load_valid_config(
    data_dir: Path, env: Mapping[str, str], *, strict: bool, require_site_url: bool = False
) -> tuple[Config, list[Problem]]:
    """Load config.yaml or raise InvalidInputError listing every problem (CORE-15)."""
    result = load_config(data_dir, env=env, strict=strict, require_site_url=require_site_url)
    problems = list(result.problems)
    if result.config is None or any(p.is_error for p in problems):
        raise InvalidInputError(
            "Invalid configuration: nothing was written", _config_first(problems)
        )
    return result.config, problems


def _config_first(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error] + [p for p in problems if not p.is_error]


def prepare(settings: RunSettings, loaded: tuple[Config, list[Problem]] | None = None) -> Prepared:
    """Config → plugins → data validation; raises InvalidInputError (exit 3) before any write.
    `loaded`: what `load_valid_config` gave for these settings, when the caller has it."""
    from leaderboard.plugins.loader import collect_declarations, load_plugins

    config, warnings = loaded or load_valid_config(
        settings.data_dir, settings.env, strict=settings.strict
    )
    unknown = [p for p in settings.selected_plugins if p not in config.leaderboard.plugins]
    if unknown:
        raise UsageError(
            f"Unknown plugin id: {', '.join(unknown)}. Configured: "
            f"{', '.join(config.leaderboard.plugins) or '(none)'}"
        )
    prepared = Prepared(config=config, warnings=list(warnings))
    needs_plugins = any(p != "export" for p in settings.phases)
    if needs_plugins:
        prepared.plugins = load_plugins(
            config,
            data_dir=settings.data_dir,
            cache_dir=settings.cache_dir,
            offline=settings.offline,
            selected=set(settings.selected_plugins) or None,
            logger=logging.getLogger("leaderboard.plugins"),
            transport=settings.transport,
        )
        schema_problems = plugin_problems(
            config, prepared.plugins, selected=settings.selected_plugins, for_run=True
        )
        if settings.strict:
            schema_problems = [p.as_error() for p in schema_problems]
        if any(p.is_error for p in schema_problems):
            raise InvalidInputError(
                "Invalid plugin configuration: nothing was written", _config_first(schema_problems)
            )
        prepared.warnings.extend(schema_problems)
        prepared.declarations = collect_declarations(config, prepared.plugins)
    else:
        prepared.declarations = _config_declarations(config)
    if "import" in settings.phases:
        with gc_paused():
            try:
                prepared.snapshot = read_data(
                    settings, config, prepared.declarations, prepared.resources
                )
            except BaseException:
                prepared.release()
                raise
            # The snapshot is millions of objects without cycles, alive until import ends: at
            # 10x each full collection that traverses them costs 1-1.5 s, and every later phase
            # allocates enough to trigger one. Frozen (permanent generation), collections stay
            # off them; reference counting still frees them. `Prepared.release` undoes it.
            # Frozen before the collector runs again: its first young collection would
            # otherwise traverse everything the reading created (1x: 0.045 s).
            prepared.resources.enter_context(gc_frozen())
    return prepared


def plugin_problems(
    config: Config,
    plugins: Sequence[LoadedPlugin | PluginLoadFailure],
    *,
    selected: tuple[str, ...],
    for_run: bool = False,
) -> list[Problem]:
    """Problems of the configured plugins as config problems: invalid or unloadable plugins,
    URL plugins that are not cached (warning, CORE-56), and `config_schema` findings (CORE-18).

    For a run, only source errors are config errors (exit 3); a plugin that fails to import or
    is invalid is a failed plugin instead, reported in the run summary (CORE-11, CORE-22)."""
    from leaderboard.config.plugin_schema import check_plugin_config

    problems: list[Problem] = []
    chosen = set(selected)
    for loaded in plugins:
        entry = config.leaderboard.plugins[loaded.id]
        as_warning = not entry.enabled or bool(chosen and loaded.id not in chosen)
        if isinstance(loaded, PluginLoadFailure):
            if for_run and not loaded.config_error:
                continue
            if loaded.not_cached:
                problems.append(
                    Problem(
                        "config.yaml",
                        entry.line,
                        None,
                        "warning",
                        "plugin-not-cached",
                        f"cannot check declarations of plugin {loaded.id}: not cached",
                    )
                )
            else:
                problems.append(
                    Problem(
                        "config.yaml",
                        entry.line,
                        None,
                        "warning" if as_warning else "error",
                        "invalid-plugin",
                        loaded.message,
                    )
                )
            continue
        problems.extend(
            check_plugin_config(
                loaded.id,
                loaded.plugin,
                entry.config,
                line=entry.line,
                as_warning=as_warning,
                secrets=config.secrets,
            )
        )
    return problems


def _config_declarations(config: Config) -> Declarations:
    return Declarations(badge_definitions=list(config.leaderboard.badge_definitions))


def read_data(
    settings: RunSettings,
    config: Config,
    declarations: Declarations,
    resources: ExitStack | None = None,
) -> RepoSnapshot:
    """Parse and validate every data file; refuse (exit 3) on errors unless --skip-invalid.

    With `resources`, a first import into an empty working DB reads the activity rows into a
    spool (rowspool.py), which `resources` deletes when it closes."""
    from leaderboard.datarepo import read_repo
    from leaderboard.datarepo.rowspool import RowSpool, SpoolDir, load_rows
    from leaderboard.datarepo.syncstate import load_state

    spool = None
    if resources is not None and not Database.peek(settings.db_path, _holds_activities):
        try:
            spool_dir = SpoolDir.create()
        except OSError as exc:  # no usable temporary directory: the rows stay in memory
            log.debug("No row spool (%s)", exc)
        else:
            resources.callback(spool_dir.remove)
            spool = RowSpool(spool_dir.path)
    snapshot = read_repo(
        settings.data_dir,
        config=config,
        declarations=declarations,
        now=settings.now,
        strict=settings.strict,
        # What the working DB already holds lets unchanged files go unparsed (CORE-80).
        state=load_state(settings.db_path),
        spool=spool,
    )
    problems = ProblemList()
    problems.extend(snapshot.problems)
    if settings.strict:
        problems = problems.strict()
    if problems.has_errors() and not settings.skip_invalid:
        raise InvalidInputError(
            f"{len(problems.errors)} invalid input(s): nothing was written", problems.sorted()
        )
    for problem in problems.sorted():
        log.warning("%s", problem.format())
    if problems.has_errors():
        # --skip-invalid: leave invalid units (and what depends on them) out; their files are
        # protected from rewriting and deletion by the export (CORE-53, CORE-55).
        load_rows(snapshot)
        snapshot = snapshot.without_invalid()
    return snapshot


def _holds_activities(db: Database) -> bool:
    """Whether the working DB has any activity (else its import will fill an empty table)."""
    return db.table_exists("activity") and bool(db.scalar("SELECT EXISTS (SELECT 1 FROM activity)"))


@contextmanager
def timed(summary: RunSummary, phase: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        summary.phase_seconds[phase] = (
            summary.phase_seconds.get(phase, 0.0) + time.perf_counter() - start
        )


class _FailFast(Exception):
    """Raised internally to stop the run after the first plugin failure (--fail-fast)."""


def run_phases(settings: RunSettings, prepared: Prepared, db: Database) -> RunSummary:
    """Run the selected phases on an open, migrated DB and return the summary (CORE-10, CORE-11)."""
    # Imported here, not at the top: `validate` and a run with nothing to do never need the
    # query layer and aggregation (a third of start-up, CORE-80).
    from leaderboard.queries import store_config

    summary = RunSummary(phases=list(settings.phases))
    with db.transaction():
        # Time zone, caps and population rules for plugins using ctx.queries (CORE-30).
        store_config(db, prepared.config)
    changes_before = _data_fingerprint(db)
    for failure in (p for p in prepared.plugins if isinstance(p, PluginLoadFailure)):
        summary.fail(failure.id, "load", failure.message)
    try:
        with steps(len(settings.phases), enabled=settings.progress) as bar:
            for phase in settings.phases:
                bar.start(phase)
                with timed(summary, phase):
                    _run_phase(settings, prepared, db, summary, phase)
                bar.done()
                if phase != "export" and _data_fingerprint(db) != changes_before:
                    # Every writer upserts only rows whose content differs, so SQLite's change
                    # counter moving means data really changed (CORE-62).
                    _mark_data_updated(db, settings.now)
                    changes_before = _data_fingerprint(db)
    except _FailFast:
        log.error("Stopping after the first failure (--fail-fast)")
    except Exception as exc:
        # Import and export failures end the run (CORE-11); they recorded themselves already.
        log.error("Run stopped: %s", exc, exc_info=exc, extra={"meta": {"error": str(exc)}})
        if summary.ok:
            summary.fail("run", "fatal", str(exc))
    return summary


def _run_phase(
    settings: RunSettings, prepared: Prepared, db: Database, summary: RunSummary, phase: str
) -> None:
    if phase == "import":
        _phase_import(settings, prepared, db, summary)
    elif phase in HOOK_PHASES:
        _phase_hooks(settings, prepared, db, summary, phase)
    elif phase == "evaluate":
        from leaderboard.aggregates.shared import forget_snapshot

        _phase_evaluate(settings, prepared, db, summary)
        # The activity snapshot shared by aggregation and evaluation is not needed by export.
        forget_snapshot(db)
    elif phase == "export":
        _phase_export(settings, prepared, db, summary)


def _data_fingerprint(db: Database) -> int:
    return db.conn.total_changes


def _mark_data_updated(db: Database, now: datetime) -> None:
    """Set `data_updated_at` unless it already holds `now` (aggregation sets it in its own
    transaction): an unchanged value would still cost a commit, two or three fsyncs."""
    value = canonical(now)
    if db.get_meta("data_updated_at") != value:
        db.set_meta("data_updated_at", value)


def _phase_import(
    settings: RunSettings, prepared: Prepared, db: Database, summary: RunSummary
) -> None:
    from leaderboard.datarepo import import_snapshot

    assert prepared.snapshot is not None  # `prepare` reads the data files when import runs
    try:
        stats = import_snapshot(
            db, prepared.snapshot, declarations=prepared.declarations, config=prepared.config
        )
    except Exception as exc:
        # Import is one transaction: it rolled back; nothing else makes sense after it (CORE-11).
        summary.fail("import", "import", str(exc))
        raise
    prepared.snapshot.release_rows()  # export needs paths, not rows (CORE-80 peak memory)
    summary.add("activities_inserted", stats.activities_inserted)
    summary.add("activities_updated", stats.activities_updated)
    summary.add("contributors_created", stats.contributors_created)


def _hook_targets(settings: RunSettings, prepared: Prepared) -> list[LoadedPlugin]:
    selected = set(settings.selected_plugins)
    return [p for p in _hook_targets_all(prepared) if not selected or p.id in selected]


def _phase_hooks(
    settings: RunSettings, prepared: Prepared, db: Database, summary: RunSummary, phase: str
) -> None:
    if phase == "setup":
        _upsert_static_definitions(db, prepared)
    if phase == "aggregate":
        _standard_aggregation(settings, prepared, db, summary)
    targets = _hook_targets(settings, prepared)
    if phase == "scrape" and targets:
        _phase_scrape(settings, prepared, db, summary, targets)
        return
    if targets:  # plugin contexts import httpx (60 ms), which a run without plugins never needs
        from leaderboard.plugins.hooks import run_hook
    for loaded in targets:
        if loaded.id in prepared.failed_setup:
            summary.hooks.append(_skipped(loaded.id, phase))
            continue
        result = run_hook(
            db, loaded, phase, settings=settings, config=prepared.config, now=settings.now
        )
        _record_hook(summary, loaded.id, phase, result)
        if result.status == "failed":
            if phase == "setup":
                prepared.failed_setup.add(loaded.id)
            if settings.fail_fast:
                raise _FailFast


def _phase_scrape(
    settings: RunSettings,
    prepared: Prepared,
    db: Database,
    summary: RunSummary,
    targets: list[LoadedPlugin],
) -> None:
    """Scrape hooks side by side, persisted in config order (CORE-25); summary in config order."""
    from leaderboard.plugins.concurrent import run_scrape
    from leaderboard.plugins.context_factory import build_context

    def make_context(loaded: LoadedPlugin, handle: Database) -> PluginContext:
        return build_context(
            loaded,
            db=handle,
            config=prepared.config,
            now=settings.now,
            data_dir=settings.data_dir,
            cache_dir=settings.cache_dir,
            offline=settings.offline,
        )

    runnable = [t for t in targets if t.id not in prepared.failed_setup]
    concurrency = settings.concurrency or prepared.config.runner.concurrency
    results = dict(
        (loaded.id, result)
        for loaded, result in run_scrape(
            db, runnable, make_context, concurrency=concurrency, fail_fast=settings.fail_fast
        )
    )
    for loaded in targets:
        if loaded.id in prepared.failed_setup:
            summary.hooks.append(_skipped(loaded.id, "scrape"))
            continue
        result = results.get(loaded.id)
        if result is None:  # not run: an earlier plugin failed under --fail-fast
            raise _FailFast
        _record_hook(summary, loaded.id, "scrape", result)
        if result.status == "failed" and settings.fail_fast:
            raise _FailFast


def _skipped(plugin_id: str, phase: str) -> HookOutcome:
    return HookOutcome(plugin_id, phase, "skipped")


def _record_hook(summary: RunSummary, plugin_id: str, phase: str, result: HookResult) -> None:
    summary.hooks.append(
        HookOutcome(
            plugin_id,
            phase,
            result.status,
            result.duration,
            result.error,
            result.rolled_back_to_checkpoint,
            result.requests,
        )
    )
    summary.add("activities_inserted", result.activities_inserted)
    summary.add("activities_updated", result.activities_updated)
    summary.add("contributors_created", result.contributors_created)
    if result.status == "failed":
        summary.fail(plugin_id, phase, result.error or "failed")


def _upsert_static_definitions(db: Database, prepared: Prepared) -> None:
    """Setup step 1 (CORE-10): config badge definitions, then each plugin's static lists."""
    from leaderboard.plugins.loader import upsert_static_definitions

    with db.transaction():
        upsert_static_definitions(db, prepared.config, _hook_targets_all(prepared))


def _hook_targets_all(prepared: Prepared) -> list[LoadedPlugin]:
    return [p for p in prepared.plugins if isinstance(p, LoadedPlugin)]


def _standard_aggregation(
    settings: RunSettings, prepared: Prepared, db: Database, summary: RunSummary
) -> None:
    from leaderboard.aggregates import run_standard_aggregation

    tz = prepared.config.tz
    try:
        with db.transaction():
            stats = run_standard_aggregation(
                db, now=settings.now, tz=tz, daily_caps=prepared.config.leaderboard.daily_caps
            )
        summary.add("aggregates_changed", stats.changed)
    except Exception as exc:  # recorded; the run goes on (CORE-11)
        log.error("Standard aggregation failed", exc_info=exc, extra={"meta": {"error": str(exc)}})
        summary.fail("standard", "aggregate", str(exc))


def _phase_evaluate(
    settings: RunSettings, prepared: Prepared, db: Database, summary: RunSummary
) -> None:
    from leaderboard.badges.evaluate import evaluate

    tz = prepared.config.tz
    try:
        with db.transaction():
            stats = evaluate(
                db,
                list(prepared.config.leaderboard.badge_rules),
                now=settings.now,
                tz=tz,
                logger=logging.getLogger("leaderboard.badges"),
                source="config",
                daily_caps=prepared.config.leaderboard.daily_caps,
            )
        summary.add("badges_awarded", stats.awards)
    except Exception as exc:
        log.error("Badge evaluation failed", exc_info=exc, extra={"meta": {"error": str(exc)}})
        summary.fail("config", "evaluate", str(exc))
    targets = _hook_targets(settings, prepared)
    if targets:
        from leaderboard.plugins.hooks import run_badge_rules
    for loaded in targets:
        if loaded.id in prepared.failed_setup:
            summary.hooks.append(_skipped(loaded.id, "evaluate"))
            continue
        if not getattr(loaded.plugin, "badge_rules", None):
            continue
        result = run_badge_rules(db, loaded, now=settings.now, tz=tz)
        _record_hook(summary, loaded.id, "evaluate", result)
        summary.add("badges_awarded", result.awards)
        if result.status == "failed" and settings.fail_fast:
            raise _FailFast


def _phase_export(
    settings: RunSettings, prepared: Prepared, db: Database, summary: RunSummary
) -> None:
    from leaderboard.datarepo import export_repo

    try:
        stats = export_repo(
            db,
            settings.data_dir,
            tz=prepared.config.tz,
            imported=prepared.snapshot if "import" in settings.phases else None,
            default_role=prepared.config.leaderboard.default_role,
        )
    except Exception as exc:
        summary.fail("export", "export", str(exc))
        raise
    prepared.exported = stats
    summary.add("files_written", len(stats.written))
    summary.add("files_deleted", len(stats.deleted))
    summary.add("files_unchanged", len(stats.unchanged))
    for warning in stats.warnings:
        log.warning("%s", warning)
    for info in stats.infos:
        log.info("%s", info)


def record_run(
    db: Database,
    command: str,
    phases: tuple[str, ...],
    started: datetime,
    finished: datetime,
    summary: RunSummary,
) -> None:
    """One `_run` row per run, for `doctor` (CORE-11, CORE-33)."""
    db.execute(
        "INSERT INTO _run(command, phases, started_at, finished_at, status, summary) VALUES(?,?,?,?,?,?)",
        (
            command,
            json.dumps(list(phases)),
            canonical(started),
            canonical(finished),
            "ok" if summary.ok else "failed",
            # Failure messages quote whatever a plugin raised: secrets never reach the DB.
            MASK(jsonfmt.dumps_compact(summary.to_json())),
        ),
    )


def import_only(
    data_dir: Path,
    config: Config,
    db: Database,
    *,
    now: datetime,
    env: Mapping[str, str],
    cache_dir: Path,
    offline: bool = True,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """The import phase alone into `db` (used by `build --from-files`): plugins are loaded for
    their static declarations, but no hook runs. Raises InvalidInputError on invalid data."""
    settings = RunSettings(
        data_dir=data_dir,
        db_path=db.path,
        now=now,
        cache_dir=cache_dir,
        env=env,
        phases=("import",),
        offline=offline,
        transport=transport,
        command="build",
    )
    with prepare(settings) as prepared:
        summary = RunSummary(phases=["import"])
        _phase_import(settings, prepared, db, summary)
