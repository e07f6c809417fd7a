"""ECO-04 at the HTTP level: routes, status codes, sessions, Origin and bearer-token rules.

Raw HTTP (httpx) where the rule is about HTTP itself; the SDK client where it is about working
with a standard client (a token-protected server).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator

import anyio
import httpx
import pytest
from mcpfixture import NOW, Demo, ServerProcess, client, start_server

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
JSON_ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def test_health_and_unknown_paths(http_server: ServerProcess) -> None:
    r = httpx.get(http_server.url + "/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["version"]
    r = httpx.get(http_server.url + "/nothing/here")
    assert r.status_code == 404 and r.json() == {"error": "not found"}


def test_streamable_http_methods(http_server: ServerProcess) -> None:
    url = http_server.mcp_url
    r = httpx.post(url, json=INIT, headers=JSON_ACCEPT)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["mcp-session-id"])
    assert r.json()["result"]["serverInfo"]["name"] == "leaderboard-mcp"
    session = {"mcp-session-id": r.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert httpx.post(url, json=note, headers={**JSON_ACCEPT, **session}).status_code == 202
    # the session id is accepted but not required (stateless server)
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    for extra in (session, {"mcp-protocol-version": "2025-06-18"}):
        r = httpx.post(url, json=listing, headers={**JSON_ACCEPT, **extra})
        assert r.status_code == 200 and len(r.json()["result"]["tools"]) == 21
    assert httpx.get(url, headers={"accept": "text/event-stream"}).status_code == 405
    assert httpx.delete(url, headers=session).status_code == 204


def test_event_stream_only_client_gets_one_sse_response(http_server: ServerProcess) -> None:
    r = httpx.post(
        http_server.mcp_url,
        json=INIT,
        headers={"accept": "text/event-stream", "content-type": "application/json"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    data = [line[5:].strip() for line in r.text.splitlines() if line.startswith("data:")]
    messages = [json.loads(d) for d in data if d]
    assert [m["id"] for m in messages if "id" in m] == [1]


@pytest.fixture
def sse_session(http_server: ServerProcess) -> Iterator[tuple[str, list[str]]]:
    """Open `GET /sse`, return the endpoint event's data and the lines read so far."""
    lines: list[str] = []
    endpoint: list[str] = []
    got = threading.Event()
    stop = threading.Event()

    def reader() -> None:
        try:
            with httpx.stream("GET", http_server.url + "/sse", timeout=30) as r:
                lines.append(r.headers["content-type"])
                for line in r.iter_lines():
                    lines.append(line)
                    if line.startswith("data:") and not endpoint:
                        endpoint.append(line[5:].strip())
                        got.set()
                    if stop.is_set():
                        return
        except httpx.HTTPError:
            return  # the server went away at the end of the module

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    assert got.wait(15), lines
    yield endpoint[0], lines
    stop.set()


def test_legacy_sse_endpoint_and_upstream_message_path(
    http_server: ServerProcess, sse_session: tuple[str, list[str]]
) -> None:
    endpoint, lines = sse_session
    assert lines[0].startswith("text/event-stream")
    assert "event: endpoint" in lines
    match = re.fullmatch(r"/messages/\?session_id=([0-9a-f]{32})", endpoint)
    assert match, endpoint
    session = match.group(1)
    r = httpx.post(http_server.url + endpoint, json=INIT)
    assert r.status_code == 202
    r = httpx.post(
        http_server.url + f"/message?sessionId={session}",
        json={"jsonrpc": "2.0", "id": 7, "method": "ping"},
    )
    assert r.status_code == 202
    unknown = "0" * 32
    assert (
        httpx.post(http_server.url + f"/messages/?session_id={unknown}", json=INIT).status_code
        == 404
    )
    for _ in range(100):  # the answers arrive on the stream
        if any('"id":7' in line for line in lines):
            break
        threading.Event().wait(0.1)
    assert "event: message" in lines
    assert any('"id":7' in line for line in lines)


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("http://localhost:3000", 200),
        ("http://127.0.0.1", 200),
        ("http://[::1]:8080", 200),
        ("https://evil.example", 403),
        ("http://localhost.evil.example", 403),
        ("null", 403),
    ],
)
def test_origin_rule_on_loopback(http_server: ServerProcess, origin: str, status: int) -> None:
    r = httpx.post(http_server.mcp_url, json=INIT, headers={**JSON_ACCEPT, "origin": origin})
    assert r.status_code == status
    r = (
        httpx.get(http_server.url + "/sse", headers={"origin": origin}, timeout=5)
        if status == 403
        else None
    )
    assert r is None or r.status_code == 403


@pytest.fixture(scope="module")
def token_server(demo: Demo) -> Iterator[ServerProcess]:
    server = start_server(
        "--data-dir",
        str(demo.data_dir),
        "--now",
        NOW,
        env={"LEADERBOARD_MCP_TOKEN": "s3cret-token"},
    )
    yield server
    server.stop()


def test_bearer_token(token_server: ServerProcess, demo: Demo) -> None:
    url = token_server.mcp_url
    assert httpx.get(token_server.url + "/healthz").status_code == 200
    assert httpx.post(url, json=INIT, headers=JSON_ACCEPT).status_code == 401
    wrong = {**JSON_ACCEPT, "authorization": "Bearer nope"}
    assert httpx.post(url, json=INIT, headers=wrong).status_code == 401
    assert (
        httpx.get(token_server.url + "/sse", headers={"authorization": "Bearer nope"}).status_code
        == 401
    )
    assert httpx.get(token_server.url + "/nothing").status_code == 401
    right = {"authorization": "Bearer s3cret-token"}
    assert httpx.post(url, json=INIT, headers={**JSON_ACCEPT, **right}).status_code == 200
    assert "s3cret-token" not in "".join(token_server.log)

    async def main() -> int:
        for transport in ("http", "sse"):
            async with client(transport, demo, token_server, headers=right) as c:  # type: ignore[attr-defined]
                result = await c.call_tool("get_leaderboard", {"period": "week", "limit": 1})
                assert not result.is_error
        return 0

    anyio.run(main)
