"""The scrape phase with plugins side by side (CORE-25, CORE-26, CORE-27).

Up to `concurrency` scrape hooks run at once, started in config order: async hooks on one shared
event loop, sync hooks in worker threads. The first plugin in config order works directly on the
working DB in its savepoint (nothing else writes there until it ends). Every later plugin works on
its own staging (`plugins/staging.py`): a copy of the working DB as it was when the phase started,
plus its own writes. Staged work reaches the working DB only through `_Scheduler.pump`, which
replays each plugin's checkpointed chunks in its savepoint `plugin_<n>`, in config order: plugin
k's work is persisted once plugins 1…k-1 have ended. The working DB and exported files are
therefore the same whatever the timing, and the same as with `concurrency: 1` (which runs the hooks
one after another with the same staging, so the semantics never depend on the setting).

A failing hook rolls back only its own work since its last checkpoint. Under `--fail-fast` the
first failure *in config order* stops the phase: earlier plugins finish and are persisted; later
ones are not started, or are stopped and their staged work discarded, as if they never ran.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaderboard.db import Database
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.hooks import (
    HookResult,
    Savepoint,
    consume_async,
    consume_sync,
    error_message,
    primary_namespace,
)
from leaderboard.plugins.records import (
    RecordSink,
    RecordWriter,
    normalise_record,
    normalise_records,
)
from leaderboard.plugins.staging import (
    StagedDatabase,
    StageLog,
    StageStopped,
    copy_database,
    local_db,
)

if TYPE_CHECKING:
    from leaderboard.plugins.loader import LoadedPlugin

_LOG = logging.getLogger("leaderboard.plugins")
STOPPED = "stopped: an earlier plugin failed and --fail-fast is set"


class _StagingWriter:
    """Records of a staged hook: validated and applied to its copy now (its reads see them),
    staged as records for the replay (whose `RecordWriter` counts what they change)."""

    def __init__(self, raw: Any, log: StageLog, tz: Any, primary: str) -> None:
        self.local = RecordWriter(local_db(raw), tz, primary=primary)
        self.log = log
        self.tz = tz

    def write(self, record: Any) -> None:
        self.log.check()
        kind, row = normalise_record(record, self.tz)
        self.local.apply(kind, row)
        self.log.add(("record", kind, row))

    def write_many(self, records: Any) -> None:
        self.log.check()
        rows = normalise_records(records, self.tz)
        self.local.apply_many(rows)
        self.log.add(("records", rows))


@dataclass
class _Slot:
    """One plugin's scrape in this phase."""

    position: int
    loaded: LoadedPlugin
    direct: bool
    ctx: PluginContext | None = None
    sink: RecordSink | None = None
    savepoint: Savepoint | None = None  # direct plugin only
    log: StageLog = field(default_factory=StageLog)
    replay: RecordWriter | None = None  # staged plugin: persists its records in the working DB
    error: BaseException | None = None
    replay_error: str | None = None
    started: bool = False
    finished: bool = False
    discarded: bool = False
    duration: float = 0.0
    requests: int = 0
    task: asyncio.Future[Any] | None = None
    staged_db: StagedDatabase | None = None


class _Scheduler:
    def __init__(
        self,
        db: Database,
        slots: list[_Slot],
        make_context: Callable[[Any, Database], PluginContext],
        *,
        concurrency: int,
        fail_fast: bool,
    ) -> None:
        self.db = db
        self.slots = slots
        self.make_context = make_context
        self.concurrency = concurrency
        self.fail_fast = fail_fast
        self.head = 0
        self.stop_after = len(slots)  # positions after this one are discarded (--fail-fast)
        self.results: dict[int, HookResult] = {}
        self.lock = threading.RLock()
        self.loop: asyncio.AbstractEventLoop | None = None
        staged = [s for s in slots if not s.direct]
        # The snapshot staged plugins start from: the working DB before anyone scrapes.
        self.master = copy_database(db.conn) if staged else None
        self.last_staged = staged[-1].position if staged else -1

    # -- running hooks -------------------------------------------------------------------------

    async def run(self) -> None:
        loop = self.loop = asyncio.get_running_loop()
        queue = deque(self.slots)

        async def worker() -> None:
            while queue:
                slot = queue.popleft()
                if slot.position > self.stop_after:
                    continue
                await self._run_slot(slot, loop)

        try:
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        except BaseException:  # Ctrl-C, SIGTERM: staged hooks stop at their next ctx.db call
            for slot in self.slots:
                slot.log.stop_reason = "the run was interrupted"
            raise
        self.pump()

    def _prepare(self, slot: _Slot) -> None:
        if slot.direct:
            ctx = self.make_context(slot.loaded, self.db)
            sink = RecordWriter(self.db, ctx.tz, primary=primary_namespace(ctx), bulk=True)
            index = getattr(slot.loaded, "index", 0)
            slot.savepoint = Savepoint(self.db, f"plugin_{index}", sink.settle)
            slot.sink = sink
            ctx._checkpoint = slot.savepoint.checkpoint
            slot.savepoint.open()
        else:
            assert self.master is not None
            if slot.position == self.last_staged:
                raw, self.master = self.master, None  # the last one takes the snapshot itself
            else:
                raw = copy_database(self.master)
            slot.staged_db = StagedDatabase(raw, slot.log)
            ctx = self.make_context(slot.loaded, slot.staged_db)
            primary = primary_namespace(ctx)
            slot.sink = _StagingWriter(raw, slot.log, ctx.tz, primary)
            slot.replay = RecordWriter(self.db, ctx.tz, primary=primary, bulk=True)
            ctx._checkpoint = lambda: self._checkpoint(slot)
            ctx._file_writer = lambda path, payload: self._write_file(slot, path, payload)
        slot.ctx = ctx

    async def _run_slot(self, slot: _Slot, loop: asyncio.AbstractEventLoop) -> None:
        self._prepare(slot)
        assert slot.ctx is not None and slot.sink is not None
        fn = slot.loaded.plugin.scrape
        before = slot.ctx.requests_made()
        start = time.perf_counter()
        slot.started = True
        slot.task = asyncio.ensure_future(_drive(fn, slot.ctx, slot.sink, loop))
        try:
            await slot.task
        except asyncio.CancelledError:
            slot.error = StageStopped(STOPPED)
            slot.discarded = True
        except Exception as exc:
            slot.error = exc
        slot.duration = time.perf_counter() - start
        slot.requests = slot.ctx.requests_made() - before
        self._end_hook(slot)

    def _end_hook(self, slot: _Slot) -> None:
        if slot.direct:
            assert slot.savepoint is not None
            if slot.error is None:
                slot.savepoint.release()
            else:
                slot.savepoint.rollback()
        elif slot.error is None:
            slot.log.close_chunk()
        else:
            slot.log.discard_open()
        if slot.staged_db is not None and not slot.discarded:
            slot.staged_db.close()  # a cancelled sync hook's thread may still hold it
        failed_here = slot.error is not None and slot.replay_error is None
        if failed_here and not slot.discarded and slot.position <= self.stop_after:
            assert slot.error is not None
            message = error_message(slot.error)
            _LOG.error(
                f"Scrape failed for plugin {slot.loaded.id}",
                exc_info=slot.error,
                extra={"meta": {"error": message}},
            )
            self._failed(slot)
        slot.finished = True
        self.pump()

    def _failed(self, slot: _Slot) -> None:
        if not self.fail_fast or slot.position >= self.stop_after:
            return
        self.stop_after = slot.position
        for other in self.slots[slot.position + 1 :]:
            other.discarded = True
            other.log.stop_reason = STOPPED
            if other.task is not None and self.loop is not None:
                # pump() may run on a worker thread (a checkpoint): cancel on the loop's.
                self.loop.call_soon_threadsafe(other.task.cancel)

    # -- staged plugins' calls (from their own thread or the loop) ------------------------------

    def _checkpoint(self, slot: _Slot) -> None:
        assert slot.staged_db is not None
        if slot.staged_db.in_savepoint:
            raise StageStopped(
                "ctx.checkpoint() cannot be called inside ctx.db.transaction()/savepoint()"
            )
        slot.log.check()
        slot.log.close_chunk()
        slot.log.checkpoints += 1
        self.pump()
        slot.log.check()  # the replay of this chunk failed: stop the hook here

    def _write_file(self, slot: _Slot, path: Path, payload: bytes) -> bool:
        from leaderboard.datarepo.atomic import write_if_changed

        slot.log.check()
        with self.lock:
            if slot.position <= self.head and not slot.log.has_unpersisted_db_work():
                return write_if_changed(path, payload)
            queued = slot.log.pending_file(path)
            current = queued if queued is not None else _read(path)
            slot.log.add(("file", path, payload))
            return current != payload

    # -- persisting, in config order ------------------------------------------------------------

    def pump(self) -> None:
        """Persist what can be persisted now: the head plugin's closed chunks; when the head has
        ended, record its result and move on to the next plugin in config order."""
        with self.lock:
            while self.head < len(self.slots) and self.head <= self.stop_after:
                slot = self.slots[self.head]
                if not slot.direct:
                    self._persist_closed(slot)
                if not slot.finished:
                    return
                self.results[slot.position] = self._result(slot)
                self.head += 1

    def _persist_closed(self, slot: _Slot) -> None:
        while (chunk := slot.log.take_closed()) is not None:
            if slot.replay_error is not None:
                continue
            try:
                self._persist(slot, chunk)
            except Exception as exc:
                slot.replay_error = error_message(exc)
                slot.log.stop_reason = slot.replay_error
                _LOG.error(
                    f"Scrape failed for plugin {slot.loaded.id}",
                    exc_info=exc,
                    extra={"meta": {"error": slot.replay_error}},
                )
                self._failed(slot)

    def _persist(self, slot: _Slot, chunk: list[Any]) -> None:
        from leaderboard.datarepo.atomic import write_if_changed

        assert slot.replay is not None
        index = getattr(slot.loaded, "index", 0)
        savepoint = Savepoint(self.db, f"plugin_{index}", slot.replay.settle)
        savepoint.open()
        try:
            for entry in chunk:
                kind = entry[0]
                if kind == "sql":
                    self.db.execute(entry[1], entry[2])
                elif kind == "many":
                    self.db.executemany(entry[1], entry[2])
                elif kind == "record":
                    slot.replay.apply(entry[1], entry[2])
                elif kind == "records":
                    slot.replay.apply_many(entry[1])
                else:
                    write_if_changed(entry[1], entry[2])
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.release()

    def _result(self, slot: _Slot) -> HookResult:
        plugin_id = slot.loaded.id
        error = error_message(slot.error) if slot.error is not None else slot.replay_error
        if slot.direct:
            assert slot.savepoint is not None and slot.ctx is not None
            checkpoints = slot.savepoint.checkpoints
            counts = slot.sink.counts if isinstance(slot.sink, RecordWriter) else None
        else:
            checkpoints = slot.log.checkpoints
            counts = slot.replay.counts if slot.replay is not None else None
        result = HookResult(
            plugin_id,
            "scrape",
            "failed" if error is not None else "ok",
            slot.duration,
            error,
            rolled_back_to_checkpoint=error is not None and checkpoints > 0,
            checkpoints=checkpoints,
            requests=slot.requests,
        )
        if counts is not None and error is None:
            result.activities_inserted = counts.activities_inserted
            result.activities_updated = counts.activities_updated
            result.contributors_created = counts.contributors_created
            result.definitions_created = counts.definitions_created
        return result


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _in_thread(loop: asyncio.AbstractEventLoop, call: Callable[[], Any]) -> asyncio.Future[Any]:
    """Run `call` in a daemon thread: an interrupted run (Ctrl-C) exits at once instead of
    waiting at interpreter exit for a plugin that may scrape for another hour."""
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def body() -> None:
        try:
            result = call()
        except BaseException as exc:
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(target=body, name="scrape", daemon=True).start()
    return future


async def _drive(
    fn: Callable[[PluginContext], Any],
    ctx: PluginContext,
    sink: RecordSink,
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Async hooks run on the shared loop; sync hooks in a worker thread. What a sync hook
    returns that needs the loop (an awaitable, an async iterable) is consumed back on the loop."""
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        await consume_async(fn(ctx), sink)
        return

    def call() -> Any:
        value = fn(ctx)
        if inspect.isawaitable(value) or hasattr(value, "__aiter__"):
            return value
        consume_sync(value, sink)
        return None

    pending = await _in_thread(loop, call)
    if pending is not None:
        await consume_async(pending, sink)


def run_scrape(
    db: Database,
    targets: list[LoadedPlugin],
    make_context: Callable[[LoadedPlugin, Database], PluginContext],
    *,
    concurrency: int,
    fail_fast: bool = False,
) -> list[tuple[LoadedPlugin, HookResult]]:
    """Run the `scrape` hooks of `targets` (config order) and return `(loaded, result)` in config
    order. Under --fail-fast the list ends at the first failed plugin."""
    slots = [_Slot(i, loaded, direct=(i == 0)) for i, loaded in enumerate(targets)]
    scheduler = _Scheduler(
        db, slots, make_context, concurrency=max(1, concurrency), fail_fast=fail_fast
    )
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(scheduler.run())
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return [(slots[i].loaded, scheduler.results[i]) for i in sorted(scheduler.results)]
