"""The HTTP transport (ECO-04, NEW-10): one ASGI app served by uvicorn.

Routes: Streamable HTTP at `--path` (JSON responses, or a single-response event stream for
clients that accept only `text/event-stream`), legacy SSE (`GET /sse`, `POST /messages/?session_id=…`,
and upstream's `POST /message?sessionId=…`), `GET /healthz`, and 404 `{"error": "not found"}` for
everything else.

Streamable HTTP sessions (ECO-04: a session id is issued on `initialize`, accepted but never
required): an `initialize` opens an SDK session whose id the answer carries; later requests that
present a live id are served by that session's long-running server loop, which costs about a
fifth less CPU per call than the stateless transport (a fresh transport, streams, server task and
dispatcher for every POST). Everything else — no id, an unknown or expired id, a client that
accepts only an event stream, or no room for another session — is answered statelessly, with a
session id of our own on `initialize`; a client never sees "session not found".

Repeated cached tool calls (`_cached`): a plain `tools/call` whose answer the SDK has already
encoded is answered here with those bytes under the request's id, without the SDK's transport,
dispatcher, handler and serialisation (most of a cached call's CPU); the conditions keep the
answer the one the SDK would give (see `_cached` and `WireCache.encoded`).

Security, in front of every route but `/healthz`: while bound to loopback a browser `Origin`
whose host is not `localhost`, `127.0.0.1` or `[::1]` gets 403 (DNS-rebinding and drive-by
pages); with a token configured a request without `Authorization: Bearer <token>` gets 401.
The SDK's own Host/Origin checks are off so that these rules, and only these, apply.
"""

from __future__ import annotations

import hmac
import json
import logging
import signal
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import AsyncExitStack, contextmanager
from types import FrameType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from mcp.server.lowlevel import Server
from mcp.server.sse import SseServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from leaderboard import __version__
from leaderboard.mcp.server import wire_cache_of
from leaderboard.mcp.settings import is_loopback

log = logging.getLogger("leaderboard")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
MAX_BODY = 4 * 1024 * 1024
# Open Streamable HTTP sessions: bounded in number and idle time (a session is a task and a few
# streams); past either, clients are served statelessly.
MAX_SESSIONS = 1000
SESSION_IDLE_SECONDS = 300.0
LOCAL_ORIGIN_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


async def _json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None) -> None:  # fmt: skip
    data = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _empty(send: Send, status: int, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers or []})
    await send({"type": "http.response.body", "body": b""})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _is_json(scope: Scope) -> bool:
    """The SDK transport's Content-Type rule (anything else is its 415)."""
    content_type = (_header(scope, b"content-type") or "").split(";")[0]
    return any(part.strip() == "application/json" for part in content_type.split(","))


def _is_initialize(body: bytes) -> bool:
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    items = message if isinstance(message, list) else [message]
    return any(isinstance(m, dict) and m.get("method") == "initialize" for m in items)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands over the already-read body once, then defers to the real one."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_session_id(send: Send) -> Send:
    """`send` with an `Mcp-Session-Id` of our own on the response (stateless `initialize`)."""
    session = uuid.uuid4().hex.encode()

    async def reply(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), (b"mcp-session-id", session)]
        await send(message)

    return reply


async def _attempt(
    manager: StreamableHTTPSessionManager,
    scope: Scope,
    receive: Receive,
    send: Send,
    fall_through: set[int],
) -> bool:
    """Let `manager` answer; if its status is in `fall_through`, swallow that answer and return
    False so the caller can answer another way (an empty set swallows any answer)."""
    swallowed = False
    started = False

    async def guarded(message: Message) -> None:
        nonlocal swallowed, started
        if message["type"] == "http.response.start":
            started = True
            swallowed = not fall_through or message["status"] in fall_through
        if not swallowed:
            await send(message)

    await manager.handle_request(scope, receive, guarded)
    return started and not swallowed


class McpHttpApp:
    """The ASGI application (see the module docstring)."""

    def __init__(
        self,
        server: Server[Any],
        *,
        path: str,
        loopback: bool,
        token: str | None,
        max_sessions: int = MAX_SESSIONS,
        session_idle_seconds: float = SESSION_IDLE_SECONDS,
    ) -> None:
        self.server = server
        self.path = path
        self.loopback = loopback
        self.token = token
        self.session_manager = StreamableHTTPSessionManager(
            app=server, json_response=True, stateless=False, security_settings=None,
            session_idle_timeout=session_idle_seconds, max_sessions=max_sessions,
        )  # fmt: skip
        self.json_manager = StreamableHTTPSessionManager(
            app=server, json_response=True, stateless=True, security_settings=None
        )
        self.stream_manager = StreamableHTTPSessionManager(
            app=server, json_response=False, stateless=True, security_settings=None
        )
        self.sse = SseServerTransport("/messages/")
        self.answers = wire_cache_of(server)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if path == "/healthz":
            if method in ("GET", "HEAD"):
                await _json(send, 200, {"status": "ok", "version": __version__})
            else:
                await _json(send, 405, {"error": "method not allowed"}, [(b"allow", b"GET")])
            return
        if not self._origin_allowed(scope):
            await _json(send, 403, {"error": "forbidden: cross-origin request"})
            return
        if not self._authorised(scope):
            await _json(
                send, 401, {"error": "unauthorized"}, [(b"www-authenticate", b'Bearer realm="leaderboard-mcp"')]
            )  # fmt: skip
            return
        if path in (self.path, self.path + "/"):
            await self._streamable(scope, receive, send, method)
        elif path == "/sse" and method == "GET":
            await self._sse_stream(scope, receive, send)
        elif path in ("/messages/", "/messages") and method == "POST":
            await self.sse.handle_post_message(scope, receive, send)
        elif path == "/message" and method == "POST":
            await self.sse.handle_post_message(self._upstream_naming(scope), receive, send)
        elif path in ("/sse", "/messages/", "/messages", "/message"):
            await _json(send, 405, {"error": "method not allowed"})
        else:
            await _json(send, 404, {"error": "not found"})

    # -- security -----------------------------------------------------------------------------

    def _origin_allowed(self, scope: Scope) -> bool:
        origin = _header(scope, b"origin")
        if not self.loopback or not origin:
            return True
        try:
            host = urlsplit(origin).hostname
        except ValueError:
            return False
        return host is not None and (
            host in LOCAL_ORIGIN_HOSTS or f"[{host}]" in LOCAL_ORIGIN_HOSTS
        )

    def _authorised(self, scope: Scope) -> bool:
        if not self.token:
            return True
        given = _header(scope, b"authorization") or ""
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.token.encode()
        )

    # -- routes -------------------------------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        async with AsyncExitStack() as stack:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await stack.enter_async_context(self.session_manager.run())
                await stack.enter_async_context(self.json_manager.run())
                await stack.enter_async_context(self.stream_manager.run())
                await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})

    async def _streamable(self, scope: Scope, receive: Receive, send: Send, method: str) -> None:
        session = _header(scope, b"mcp-session-id")
        if method == "GET":
            # No server-initiated stream.
            await _json(send, 405, {"error": "method not allowed"}, [(b"allow", b"POST, DELETE")])
            return
        if method == "DELETE":
            if session is not None:  # ends the SDK session if it is one; 204 either way
                await _attempt(self.session_manager, scope, _replay(b"", receive), send, set())
            await _empty(send, 204)
            return
        if method != "POST":
            await _json(send, 405, {"error": "method not allowed"}, [(b"allow", b"POST, DELETE")])
            return
        body = await self._body(receive)
        if body is None:
            await _json(send, 413, {"error": "request body too large"})
            return
        accept = (_header(scope, b"accept") or "").lower()
        if not ("application/json" in accept or "*/*" in accept or "application/*" in accept):
            await self._stream_only(scope, body, receive, send)
            return
        if await self._cached(scope, body, session, send):
            return
        if session is not None:
            # A live session answers; an unknown or expired id (404) is served statelessly.
            sent = await _attempt(self.session_manager, scope, _replay(body, receive), send, {404})
            if sent:
                return
            initialize = _is_initialize(body)
        else:
            initialize = _is_initialize(body)
            if initialize:
                # A new session; at the session limit (503) the client is served statelessly.
                sent = await _attempt(
                    self.session_manager, scope, _replay(body, receive), send, {503}
                )
                if sent:
                    return
        reply = _with_session_id(send) if initialize else send
        await self.json_manager.handle_request(scope, _replay(body, receive), reply)

    async def _cached(self, scope: Scope, body: bytes, session: str | None, send: Send) -> bool:
        """Answer a repeated cached tool call from its stored response JSON (see `WireCache`),
        without the SDK's transport, dispatcher and serialisation; False when it is anything
        else, which then goes the normal way.

        The answer is the one the SDK would send: the request must carry a protocol version the
        SDK's legacy transports serve (the modern era has its own path), and with a session id,
        the version that session negotiated when the SDK let it call tools (an id the SDK has
        not let call tools yet, or does not know, goes the normal way). Without an id the SDK
        would answer statelessly, born ready, in the header's version: so does this.
        """
        if self.answers is None or not _is_json(scope):
            return False
        version = _header(scope, b"mcp-protocol-version")
        if version is None or version not in HANDSHAKE_PROTOCOL_VERSIONS:
            return False
        if session is not None and self.answers.session_version(session) != version:
            return False
        payload = self.answers.encoded(body, version)
        if payload is None:
            return False
        headers = [(b"content-type", b"application/json")]
        if session is not None:
            headers.append((b"mcp-session-id", session.encode("latin-1")))
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        return True

    async def _stream_only(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
        """A client that accepts only an event stream: answer as one (statelessly). The SDK's
        streaming transport also wants `application/json` in Accept, which this client implies
        by speaking JSON-RPC."""
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept"]
        headers.append((b"accept", b"application/json, text/event-stream"))
        reply = _with_session_id(send) if _is_initialize(body) else send
        await self.stream_manager.handle_request(
            {**scope, "headers": headers}, _replay(body, receive), reply
        )

    async def _body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    async def _sse_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with self.sse.connect_sse(scope, receive, send) as (read_stream, write_stream):
                await self.server.run(
                    read_stream, write_stream, self.server.create_initialization_options()
                )
        except ValueError:
            return  # the transport already answered (request validation failed)

    @staticmethod
    def _upstream_naming(scope: Scope) -> Scope:
        """`POST /message?sessionId=<id>` (upstream) → the SDK's `?session_id=<id>`."""
        query = parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1"))
        renamed = [("session_id" if k == "sessionId" else k, v) for k, v in query]
        return {**scope, "path": "/messages/", "query_string": urlencode(renamed).encode()}


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (bound before uvicorn starts, so port 0 reports its real port)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says so, and without it every small response waits ~40 ms (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve_http(server: Server[Any], *, host: str, port: int, path: str, token: str | None) -> None:
    """Run until interrupted. Logs the URL it listens on (tests read it for port 0)."""
    import uvicorn

    loopback = is_loopback(host)
    if not loopback:
        log.warning("Listening on non-loopback host %s: anyone who can reach it can query", host)
    app = McpHttpApp(server, path=path, loopback=loopback, token=token)
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    log.info(
        "MCP server listening on http://%s:%d%s (SSE: /sse, health: /healthz)", shown, actual, path
    )
    # httptools (a declared dependency) instead of h11's pure-Python parser takes about a tenth
    # off the server's CPU per call; "auto" falls back to h11 where it is missing. The loop is
    # uvloop where it is installed (as with uvicorn[standard]), else asyncio's. No access log: a
    # line per call costs CPU too.
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", access_log=False, timeout_graceful_shutdown=3,
        loop="auto", http="auto",
    )  # fmt: skip
    runner = uvicorn.Server(config)
    with _stop_requests(runner) as stopping:
        runner.run(sockets=[sock])
    if stopping:  # now, outside the event loop, the usual handlers take it from here
        signal.raise_signal(stopping[0])


@contextmanager
def _stop_requests(server: Any) -> Iterator[list[int]]:
    """SIGTERM and SIGINT only ask `server` to stop (and are noted) while it runs.

    uvicorn installs its own graceful handlers once serving starts and re-raises the signals it
    caught when it is done; before that, during loop creation and start-up, the process's
    usual handlers would raise SystemExit or KeyboardInterrupt wherever the main thread
    happens to be, and inside uvloop's start-up that could leave the process hanging with the
    private copy in place. A stop request here is always safe: uvicorn checks it after start-up
    and shuts down cleanly; the caller re-raises the signal once the loop is gone.
    """
    stopping: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stopping
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
