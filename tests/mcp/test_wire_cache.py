"""The wire-form answer cache (`WireCache`, the SDK middleware in front of cached tools).

Driven through the SDK's own client against the real low-level server in process, so the
runner's middleware chain, validation and serialisation are the ones every transport uses.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from leaderboard.mcp import server as mcp_server
from leaderboard.mcp.server import ResultCache, build_server
from leaderboard.mcp.source import ServedDatabase


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call that reaches the tool code (past both caches' fast paths)."""
    seen: list[str] = []
    real = mcp_server.call_tool

    def counted(served: ServedDatabase, cache: ResultCache, name: str, arguments: Any) -> Any:
        seen.append(name)
        return real(served, cache, name, arguments)

    monkeypatch.setattr(mcp_server, "call_tool", counted)
    return seen


def _calls(served: ServedDatabase, cache: ResultCache, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:  # fmt: skip
    """Each call's result, through the SDK's client and the real low-level server."""

    async def go() -> list[Any]:
        results = []
        async with Client(build_server(served, cache), mode="legacy") as client:
            for name, args in calls:
                results.append(await client.call_tool(name, args))
        return results

    return anyio.run(go)


def _object_hits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every answer taken from the result-object form (not the wire form)."""
    hits: list[str] = []
    real = ResultCache.get

    def get(self: ResultCache, key: str) -> Any:
        found = real(self, key)
        if found is not None:
            hits.append(key)
        return found

    monkeypatch.setattr(ResultCache, "get", get)
    return hits


def test_a_repeated_cached_call_is_answered_from_the_wire_cache(
    served: ServedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _counting(monkeypatch)
    object_hits = _object_hits(monkeypatch)
    first, again, other = _calls(
        served,
        ResultCache(),
        [
            ("get_leaderboard", {"period": "month", "limit": 5}),
            ("get_leaderboard", {"limit": 5, "period": "month"}),  # same call, other key order
            ("get_leaderboard", {"period": "year", "limit": 5}),
        ],
    )
    assert seen == ["get_leaderboard", "get_leaderboard"]  # the repeat never reached the tool
    assert object_hits == []  # nor the result object: its wire form answered
    assert again.model_dump() == first.model_dump()
    assert not again.is_error and again.structured_content["filters"]["period"] == "month"
    assert other.structured_content["filters"]["period"] == "year"


def test_errors_and_uncached_tools_always_run(
    served: ServedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _counting(monkeypatch)
    results = _calls(
        served,
        ResultCache(),
        [
            ("get_contributor_stats", {"username": "nobody-by-this-name"}),
            ("get_contributor_stats", {"username": "nobody-by-this-name"}),
            ("get_activity_definitions", {}),
            ("get_activity_definitions", {}),
        ],
    )
    assert seen == [
        "get_contributor_stats",
        "get_contributor_stats",
        "get_activity_definitions",
        "get_activity_definitions",
    ]
    assert results[0].is_error and results[1].is_error
    assert results[2].model_dump() == results[3].model_dump()


def test_no_shortcut_when_the_source_is_due_for_a_check(
    served: ServedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _counting(monkeypatch)
    monkeypatch.setattr(ServedDatabase, "refresh_due", lambda self: True)
    _calls(served, ResultCache(), [("get_leaderboard", {"period": "week"})] * 2)
    assert seen == ["get_leaderboard", "get_leaderboard"]  # each call went past both caches


def test_the_cache_is_bounded(served: ServedDatabase) -> None:
    cache = ResultCache(size=2)
    periods = ("week", "month", "year", "all-time")
    _calls(served, cache, [("get_leaderboard", {"period": p, "limit": 1}) for p in periods])
    assert len(cache) == 2


def test_a_question_answered_from_its_wire_form_stays_cached_behind_one_off_questions(
    served: ServedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One LRU for both forms: the busy leaderboard, answered only from its wire form, is still
    cached when the 10-s source check sends a call past the wire cache (with two LRUs it aged
    out behind a stream of one-off statistics and was recomputed: 6.8 s at 10× under load)."""
    db = served.connect()
    try:
        people = [r["username"] for r in db.query("SELECT username FROM contributor LIMIT 6")]
    finally:
        db.close()
    assert len(people) == 6
    ran: list[str] = []
    real = mcp_server._run
    monkeypatch.setattr(
        mcp_server, "_run", lambda s, tool, args: ran.append(tool.name) or real(s, tool, args)
    )
    busy = ("get_leaderboard", {"period": "all-time", "limit": 3})
    calls = [busy]
    for name in people:
        calls += [busy, ("get_contributor_stats", {"username": name})]
    cache = ResultCache(size=3)
    _calls(served, cache, calls)
    assert ran.count("get_leaderboard") == 1 and ran.count("get_contributor_stats") == 6
    seen = _counting(monkeypatch)
    monkeypatch.setattr(ServedDatabase, "refresh_due", lambda self: True)
    _calls(served, cache, [busy])
    assert seen == ["get_leaderboard"]  # past both caches' shortcuts, as when a check is due
    assert ran.count("get_leaderboard") == 1  # and still answered from the cache


def test_tool_calls_are_computed_at_most_tool_threads_at_a_time(
    served: ServedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six concurrent uncached calls: each waits (at most 0.2 s) for a third to be in flight,
    which only happens if more than `TOOL_THREADS` (2) run at once."""
    import threading

    lock = threading.Lock()
    crowded = threading.Event()
    in_flight = [0, 0]  # now, most
    real = mcp_server._run

    def counted(s: ServedDatabase, tool: Any, args: dict[str, Any]) -> Any:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
            if in_flight[0] > mcp_server.TOOL_THREADS:
                crowded.set()
        crowded.wait(0.2)
        try:
            return real(s, tool, args)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(mcp_server, "_run", counted)

    async def go() -> None:
        async with (
            Client(build_server(served), mode="legacy") as client,
            anyio.create_task_group() as tg,
        ):
            for _ in range(6):
                tg.start_soon(client.call_tool, "get_activity_definitions", {})

    anyio.run(go)
    assert mcp_server.TOOL_THREADS == 2
    assert not crowded.is_set() and 1 <= in_flight[1] <= 2
