"""Streamable HTTP sessions (ECO-04: issued on `initialize`, accepted, never required).

The ASGI app in process (httpx's ASGI transport, the app's own lifespan): a live session id is
served by its SDK session; no id, an unknown or ended id, or no room for another session are
served statelessly and never answered "session not found".
"""

from __future__ import annotations

import re
from typing import Any

import anyio
import httpx
from mcpfixture import running

from leaderboard.mcp.http import McpHttpApp
from leaderboard.mcp.server import build_server
from leaderboard.mcp.source import ServedDatabase

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "1"},
    },
}
LISTING = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
HEADERS = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}


def _app(served: ServedDatabase, **kwargs: Any) -> McpHttpApp:
    return McpHttpApp(build_server(served), path="/mcp", loopback=True, token=None, **kwargs)


async def _tools(client: httpx.AsyncClient, **headers: str) -> int:
    r = await client.post("/mcp", json=LISTING, headers={**HEADERS, **headers})
    assert r.status_code == 200, r.text
    return len(r.json()["result"]["tools"])


def test_a_live_session_serves_its_requests_and_any_other_id_is_served_statelessly(
    served: ServedDatabase,
) -> None:
    async def go() -> None:
        async with running(_app(served)) as (client, stateless):
            r = await client.post("/mcp", json=INIT, headers=HEADERS)
            assert r.status_code == 200 and r.json()["result"]["serverInfo"]["name"]
            session = r.headers["mcp-session-id"]
            assert re.fullmatch(r"[0-9a-f]{32}", session)
            note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            r = await client.post("/mcp", json=note, headers={**HEADERS, "mcp-session-id": session})
            assert r.status_code == 202
            assert await _tools(client, **{"mcp-session-id": session}) == 21
            assert stateless == []  # all three answered by the session
            assert await _tools(client) == 21  # no id
            assert await _tools(client, **{"mcp-session-id": "0" * 32}) == 21  # unknown id
            assert stateless == ["tools/list", "tools/list"]
            r = await client.delete("/mcp", headers={"mcp-session-id": session})
            assert r.status_code == 204
            assert await _tools(client, **{"mcp-session-id": session}) == 21  # ended: stateless
            assert len(stateless) == 3
            r = await client.delete("/mcp", headers={"mcp-session-id": session})
            assert r.status_code == 204  # unknown now, still 204

    anyio.run(go)


def test_past_the_session_limit_initialize_is_answered_statelessly(
    served: ServedDatabase,
) -> None:
    async def go() -> None:
        async with running(_app(served, max_sessions=1)) as (client, stateless):
            first = await client.post("/mcp", json=INIT, headers=HEADERS)
            second = await client.post("/mcp", json=INIT, headers=HEADERS)
            assert first.status_code == second.status_code == 200
            assert stateless == ["initialize"]  # the second: no room for another session
            ids = [first.headers["mcp-session-id"], second.headers["mcp-session-id"]]
            assert len(set(ids)) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
            for session in ids:
                assert await _tools(client, **{"mcp-session-id": session}) == 21
            assert stateless == ["initialize", "tools/list"]  # only our own id was stateless

    anyio.run(go)
