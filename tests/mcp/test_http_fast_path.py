"""The HTTP fast path for repeated cached tool calls (`McpHttpApp._cached`, `WireCache.encoded`).

The ASGI app in process: a repeated call of a cached tool is answered from the stored response
JSON without reaching the SDK's session managers, with the bytes and headers the SDK sent for
the same request; anything the SDK might answer differently goes the normal way.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
from mcpfixture import running

from leaderboard.mcp.http import McpHttpApp
from leaderboard.mcp.server import build_server
from leaderboard.mcp.source import ServedDatabase

VERSION = "2025-06-18"
HEADERS = {"accept": "application/json, text/event-stream", "mcp-protocol-version": VERSION}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": VERSION,
        "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "1"},
    },
}
BOARD = {"name": "get_leaderboard", "arguments": {"period": "month", "limit": 3}}


def _app(served: ServedDatabase) -> tuple[McpHttpApp, list[str]]:
    """The app, and a list that records every request that reached an SDK session manager."""
    app = McpHttpApp(build_server(served), path="/mcp", loopback=True, token=None)
    reached: list[str] = []
    for manager in (app.session_manager, app.json_manager):
        real = manager.handle_request

        async def counted(scope: Any, receive: Any, send: Any, real: Any = real) -> None:
            reached.append(scope["path"])
            await real(scope, receive, send)

        manager.handle_request = counted  # type: ignore[method-assign]
    return app, reached


def _call(ident: int | str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "method": "tools/call", "params": params, **extra}


async def _session(client: httpx.AsyncClient, version: str = VERSION) -> str:
    init = {**INIT, "params": {**INIT["params"], "protocolVersion": version}}  # type: ignore[dict-item]
    r = await client.post("/mcp", json=init, headers={**HEADERS, "mcp-protocol-version": version})
    session = r.headers["mcp-session-id"]
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    headers = {**HEADERS, "mcp-protocol-version": version, "mcp-session-id": session}
    assert (await client.post("/mcp", json=note, headers=headers)).status_code == 202
    return session


async def _post(client: httpx.AsyncClient, message: Any, **headers: str) -> httpx.Response:
    body = json.dumps(message, ensure_ascii=False).encode()
    merged = {**HEADERS, "content-type": "application/json", **headers}
    return await client.post("/mcp", content=body, headers=merged)


def _same_answer(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == first.status_code == 200
    assert again.content == first.content  # byte for byte what the SDK sent
    assert {k: v for k, v in again.headers.items() if k != "content-length"} == {
        k: v for k, v in first.headers.items() if k != "content-length"
    }
    assert again.headers["content-length"] == str(len(again.content))


@pytest.mark.parametrize(
    "params",
    [
        BOARD,
        {"name": "get_contributor_ranking", "arguments": {"username": "maya611"}},
        {"name": "get_contributor_stats", "arguments": {"username": "maya611"}},
    ],
)
def test_a_repeated_cached_call_in_a_session_gets_the_sdks_own_answer_without_the_sdk(
    served: ServedDatabase, params: dict[str, Any]
) -> None:
    async def go() -> None:
        app, reached = _app(served)
        async with running(app) as (client, _):
            session = await _session(client)
            sent = len(reached)
            first = await _post(client, _call("é-7", params), **{"mcp-session-id": session})
            assert not first.json()["result"]["isError"]
            assert len(reached) == sent + 1  # the SDK answered and kept the wire form
            again = await _post(client, _call("é-7", params), **{"mcp-session-id": session})
            assert len(reached) == sent + 1  # the repeat never reached the SDK
            _same_answer(first, again)
            assert again.headers["mcp-session-id"] == session
            numbered = await _post(client, _call(12, params), **{"mcp-session-id": session})
            assert numbered.json() == {**first.json(), "id": 12}
            assert len(reached) == sent + 1

    anyio.run(go)


def test_a_repeated_stateless_call_gets_the_sdks_own_answer(served: ServedDatabase) -> None:
    async def go() -> None:
        app, reached = _app(served)
        async with running(app) as (client, stateless):
            first = await _post(client, _call(3, BOARD))
            again = await _post(client, _call(3, BOARD))
            assert stateless == ["tools/call"] and reached == ["/mcp"]
            _same_answer(first, again)
            assert "mcp-session-id" not in again.headers

    anyio.run(go)


def test_only_plain_repeats_the_sdk_would_answer_alike_take_the_fast_path(
    served: ServedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def go() -> None:
        app, reached = _app(served)
        async with running(app) as (client, _):
            await _post(client, _call(1, BOARD))  # cached, wire form for VERSION
            old = await _session(client, "2025-03-26")
            new = await _session(client)

            async def normal_way(message: Any, **headers: str) -> httpx.Response:
                before = len(reached)
                r = await _post(client, message, **headers)
                assert len(reached) == before + 1, (message, headers)
                return r

            # a session the SDK has not yet let call tools, then a version it did not negotiate
            await normal_way(_call(2, BOARD), **{"mcp-session-id": new})
            r = await normal_way(_call(2, BOARD), **{"mcp-session-id": old})
            assert not r.json()["result"]["isError"]
            await normal_way(_call(2, BOARD), **{"mcp-session-id": old, "mcp-protocol-version": VERSION})  # fmt: skip
            # no version header; an unknown one; anything but a plain single tools/call
            await normal_way(_call(2, BOARD), **{"mcp-protocol-version": ""})
            await normal_way(_call(2, BOARD), **{"mcp-protocol-version": "1999-01-01"})
            await normal_way(_call(2, {**BOARD, "_meta": {"progressToken": 1}}))
            await normal_way(_call(2, BOARD, extra=1))
            await normal_way([_call(2, BOARD)])
            await normal_way(_call(True, BOARD))
            await normal_way(_call(2.5, BOARD))
            # uncached tools and errors are always computed
            definitions = {"name": "get_activity_definitions", "arguments": {}}
            await normal_way(_call(2, definitions))
            await normal_way(_call(2, definitions))
            missing = {"name": "get_contributor_stats", "arguments": {"username": "nobody-x"}}
            await normal_way(_call(2, missing))
            r = await normal_way(_call(2, missing))
            assert r.json()["result"]["isError"]
            # the source is due for its check
            monkeypatch.setattr(ServedDatabase, "refresh_due", lambda self: True)
            await normal_way(_call(2, BOARD))
            monkeypatch.undo()
            before = len(reached)
            await _post(client, _call(2, BOARD), **{"mcp-session-id": new})
            await _post(client, _call(2, BOARD))
            assert len(reached) == before  # the plain repeats did take it

    anyio.run(go)
