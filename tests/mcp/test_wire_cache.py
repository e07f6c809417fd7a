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
from leaderboard.mcp.server import ResultCache, WireCache, build_server
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
    """Each call's result, the object-level cache emptied after each so only the wire cache can
    answer a repeat without running the tool."""

    async def go() -> list[Any]:
        results = []
        async with Client(build_server(served, cache), mode="legacy") as client:
            for name, args in calls:
                results.append(await client.call_tool(name, args))
                cache._items.clear()
        return results

    return anyio.run(go)


def test_a_repeated_cached_call_is_answered_from_the_wire_cache(
    served: ServedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _counting(monkeypatch)
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
    wire = WireCache(served, size=2)
    server = build_server(served)
    server.middleware[:] = [wire]

    async def go() -> None:
        async with Client(server, mode="legacy") as client:
            for period in ("week", "month", "year", "all-time"):
                await client.call_tool("get_leaderboard", {"period": period, "limit": 1})

    anyio.run(go)
    assert len(wire._items) == 2
