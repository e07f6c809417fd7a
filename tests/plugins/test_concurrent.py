"""CORE-25/27: scrape hooks side by side, staged per plugin, persisted in config order."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from leaderboard.db import Database
from leaderboard.models import Activity, ActivityDefinition, Contributor
from leaderboard.plugins.concurrent import run_scrape
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.context_factory import build_context
from leaderboard.plugins.http import HttpFactory
from leaderboard.testing import DEFAULT_NOW, RecordingTransport, make_config

DEF = ActivityDefinition("commit", "Commit", "Pushed a commit", 1, None)


def _loaded(index: int, plugin_id: str, scrape: Callable[..., Any], http: HttpFactory) -> Any:
    plugin = SimpleNamespace(name=plugin_id, version="1", scrape=scrape)
    return SimpleNamespace(id=plugin_id, index=index, plugin=plugin, http=http)


class Harness:
    """A real working DB file and a context factory like the pipeline's."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = Database.open(tmp / "work.db")
        self.transport = RecordingTransport(lambda request: httpx.Response(200, json={}))
        self.http = HttpFactory(transport=self.transport)
        self.config = make_config()

    def make_context(self, loaded: Any, handle: Database) -> PluginContext:
        return build_context(
            loaded,
            db=handle,
            config=self.config,
            now=DEFAULT_NOW,
            data_dir=self.tmp,
            cache_dir=self.tmp / ".cache",
            http=self.http,
        )

    def run(self, hooks: dict[str, Callable[..., Any]], **kw: Any) -> dict[str, Any]:
        targets = [_loaded(i + 1, pid, fn, self.http) for i, (pid, fn) in enumerate(hooks.items())]
        results = run_scrape(self.db, targets, self.make_context, **kw)
        return {loaded.id: result for loaded, result in results}

    def usernames(self) -> list[str]:
        return [r[0] for r in self.db.conn.execute("SELECT username FROM contributor ORDER BY 1")]

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        tables = [
            r[0]
            for r in self.db.conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name != '_run' ORDER BY name"
            )
        ]
        # Table-scan order: rowid order, so insertion order counts, as in the file.
        return {t: list(self.db.conn.execute(f'SELECT * FROM "{t}"')) for t in tables}


def _person(name: str) -> Contributor:
    return Contributor(name, "contributor", name=name.title())


def _activities(owner: str, n: int) -> list[Activity]:
    return [
        Activity(f"{owner}-{i}", owner, "commit", f"2025-01-{i + 1:02d}T10:00:00Z", title=f"#{i}")
        for i in range(n)
    ]


def test_later_plugin_finishing_first_is_persisted_after_the_earlier_one(tmp_path: Path) -> None:
    order: list[str] = []
    gate = threading.Event()

    def slow(ctx: PluginContext) -> list[Any]:
        gate.wait(10)  # released only once the fast plugin has ended
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('slow-first', 'x')")
        order.append("slow")
        return [DEF, _person("shared"), *_activities("shared", 2)]

    async def fast(ctx: PluginContext) -> AsyncIterator[Any]:
        yield DEF
        yield _person("shared")  # exists after `slow` is persisted: ignored, as sequentially
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('fast-second', 'x')")
        for a in _activities("shared", 3):
            yield Activity(a.slug, a.contributor, a.activity_definition, a.occurred_at, "fast")
        order.append("fast")
        gate.set()

    h = Harness(tmp_path)
    results = h.run({"slow": slow, "fast": fast}, concurrency=2)
    assert order == ["fast", "slow"]  # fast really ended first
    staged = Harness(tmp_path / "seq")
    (tmp_path / "seq").mkdir(exist_ok=True)
    gate.set()
    sequential = staged.run({"slow": slow, "fast": fast}, concurrency=1)
    assert h.dump() == staged.dump()
    # slow's rows came first (rowids), then fast's: fast overwrote shared-0/1 titles.
    assert h.usernames() == ["fast-second", "shared", "slow-first"]
    assert [r["status"] for r in map(vars, results.values())] == ["ok", "ok"]
    assert (results["fast"].activities_inserted, results["fast"].activities_updated) == (1, 2)
    assert (sequential["fast"].activities_inserted, sequential["fast"].activities_updated) == (1, 2)


def test_hooks_really_overlap_and_concurrency_one_does_not(tmp_path: Path) -> None:
    barrier = threading.Barrier(2, timeout=10)
    running = [0, 0]  # now, max
    lock = threading.Lock()

    def hook(ctx: PluginContext) -> None:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        try:
            barrier.wait()  # both must be inside their hook at the same time
        finally:
            with lock:
                running[0] -= 1

    results = Harness(tmp_path).run({"a": hook, "b": hook}, concurrency=2)
    assert [r.status for r in results.values()] == ["ok", "ok"] and running[1] == 2

    running[1] = 0
    order: list[str] = []

    def seq(name: str) -> Callable[[PluginContext], None]:
        def hook(ctx: PluginContext) -> None:
            with lock:
                running[0] += 1
                running[1] = max(running[1], running[0])
            order.append(name)
            with lock:
                running[0] -= 1

        return hook

    (tmp_path / "one").mkdir()
    Harness(tmp_path / "one").run({"c": seq("c"), "a": seq("a"), "b": seq("b")}, concurrency=1)
    assert running[1] == 1 and order == ["c", "a", "b"]


def test_staged_reads_see_the_snapshot_plus_own_writes(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}
    first_done = threading.Event()

    def first(ctx: PluginContext) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('from-first', 'x')")
        ctx.checkpoint()  # committed to the working DB now
        first_done.set()

    def second(ctx: PluginContext) -> None:
        first_done.wait(10)
        ctx.identities.resolve_or_create(
            "github", "newbie", username="newbie", defaults={"role": "contributor"}
        )
        seen["users"] = [r["username"] for r in ctx.db.query("SELECT username FROM contributor")]
        seen["resolved"] = ctx.identities.resolve("github", "newbie")

    h = Harness(tmp_path)
    h.db.execute("INSERT INTO contributor(username, role) VALUES('before', 'x')")
    h.run({"first": first, "second": second}, concurrency=2)
    assert sorted(seen["users"]) == ["before", "newbie"]  # not from-first
    assert seen["resolved"] == "newbie"
    assert h.usernames() == ["before", "from-first", "newbie"]
    assert (
        h.db.scalar(
            "SELECT contributor FROM contributor_identity WHERE namespace='github' AND value='newbie'"
        )
        == "newbie"
    )


def test_failing_plugin_rolls_back_only_its_work_since_its_checkpoint(tmp_path: Path) -> None:
    def good(ctx: PluginContext) -> list[Any]:
        time.sleep(0.05)
        return [DEF, _person("good-user")]

    def flaky(ctx: PluginContext) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('repo-1', 'x')")
        ctx.checkpoint()
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('repo-2', 'x')")
        raise RuntimeError("repository 2: 502 Bad Gateway")

    def after(ctx: PluginContext) -> list[Any]:
        return [_person("after-user")]

    h = Harness(tmp_path)
    results = h.run({"good": good, "flaky": flaky, "after": after}, concurrency=3)
    assert h.usernames() == ["after-user", "good-user", "repo-1"]
    failed = results["flaky"]
    assert (failed.status, failed.error, failed.rolled_back_to_checkpoint) == (
        "failed",
        "repository 2: 502 Bad Gateway",
        True,
    )
    assert results["good"].status == results["after"].status == "ok"
    assert not h.db.in_transaction


def test_fail_fast_keeps_earlier_plugins_and_discards_later_ones(tmp_path: Path) -> None:
    later_started = threading.Event()
    release = threading.Event()

    def earlier(ctx: PluginContext) -> list[Any]:
        later_started.wait(10)  # the later plugin runs while this one and `bad` do
        release.wait(10)
        return [_person("earlier")]

    def bad(ctx: PluginContext) -> None:
        later_started.wait(10)
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('bad', 'x')")
        release.set()  # `earlier` ends after this failure, and is still persisted
        raise RuntimeError("boom")

    async def later(ctx: PluginContext) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('later', 'x')")
        later_started.set()
        while True:  # cancelled by the runner once `bad` has failed
            await asyncio.sleep(0.01)

    h = Harness(tmp_path)
    results = h.run({"earlier": earlier, "bad": bad, "later": later}, concurrency=3, fail_fast=True)
    assert list(results) == ["earlier", "bad"]
    assert (results["earlier"].status, results["bad"].status) == ("ok", "failed")
    assert h.usernames() == ["earlier"]


def test_requests_are_counted_per_plugin(tmp_path: Path) -> None:
    def sync_plugin(ctx: PluginContext) -> None:
        with ctx.http("http://127.0.0.1:9") as client:
            for _ in range(3):
                client.get("/x")

    async def async_plugin(ctx: PluginContext) -> None:
        async with ctx.async_http("http://127.0.0.1:9") as client:
            await asyncio.gather(*(client.get(f"/y{i}") for i in range(5)))

    results = Harness(tmp_path).run({"s": sync_plugin, "a": async_plugin}, concurrency=2)
    assert (results["s"].requests, results["a"].requests) == (3, 5)


def test_staged_file_write_waits_for_the_db_work_before_it(tmp_path: Path) -> None:
    wrote = threading.Event()
    observed: dict[str, Any] = {}

    def first(ctx: PluginContext) -> None:
        wrote.wait(10)
        observed["file_during_first"] = (tmp_path / "progress.json").exists()

    def second(ctx: PluginContext) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('repo-done', 'x')")
        ctx.checkpoint()
        observed["changed"] = ctx.write_file("progress.json", '{"done": ["repo"]}')
        wrote.set()

    h = Harness(tmp_path)
    h.run({"first": first, "second": second}, concurrency=2)
    assert observed == {"file_during_first": False, "changed": True}
    assert (tmp_path / "progress.json").read_text() == '{"done": ["repo"]}'
    assert "repo-done" in h.usernames()


def test_transactions_in_staging(tmp_path: Path) -> None:
    errors: list[str] = []

    def first(ctx: PluginContext) -> None:
        pass

    def staged(ctx: PluginContext) -> None:
        with pytest.raises(ValueError), ctx.db.transaction():
            ctx.db.execute("INSERT INTO contributor(username, role) VALUES('undone', 'x')")
            raise ValueError("changed my mind")
        with ctx.db.transaction():
            ctx.db.execute("INSERT INTO contributor(username, role) VALUES('kept', 'x')")
        for sql in ("COMMIT", "SAVEPOINT x", "PRAGMA foreign_keys = OFF"):
            try:
                ctx.db.execute(sql)
            except Exception as exc:
                errors.append(str(exc))
        try:
            ctx.db.conn.executescript("DELETE FROM contributor")
        except Exception as exc:
            errors.append(str(exc))

    h = Harness(tmp_path)
    results = h.run({"first": first, "staged": staged}, concurrency=2)
    assert results["staged"].status == "ok"
    assert h.usernames() == ["kept"]
    assert len(errors) == 4
    assert "transaction control" in errors[0] and "SAVEPOINT" in errors[1]
    assert "PRAGMA foreign_keys" in errors[2] and "executescript" in errors[3]


def test_replay_failure_fails_the_plugin_and_keeps_earlier_chunks(tmp_path: Path) -> None:
    def first(ctx: PluginContext) -> list[Any]:
        return [_person("taken")]

    def second(ctx: PluginContext) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('mine', 'x')")
        ctx.checkpoint()
        # Fine in its snapshot, a UNIQUE violation once `first` is persisted before it.
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('taken', 'x')")

    h = Harness(tmp_path)
    results = h.run({"first": first, "second": second}, concurrency=2)
    assert results["second"].status == "failed"
    assert "UNIQUE constraint failed" in (results["second"].error or "")
    assert results["second"].rolled_back_to_checkpoint
    assert h.usernames() == ["mine", "taken"]
    assert h.db.scalar("SELECT role FROM contributor WHERE username='taken'") == "contributor"


def test_staged_record_batches_replay_like_sequential_records(tmp_path: Path) -> None:
    from leaderboard.plugins import RecordBatch

    def batched(ctx: PluginContext) -> Any:
        yield RecordBatch([DEF, _person("ann"), *_activities("ann", 3)])
        ctx.checkpoint()
        yield RecordBatch([*_activities("ann", 2), _person("bob"), *_activities("bob", 2)])

    def other(ctx: PluginContext) -> list[Any]:
        return [DEF, _person("cat"), *_activities("cat", 2)]

    (tmp_path / "seq").mkdir()
    h = Harness(tmp_path)
    staged = h.run({"other": other, "batched": batched}, concurrency=2)
    sequential_h = Harness(tmp_path / "seq")
    sequential = sequential_h.run({"other": other, "batched": batched}, concurrency=1)
    assert [r.status for r in staged.values()] == ["ok", "ok"]
    for name in ("other", "batched"):
        a, b = staged[name], sequential[name]
        assert (a.activities_inserted, a.contributors_created) == (
            b.activities_inserted,
            b.contributors_created,
        )
    assert staged["batched"].activities_inserted == 5
    assert h.dump() == sequential_h.dump()
