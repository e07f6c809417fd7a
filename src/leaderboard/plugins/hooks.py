"""Running one plugin hook in isolation (CORE-11, CORE-26, CORE-27).

`run_hook` wraps one call in savepoint `plugin_<n>`, drives sync and async hooks (a fresh event
loop per call), persists returned records in order, and turns an exception into a failed
`HookResult` after rolling back to the last checkpoint. `run_badge_rules` does the same for a
plugin's `badge_rules` pass (CORE-67).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from leaderboard.db import Database
from leaderboard.models import RecordBatch
from leaderboard.plugins.api import HOOKS
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.records import RecordSink, RecordWriter

if TYPE_CHECKING:
    from leaderboard.plugins.loader import LoadedPlugin

_LOG = logging.getLogger("leaderboard.plugins")


@dataclass
class HookResult:
    """The outcome of one hook call, as the run summary reports it (CORE-11)."""

    plugin_id: str
    hook: str
    status: str  # ok | failed | skipped
    duration: float = 0.0
    error: str | None = None
    rolled_back_to_checkpoint: bool = False
    checkpoints: int = 0
    activities_inserted: int = 0
    activities_updated: int = 0
    contributors_created: int = 0
    definitions_created: int = 0
    awards: int = 0
    requests: int = 0  # HTTP requests made through ctx.http / ctx.async_http (CORE-28)


class Savepoint:
    """`SAVEPOINT plugin_<n>` with checkpoint (release + reopen) and rollback.

    `before_release` (the record writer's `settle`) runs before every RELEASE, so what a bulk
    write set aside is back before anything is committed."""

    def __init__(
        self, db: Database, name: str, before_release: Callable[[], None] | None = None
    ) -> None:
        self.db = db
        self.quoted = '"' + name.replace('"', '""') + '"'
        self.checkpoints = 0
        self.before_release = before_release

    def open(self) -> None:
        self.db.execute(f"SAVEPOINT {self.quoted}")

    def _release(self) -> None:
        if self.before_release is not None:
            self.before_release()
        self.db.execute(f"RELEASE {self.quoted}")

    def checkpoint(self) -> None:
        self._release()
        self.checkpoints += 1
        self.db.execute(f"SAVEPOINT {self.quoted}")

    def release(self) -> None:
        self._release()

    def rollback(self) -> None:
        self.db.execute(f"ROLLBACK TO {self.quoted}")
        self._release()


def error_message(exc: BaseException) -> str:
    text = str(exc)
    return text if text else type(exc).__name__


def is_single_record(value: Any) -> bool:
    return isinstance(value, str | bytes | Mapping) or hasattr(value, "kind")


def consume_sync(value: Any, writer: RecordSink) -> None:
    """Persist what a sync hook returned. A list or tuple is complete before anything is written
    (the hook cannot observe the order of writes), so it goes in bulk; an iterator is written
    record by record as it yields, except for the `RecordBatch`es it yields."""
    if value is None:
        return
    if is_single_record(value) or not hasattr(value, "__iter__"):
        raise TypeError(
            f"the hook returned {type(value).__name__}; return None or an iterable of records"
        )
    if type(value) in (list, tuple, RecordBatch):
        writer.write_many(value)
        return
    for record in value:
        _write(writer, record)


def _write(writer: RecordSink, record: Any) -> None:
    if type(record) is RecordBatch:
        writer.write_many(record)
    else:
        writer.write(record)


async def consume_async(value: Any, writer: RecordSink) -> None:
    if inspect.isawaitable(value):
        value = await value
    if hasattr(value, "__aiter__"):
        async for record in value:
            _write(writer, record)
        return
    consume_sync(value, writer)


def _run_on_fresh_loop(value: Any, writer: RecordSink) -> None:
    """One event loop per hook call (CORE-26); DB access stays on this thread."""
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(consume_async(value, writer))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def drive_hook(fn: Callable[[PluginContext], Any], ctx: PluginContext, writer: RecordSink) -> None:
    """Call a hook and persist what it returns: None, records, async records or an awaitable."""
    value = fn(ctx)
    if inspect.isawaitable(value) or hasattr(value, "__aiter__"):
        _run_on_fresh_loop(value, writer)
    else:
        consume_sync(value, writer)


def _context_from_settings(
    db: Database, loaded: LoadedPlugin, *, settings: Any, config: Any, now: datetime
) -> PluginContext:
    from leaderboard.plugins.context_factory import build_context

    return build_context(
        loaded,
        db=db,
        config=config,
        now=now,
        data_dir=settings.data_dir,
        cache_dir=settings.cache_dir,
        offline=settings.offline,
    )


def run_hook(
    db: Database,
    loaded: LoadedPlugin,
    hook_name: str,
    ctx: PluginContext | None = None,
    *,
    settings: Any = None,
    config: Any = None,
    now: datetime | None = None,
    logger: logging.Logger | None = None,
) -> HookResult:
    """Run `loaded.plugin.<hook_name>` in savepoint `plugin_<index>` and report the outcome.

    Pass a ready `ctx`, or the runner's `settings`, `config` and `now` to have one built.
    """
    if hook_name not in HOOKS:
        raise ValueError(f"unknown hook '{hook_name}' (known: {', '.join(HOOKS)})")
    log = logger or _LOG
    fn = getattr(loaded.plugin, hook_name, None)
    if fn is None:
        return HookResult(loaded.id, hook_name, "skipped")
    if ctx is None:
        if settings is None or config is None or now is None:
            raise ValueError("run_hook needs either ctx or settings, config and now")
        ctx = _context_from_settings(db, loaded, settings=settings, config=config, now=now)
    writer = RecordWriter(db, ctx.tz, primary=primary_namespace(ctx), bulk=True)
    savepoint = Savepoint(db, f"plugin_{getattr(loaded, 'index', 0)}", writer.settle)
    ctx._checkpoint = savepoint.checkpoint
    requests_before = ctx.requests_made()
    start = time.perf_counter()
    savepoint.open()
    try:
        drive_hook(fn, ctx, writer)
    except Exception as exc:
        savepoint.rollback()
        message = error_message(exc)
        log.error(
            f"{hook_name.capitalize()} failed for plugin {loaded.id}",
            exc_info=exc,
            extra={"meta": {"error": message}},
        )
        return HookResult(
            loaded.id,
            hook_name,
            "failed",
            time.perf_counter() - start,
            message,
            rolled_back_to_checkpoint=savepoint.checkpoints > 0,
            checkpoints=savepoint.checkpoints,
            requests=ctx.requests_made() - requests_before,
        )
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        ctx._checkpoint = None
    savepoint.release()
    counts = writer.counts
    return HookResult(
        loaded.id,
        hook_name,
        "ok",
        time.perf_counter() - start,
        checkpoints=savepoint.checkpoints,
        activities_inserted=counts.activities_inserted,
        activities_updated=counts.activities_updated,
        contributors_created=counts.contributors_created,
        definitions_created=counts.definitions_created,
        requests=ctx.requests_made() - requests_before,
    )


def primary_namespace(ctx: PluginContext) -> str:
    board = ctx.app_config.get("leaderboard") or {}
    identity = board.get("identity") or {}
    return str(identity.get("primary") or "github")


def run_badge_rules(
    db: Database,
    loaded: LoadedPlugin,
    *,
    now: datetime,
    tz: tzinfo,
    logger: logging.Logger | None = None,
) -> HookResult:
    """Evaluate `loaded.plugin.badge_rules` (one pass, CORE-67) in the plugin's own savepoint."""
    from leaderboard.badges.evaluate import evaluate
    from leaderboard.queries.dbinfo import daily_caps as stored_daily_caps

    log = logger or _LOG
    rules = list(getattr(loaded.plugin, "badge_rules", None) or [])
    if not rules:
        return HookResult(loaded.id, "evaluate", "skipped")
    savepoint = Savepoint(db, f"plugin_{getattr(loaded, 'index', 0)}")
    start = time.perf_counter()
    savepoint.open()
    try:
        stats = evaluate(
            db,
            rules,
            now=now,
            tz=tz,
            logger=logging.getLogger("leaderboard.badges"),
            source=loaded.id,
            daily_caps=stored_daily_caps(db),
        )
    except Exception as exc:
        savepoint.rollback()
        message = error_message(exc)
        log.error(
            f"Evaluate failed for plugin {loaded.id}",
            exc_info=exc,
            extra={"meta": {"error": message}},
        )
        return HookResult(loaded.id, "evaluate", "failed", time.perf_counter() - start, message)
    savepoint.release()
    return HookResult(
        loaded.id,
        "evaluate",
        "ok",
        time.perf_counter() - start,
        awards=int(getattr(stats, "awards", 0) or 0),
    )
