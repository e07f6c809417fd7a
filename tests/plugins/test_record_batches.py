"""CORE-26: records persisted in bulk (a returned list, a yielded `RecordBatch`) end exactly as
records persisted one by one: same rows, same rowid order, same counts, same errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from leaderboard.db import Database
from leaderboard.plugins import RecordBatch
from leaderboard.plugins.api import Activity, ActivityDefinition, Contributor
from leaderboard.plugins.hooks import HookResult, run_hook
from leaderboard.testing import make_context, memory_db

DEF = ActivityDefinition("note", "Note", "Wrote a note", 2, None)


def _loaded(scrape: Callable[[Any], Any]) -> SimpleNamespace:
    plugin = SimpleNamespace(name="p", version="1", scrape=scrape)
    return SimpleNamespace(id="p", index=1, plugin=plugin)


def _act(slug: str, who: str = "ann", title: str = "t", **kw: Any) -> dict[str, Any]:
    return {
        "kind": "activity",
        "slug": slug,
        "contributor": who,
        "activity_definition": "note",
        "occurred_at": "2025-03-01T10:00:00Z",
        "title": title,
        **kw,
    }


def _records() -> list[Any]:
    """Every case the bulk path must treat as one-by-one would: new rows, a slug repeated with a
    change (insert, then update) and without (skipped), rows already stored (changed or not),
    a contributor introduced between activities, dataclasses beside dicts, extras, case."""
    return [
        Contributor("ann", "contributor"),
        DEF,
        _act("n1"),
        _act("n2", meta={"k": [1, 2]}),
        _act("n1", title="again"),
        _act("n1", title="again"),
        _act("old-same", title="kept"),
        _act("old-changed", title="new title"),
        Contributor("Bob", "contributor"),
        _act("n3", who="bob", custom="moved to extra"),
        Activity("n4", "ANN", "note", "2025-03-02T12:00:00+02:00", points=5),
        _act("n2", meta={"k": [1, 2]}),
    ]


def _seeded() -> Database:
    db = memory_db()
    db.execute("INSERT INTO contributor(username, role) VALUES('ann', 'contributor')")
    db.execute("INSERT INTO activity_definition(slug, name, description) VALUES('note', 'N', 'n')")
    for slug, title in (("old-same", "kept"), ("old-changed", "old title")):
        db.execute(
            "INSERT INTO activity(slug, contributor, activity_definition, title, occurred_at) "
            "VALUES(?, 'ann', 'note', ?, '2025-03-01T10:00:00.000Z')",
            (slug, title),
        )
    return db


def _run(scrape: Callable[[Any], Any]) -> tuple[HookResult, list[tuple[Any, ...]]]:
    db = _seeded()
    result = run_hook(db, _loaded(scrape), "scrape", make_context("p", db=db))
    rows = list(db.conn.execute("SELECT rowid, * FROM activity ORDER BY rowid"))
    rows += list(db.conn.execute("SELECT rowid, * FROM contributor ORDER BY rowid"))
    return result, rows


def _counts(result: HookResult) -> tuple[str, int, int, int, int]:
    return (
        result.status,
        result.activities_inserted,
        result.activities_updated,
        result.contributors_created,
        result.definitions_created,
    )


def _one_by_one(ctx: Any) -> Iterator[Any]:
    yield from _records()


async def _async_batches(ctx: Any) -> AsyncIterator[Any]:
    records = _records()
    yield RecordBatch(records[:5])
    yield records[5]
    yield RecordBatch(records[6:])


@pytest.mark.parametrize(
    "scrape",
    [
        lambda ctx: _records(),  # a returned list goes in bulk
        lambda ctx: tuple(_records()),
        lambda ctx: iter([RecordBatch(_records())]),
        lambda ctx: iter(
            [
                RecordBatch(_records()[:4]),
                *_records()[4:8],
                RecordBatch(),
                RecordBatch(_records()[8:]),
            ]
        ),
        lambda ctx: [RecordBatch(_records()[:3]), *_records()[3:]],
        _async_batches,
    ],
    ids=["list", "tuple", "one-batch", "mixed", "batch-in-list", "async"],
)
def test_bulk_paths_end_exactly_as_one_by_one(scrape: Callable[[Any], Any]) -> None:
    expected_result, expected_rows = _run(_one_by_one)
    assert _counts(expected_result) == ("ok", 4, 2, 1, 0)  # n1-n4; n1 again, old-changed
    result, rows = _run(scrape)
    assert _counts(result) == _counts(expected_result)
    assert rows == expected_rows


def test_a_batch_is_stored_before_the_hook_goes_on() -> None:
    seen: list[int] = []

    def scrape(ctx: Any) -> Iterator[Any]:
        yield RecordBatch([Contributor("ann", "contributor"), DEF])
        yield RecordBatch(_act(f"a{i}") for i in range(3))
        seen.append(int(ctx.db.scalar("SELECT COUNT(*) FROM activity")))

    db = memory_db()
    result = run_hook(db, _loaded(scrape), "scrape", make_context("p", db=db))
    assert (result.status, result.activities_inserted, seen) == ("ok", 3, [3])


def test_more_activities_than_one_lookup_holds() -> None:
    many = [_act(f"a{i:04d}", title=str(i)) for i in range(1203)]

    def scrape(ctx: Any) -> list[Any]:
        return [Contributor("ann", "contributor"), DEF, *many, *many[:700]]

    db = memory_db()
    first = run_hook(db, _loaded(scrape), "scrape", make_context("p", db=db))
    assert (first.activities_inserted, first.activities_updated) == (1203, 0)
    many[5]["title"] = "changed"
    again = run_hook(db, _loaded(scrape), "scrape", make_context("p", db=db))
    assert (again.activities_inserted, again.activities_updated) == (0, 1)
    assert db.scalar("SELECT title FROM activity WHERE slug = 'a0005'") == "changed"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (_act("x1", who="nobody"), "activity x1: unknown contributor 'nobody'"),
        (_act("x2", activity_definition="zzz"), "activity x2: unknown activity definition 'zzz'"),
        (_act("x3", occurred_at="soon"), "activity x3: occurred_at must be a timestamp"),
        (_act("x4", points=True), "activity x4: points must be an integer or null"),
        (_act("x5", title=3), "activity x5: title must be a string or null"),
        ({"kind": "nope"}, "has no valid 'kind'"),
    ],
)
def test_an_invalid_record_in_a_batch_fails_the_hook_naming_it(
    bad: dict[str, Any], message: str
) -> None:
    def scrape(ctx: Any) -> Iterator[Any]:
        yield RecordBatch([Contributor("ann", "contributor"), DEF, _act("ok1"), bad])

    db = memory_db()
    result = run_hook(db, _loaded(scrape), "scrape", make_context("p", db=db))
    assert result.status == "failed" and message in (result.error or "")
    assert db.scalar("SELECT COUNT(*) FROM activity") == 0
