"""CORE-11/26/27: savepoints, checkpoints, sync and async hooks, returned records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from leaderboard.db import Database
from leaderboard.models import Activity, ActivityDefinition, Contributor
from leaderboard.plugins.hooks import run_hook
from leaderboard.testing import make_context, memory_db

DEF = ActivityDefinition("pr_opened", "PR Opened", "Opened a pull request", 5, "git-pull-request")
ALICE = Contributor("alice", "contributor", name="Alice")


def loaded(plugin_id: str, index: int = 1, **hooks: Any) -> SimpleNamespace:
    plugin = SimpleNamespace(name=plugin_id, version="1", scrape=lambda ctx: None)
    for key, value in hooks.items():
        setattr(plugin, key, value)
    return SimpleNamespace(id=plugin_id, index=index, plugin=plugin)


def activity(n: int, **kw: Any) -> Activity:
    fields: dict[str, Any] = {
        "slug": f"a{n}",
        "contributor": "alice",
        "activity_definition": "pr_opened",
        "occurred_at": f"2025-01-0{n}T10:00:00Z",
    }
    fields.update(kw)
    return Activity(**fields)


def count(db: Database, table: str) -> int:
    return int(db.scalar(f"SELECT COUNT(*) FROM {table}"))


def test_failed_scrape_rolls_back_and_next_plugin_runs() -> None:
    db = memory_db()

    def bad(ctx: Any) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('bob', 'x')")
        raise RuntimeError("api down")

    r1 = run_hook(db, loaded("bad", 1, scrape=bad), "scrape", make_context("bad", db=db))
    r2 = run_hook(
        db, loaded("good", 2, scrape=lambda ctx: [ALICE]), "scrape", make_context("good", db=db)
    )
    assert (r1.status, r1.error, r1.rolled_back_to_checkpoint) == ("failed", "api down", False)
    assert (r2.status, r2.contributors_created) == ("ok", 1)
    assert [r["username"] for r in db.query("SELECT username FROM contributor")] == ["alice"]
    assert not db.in_transaction


def test_checkpoint_keeps_earlier_work() -> None:
    db = memory_db()

    def scrape(ctx: Any) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('kept', 'x')")
        ctx.checkpoint()
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('lost', 'x')")
        raise ValueError("second repository failed")

    result = run_hook(db, loaded("p", scrape=scrape), "scrape", make_context("p", db=db))
    assert (
        result.status == "failed" and result.rolled_back_to_checkpoint and result.checkpoints == 1
    )
    assert [r["username"] for r in db.query("SELECT username FROM contributor")] == ["kept"]


def test_records_persisted_in_order_with_counts() -> None:
    db = memory_db()
    records = [ALICE, DEF, activity(1), {"kind": "activity", **_dict(activity(2))}]
    first = run_hook(
        db, loaded("p", scrape=lambda ctx: records), "scrape", make_context("p", db=db)
    )
    assert (first.contributors_created, first.activities_inserted, first.activities_updated) == (
        1,
        2,
        0,
    )
    changed = [ALICE, DEF, activity(1, title="new"), activity(2)]
    again = run_hook(
        db, loaded("p", scrape=lambda ctx: changed), "scrape", make_context("p", db=db)
    )
    assert (again.contributors_created, again.activities_inserted, again.activities_updated) == (
        0,
        0,
        1,
    )
    assert (
        db.scalar("SELECT occurred_at FROM activity WHERE slug='a1'") == "2025-01-01T10:00:00.000Z"
    )


def _dict(a: Activity) -> dict[str, Any]:
    from leaderboard.models import as_dict

    return as_dict(a)


def test_existing_contributor_is_not_overwritten() -> None:
    db = memory_db()
    db.execute(
        "INSERT INTO contributor(username, role, name) VALUES('Alice', 'maintainer', 'Real')"
    )
    run_hook(
        db,
        loaded("p", scrape=lambda ctx: [ALICE, DEF, activity(1)]),
        "scrape",
        make_context("p", db=db),
    )
    assert db.query_one("SELECT username, role, name FROM contributor") == {
        "username": "Alice",
        "role": "maintainer",
        "name": "Real",
    }
    assert db.scalar("SELECT contributor FROM activity") == "Alice"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (activity(1, occurred_at="yesterday"), "activity a1: occurred_at must be a timestamp"),
        (activity(1, contributor="nobody"), "activity a1: unknown contributor 'nobody'"),
        (activity(1, activity_definition="zzz"), "activity a1: unknown activity definition 'zzz'"),
        ({"kind": "badge", "slug": "x"}, "has no valid 'kind'"),
        (Contributor("a/b", "x"), "contributor 'a/b': username must not contain '/'"),
    ],
)
def test_invalid_record_fails_hook_with_its_message(record: Any, message: str) -> None:
    db = memory_db()
    result = run_hook(
        db, loaded("p", scrape=lambda ctx: [ALICE, DEF, record]), "scrape", make_context("p", db=db)
    )
    assert result.status == "failed" and message in (result.error or "")
    assert count(db, "contributor") == 0


def test_returning_a_single_dict_is_an_error() -> None:
    db = memory_db()
    result = run_hook(
        db,
        loaded("p", scrape=lambda ctx: {"kind": "contributor"}),
        "scrape",
        make_context("p", db=db),
    )
    assert result.status == "failed" and "iterable of records" in (result.error or "")


def test_async_hook_and_async_iterable_records() -> None:
    db = memory_db()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async def setup(ctx: Any) -> None:
        await ctx.async_sleep(2.5)
        ctx.db.execute(
            "INSERT INTO activity_definition(slug, name, description) VALUES('x', 'X', 'x')"
        )

    async def records(ctx: Any) -> AsyncIterator[Any]:
        yield ALICE
        await asyncio.sleep(0)
        yield DEF
        yield activity(1)

    ctx = make_context("p", db=db, async_sleep=fake_sleep)
    assert run_hook(db, loaded("p", setup=setup), "setup", ctx).status == "ok"
    assert slept == [2.5]
    result = run_hook(db, loaded("p", scrape=records), "scrape", make_context("p", db=db))
    assert (result.status, result.activities_inserted) == ("ok", 1)


def test_coroutine_returning_records_and_sync_returning_awaitable() -> None:
    db = memory_db()

    async def scrape(ctx: Any) -> list[Any]:
        return [ALICE]

    def setup(ctx: Any) -> Any:
        async def later() -> None:
            ctx.db.execute("INSERT INTO contributor(username, role) VALUES('zed', 'x')")

        return later()

    assert (
        run_hook(
            db, loaded("p", scrape=scrape), "scrape", make_context("p", db=db)
        ).contributors_created
        == 1
    )
    assert run_hook(db, loaded("p", setup=setup), "setup", make_context("p", db=db)).status == "ok"
    assert count(db, "contributor") == 2


def test_async_failure_rolls_back() -> None:
    db = memory_db()

    async def scrape(ctx: Any) -> None:
        ctx.db.execute("INSERT INTO contributor(username, role) VALUES('temp', 'x')")
        raise RuntimeError("async boom")

    result = run_hook(db, loaded("p", scrape=scrape), "scrape", make_context("p", db=db))
    assert result.error == "async boom" and count(db, "contributor") == 0


def test_missing_optional_hook_is_skipped_and_unknown_hook_rejected() -> None:
    db = memory_db()
    assert run_hook(db, loaded("p"), "aggregate", make_context("p", db=db)).status == "skipped"
    with pytest.raises(ValueError, match="unknown hook 'scrap'"):
        run_hook(db, loaded("p"), "scrap", make_context("p", db=db))


def test_failure_is_logged_with_phase_and_error(caplog: pytest.LogCaptureFixture) -> None:
    db = memory_db()

    def scrape(ctx: Any) -> None:
        raise RuntimeError("nope")

    with caplog.at_level("ERROR", logger="leaderboard.plugins"):
        run_hook(db, loaded("gh", scrape=scrape), "scrape", make_context("gh", db=db))
    [record] = [r for r in caplog.records if r.name == "leaderboard.plugins"]
    assert record.getMessage() == "Scrape failed for plugin gh"
    assert record.meta == {"error": "nope"}  # type: ignore[attr-defined]
