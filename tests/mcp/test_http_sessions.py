"""Streamable HTTP sessions (ECO-04: issued on `initialize`, accepted, never required).

The ASGI app in process (httpx's ASGI transport, the app's own lifespan): a live session id is
served by its SDK session; no id, an unknown or ended id, or no room for another session are
served statelessly and never answered "session not found".
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

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


@asynccontextmanager
async def running(app: McpHttpApp) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """The app started through its ASGI lifespan; the list collects the JSON-RPC methods the
    stateless transport answered."""
    stateless: list[str] = []
    real = app.json_manager.handle_request

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        stateless.append(re.search(rb'"method":\s*"([^"]+)"', message["body"]).group(1).decode())  # type: ignore[union-attr]  # fmt: skip
        sent = False

        async def again() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return message
            return await receive()

        await real(scope, again, send)

    app.json_manager.handle_request = counted  # type: ignore[method-assign]
    to_app_send, to_app_receive = anyio.create_memory_object_stream[dict[str, Any]](4)
    from_app_send, from_app_receive = anyio.create_memory_object_stream[dict[str, Any]](4)
    async with anyio.create_task_group() as tg, to_app_send, from_app_receive:
        tg.start_soon(app, {"type": "lifespan"}, to_app_receive.receive, from_app_send.send)
        await to_app_send.send({"type": "lifespan.startup"})
        assert (await from_app_receive.receive())["type"] == "lifespan.startup.complete"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield client, stateless
        await to_app_send.send({"type": "lifespan.shutdown"})
        assert (await from_app_receive.receive())["type"] == "lifespan.shutdown.complete"


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
