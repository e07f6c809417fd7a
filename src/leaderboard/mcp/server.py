"""The SDK server object: identity, tool and resource handlers (ECO-05, ECO-06, NEW-28).

Handlers run the synchronous query code in a worker thread, each call on its own read-only
connection, so concurrent HTTP clients do not wait on each other and the event loop stays free.
Every failure becomes an ECO-06 envelope; the traceback goes to the server log, never to the
client, and the server keeps serving.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio
import mcp_types as types
import orjson
from anyio.lowlevel import RunVar
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from leaderboard import __version__
from leaderboard.mcp import resources, sqltool
from leaderboard.mcp.envelope import ToolError, failure, success
from leaderboard.mcp.params import input_schema, validate
from leaderboard.mcp.source import ServedDatabase
from leaderboard.mcp.tools import BY_NAME, Call, Tool
from leaderboard.timeutil import canonical

log = logging.getLogger("leaderboard")
SERVER_NAME = "leaderboard-mcp"
INVALID_PARAMS = -32602

RUN_SQL = Tool(
    "run_sql",
    "Run one read-only SELECT or WITH statement on the served database (5 s limit).",
    sqltool.PARAMS,
    lambda call, args: sqltool.run_sql(call.db, args["sql"], args["limit"]),
)
ALL_TOOLS: dict[str, Tool] = {**BY_NAME, RUN_SQL.name: RUN_SQL}
# Answers that depend only on (data generation, arguments, now) are kept: with a fixed --now the
# busiest questions are answered from memory after the first call.
CACHED = frozenset({"get_leaderboard", "get_contributor_stats", "get_contributor_ranking"})
CACHE_SIZE = 256
# Tool calls computed at the same time, each in a worker thread. SQLite releases the GIL, so two
# overlap a query with Python work; more only contend for the GIL with the event loop, which
# answers cached calls, and with each other. At 10× with 20 HTTP clients on 2 cores, 2 threads
# instead of anyio's 40 gave +33% calls/s and −15…−22% server CPU per call (bench/RESULTS.md).
# Cost: two runaway `run_sql` queries (5 s each at most) hold back other uncomputed calls.
TOOL_THREADS = 2
_TOOL_LIMITER: RunVar[anyio.CapacityLimiter] = RunVar("leaderboard_mcp_tool_threads")


def tool_threads() -> anyio.CapacityLimiter:
    """The running event loop's limiter of tool threads (one per loop, as anyio's own)."""
    try:
        return _TOOL_LIMITER.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(TOOL_THREADS)
        _TOOL_LIMITER.set(limiter)
        return limiter


def instructions(served: ServedDatabase) -> str:
    org = served.organisation
    return (
        f"Read-only access to the {org.name} contributor leaderboard. Dates are YYYY-MM-DD "
        f"interpreted in {org.timezone}. Points are effective points (activity points, else the "
        "activity type's points)."
    )


@dataclass
class Answer:
    """One cached answer: the result object, and per protocol version the wire form the SDK made
    of it; `encoded` holds that form's JSON once the HTTP fast path has needed it (a one-off
    question is never encoded twice)."""

    result: types.CallToolResult
    wire: dict[str, dict[str, Any]] = field(default_factory=dict)
    encoded: dict[str, bytes | None] = field(default_factory=dict)


class ResultCache:
    """A small thread-safe LRU of finished answers keyed by generation, tool, arguments, now.

    One LRU for every form of an answer: a hit in any form (result object, wire dict, encoded
    JSON) keeps the whole answer. With two separate LRUs a busy question answered only from its
    wire form aged out of the object cache behind a stream of one-off questions, and was
    recomputed (seconds for an all-time leaderboard at 10×) when the 10-s source check sent a
    call past the wire cache.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._pending: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def _touch(self, key: str) -> Answer | None:
        answer = self._items.get(key)
        if answer is not None:
            self._items.move_to_end(key)
        return answer

    def get(self, key: str) -> types.CallToolResult | None:
        with self._lock:
            answer = self._touch(key)
            return answer.result if answer is not None else None

    def wire(self, key: str, version: str) -> dict[str, Any] | None:
        """The wire form of a cached answer for protocol `version`, if made yet."""
        with self._lock:
            answer = self._touch(key)
            return answer.wire.get(version) if answer is not None else None

    def add_wire(self, key: str, version: str, dumped: dict[str, Any]) -> None:
        """Keep the SDK's wire form of the cached answer under `key` (if it is still cached)."""
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                answer.wire[version] = dumped

    def wire_json(self, key: str, version: str) -> bytes | None:
        """The JSON of the wire form for `version` inside the SDK's response (encoded on first
        use), or None when there is no such form or it does not encode as expected."""
        with self._lock:
            answer = self._touch(key)
            if answer is None or version not in answer.wire:
                return None
            if version in answer.encoded:
                return answer.encoded[version]
            dumped = answer.wire[version]
        encoded = _encoded_result(dumped)  # outside the lock: tens of kilobytes to encode
        with self._lock:
            answer.encoded[version] = encoded
        return encoded

    def lock_for(self, key: str) -> threading.Lock:
        """One lock per key, so concurrent identical calls compute once (single flight)."""
        with self._lock:
            lock = self._pending.get(key)
            if lock is None:
                lock = self._pending[key] = threading.Lock()
                if len(self._pending) > 4 * self.size:
                    self._pending = {k: v for k, v in self._pending.items() if v.locked()}
                    self._pending[key] = lock
            return lock

    def put(self, key: str, value: types.CallToolResult) -> None:
        with self._lock:
            self._items[key] = Answer(value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def cache_key(served: ServedDatabase, name: str, arguments: dict[str, Any] | None) -> str | None:
    """The cache key of a call whose answer depends only on (data, arguments, fixed now)."""
    tool = ALL_TOOLS.get(name)
    if tool is None or name not in CACHED or served.fixed_now is None:
        return None
    try:
        args = validate(tool.params, arguments)
    except ToolError:
        return None
    now = canonical(served.fixed_now)
    return json.dumps([served.generation, name, args, now], sort_keys=True)


def call_tool(
    served: ServedDatabase, cache: ResultCache, name: str, arguments: dict[str, Any] | None
) -> types.CallToolResult:
    """One tool call, synchronously, always returning an envelope."""
    tool = ALL_TOOLS.get(name)
    if tool is None:
        return failure(f"Unknown tool: {name}")
    try:
        args = validate(tool.params, arguments)
        served.refresh()
        key = cache_key(served, name, arguments)
        if key is None:
            return success(_run(served, tool, args))
        with cache.lock_for(key):  # concurrent identical calls compute once
            hit = cache.get(key)
            if hit is None:
                hit = success(_run(served, tool, args))
                cache.put(key, hit)
            return hit
    except ToolError as exc:
        return failure(exc.message, exc.code)
    except sqlite3.Error as exc:
        log.error("Tool %s failed on the database: %s", name, exc)
        return failure(f"Database error: {exc}")
    except Exception as exc:
        log.error("Tool %s failed: %s", name, exc, exc_info=exc)
        return failure(f"Internal error in {name} ({type(exc).__name__}); see the server log")


def _run(served: ServedDatabase, tool: Tool, args: dict[str, Any]) -> dict[str, Any]:
    db = served.connect()
    try:
        return tool.handler(Call(db, served.organisation, served.now()), args)
    finally:
        db.close()


def read_resource(served: ServedDatabase, uri: str) -> types.ReadResourceResult:
    db = served.connect()
    try:
        mime, text = resources.read(db, served.organisation, uri, served.now())
    except resources.UnknownResource as exc:
        raise MCPError(INVALID_PARAMS, str(exc)) from None
    finally:
        db.close()
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)]
    )


class WireCache:
    """Cached answers in the SDK's finished wire form, served by a middleware (no re-encoding),
    and as whole JSON-RPC responses to the HTTP transport's fast path (`encoded`).

    A cached `get_leaderboard` answer is a few tens of kilobytes of nested JSON; turning the
    `CallToolResult` into the wire dict (dump, validation against the protocol version's result
    schema, dump again) costs more CPU than the rest of the request. The SDK's context-tier
    middleware may answer a request itself with "its own well-formed result", so the first full
    pass's output is kept per (protocol version, cache key), in the answer's `ResultCache` entry,
    and later identical calls return it. Only successful answers of `CACHED` tools with a fixed
    `--now` are kept, under the same key (data generation included) as the result object.

    The middleware also notes, per Streamable HTTP session, the protocol version its connection
    negotiated once the SDK let it call tools: the HTTP fast path answers a session's cached
    calls only when its header names that version (see `leaderboard.mcp.http`).
    """

    def __init__(self, served: ServedDatabase, cache: ResultCache, sessions: int = 4096) -> None:
        self.served = served
        self.cache = cache
        self.max_sessions = sessions
        self._sessions: OrderedDict[str, str] = OrderedDict()

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if ctx.method != "tools/call" or self.served.refresh_due() or not _gate_open(ctx):
            return await call_next(ctx)
        self._note_session(ctx)
        params = ctx.params or {}
        name, arguments = params.get("name"), params.get("arguments")
        if not isinstance(name, str) or not (arguments is None or isinstance(arguments, dict)):
            return await call_next(ctx)
        key = cache_key(self.served, name, arguments)
        if key is None:
            return await call_next(ctx)
        hit = self.cache.wire(key, ctx.protocol_version)
        if hit is not None:
            return hit
        result = await call_next(ctx)
        if isinstance(result, dict) and result.get("isError") is False:
            self.cache.add_wire(key, ctx.protocol_version, result)
        return result

    def _note_session(self, ctx: ServerRequestContext[Any, Any]) -> None:
        session_id = getattr(getattr(ctx.session, "_connection", None), "session_id", None)
        if isinstance(session_id, str):
            self._sessions[session_id] = ctx.protocol_version
            self._sessions.move_to_end(session_id)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)

    def session_version(self, session_id: str) -> str | None:
        """The protocol version of a Streamable HTTP session the SDK has let call tools."""
        return self._sessions.get(session_id)

    def encoded(self, body: bytes, version: str) -> bytes | None:
        """The complete JSON-RPC response to `body` when it is one plain `tools/call` whose answer
        is cached in wire form for `version`; None (serve it the normal way) otherwise.

        Plain means exactly what the SDK would accept without a question: `jsonrpc`, an integer
        or string `id`, `method`, and `params` with only `name` and `arguments`. The JSON is the
        transport's own encoding of the stored wire dict, spliced behind the request's id.
        """
        if self.served.refresh_due():
            return None
        try:
            message = orjson.loads(body)  # strict JSON: anything unusual takes the normal way
        except orjson.JSONDecodeError:
            return None
        if (
            not isinstance(message, dict)
            or message.keys() - {"jsonrpc", "id", "method", "params"}
            or message.get("jsonrpc") != "2.0"
            or message.get("method") != "tools/call"
        ):
            return None
        ident = message.get("id")
        params = message.get("params")
        if isinstance(ident, bool) or not isinstance(ident, int | str):
            return None
        if not isinstance(params, dict) or params.keys() - {"name", "arguments"}:
            return None
        name, arguments = params.get("name"), params.get("arguments")
        if not isinstance(name, str) or not (arguments is None or isinstance(arguments, dict)):
            return None
        key = cache_key(self.served, name, arguments)
        result = self.cache.wire_json(key, version) if key is not None else None
        if result is None:
            return None
        head = _response_json(ident, {})
        return head[: -len(EMPTY_RESULT_TAIL)] + result + b"}"


EMPTY_RESULT_TAIL = b"{}}"


def _response_json(ident: int | str, result: dict[str, Any]) -> bytes:
    """A JSON-RPC response exactly as the SDK's transports encode it."""
    response = types.JSONRPCResponse(jsonrpc="2.0", id=ident, result=result)
    return response.model_dump_json(by_alias=True, exclude_unset=True).encode()


def _encoded_result(dumped: dict[str, Any]) -> bytes | None:
    """The JSON of a wire result as it appears inside the SDK's response, cut out of a response
    with id 0; None if the encoding is not shaped as expected (then no fast path)."""
    whole = _response_json(0, dumped)
    head = _response_json(0, {})[: -len(EMPTY_RESULT_TAIL)]
    if not (whole.startswith(head) and whole.endswith(b"}")):
        return None
    return whole[len(head) : -1]


def wire_cache_of(server: Server[Any]) -> WireCache | None:
    """The server's `WireCache` middleware (None if it has none)."""
    return next((m for m in server.middleware if isinstance(m, WireCache)), None)


def _gate_open(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether the SDK would let this connection call tools (initialized, or born ready as on
    stateless HTTP). Unknown (a future SDK without the attribute) → no shortcut."""
    connection = getattr(ctx.session, "_connection", None)
    return bool(getattr(connection, "initialize_accepted", False))


def tool_list() -> list[types.Tool]:
    return [
        types.Tool(name=t.name, description=t.description, input_schema=input_schema(t.params))
        for t in ALL_TOOLS.values()
    ]


def build_server(served: ServedDatabase, cache: ResultCache | None = None) -> Server[Any]:
    """The low-level SDK server for `served` (one per process, shared by every transport)."""
    cache = cache if cache is not None else ResultCache()
    tools = tool_list()

    async def on_list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def on_call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        key = None if served.refresh_due() else cache_key(served, params.name, params.arguments)
        hit = cache.get(key) if key is not None else None
        if hit is not None:  # answered on the event loop: no thread hop, no connection
            return hit
        run = partial(call_tool, served, cache, params.name, params.arguments)
        return await anyio.to_thread.run_sync(run, limiter=tool_threads())

    async def on_list_resources(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=resources.SCHEMA_URI,
                    name="schema",
                    description="The served database's CREATE statements (what run_sql can read).",
                    mime_type="text/plain",
                ),
                types.Resource(
                    uri=resources.SCORING_URI,
                    name="scoring",
                    description="Points per activity type and badge rules in words.",
                    mime_type="application/json",
                ),
            ]
        )

    async def on_list_templates(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(
            resource_templates=[
                types.ResourceTemplate(
                    uri_template=resources.CONTRIBUTOR_TEMPLATE,
                    name="contributor",
                    description="A contributor's document, as the site's JSON API publishes it.",
                    mime_type="application/json",
                )
            ]
        )

    async def on_read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        return await anyio.to_thread.run_sync(partial(read_resource, served, str(params.uri)))

    server: Server[Any] = Server(
        SERVER_NAME,
        version=__version__,
        instructions=instructions(served),
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=on_list_resources,
        on_list_resource_templates=on_list_templates,
        on_read_resource=on_read_resource,
    )
    # The SDK's default OpenTelemetry middleware wraps every message in a span; with no exporter
    # configured here it only costs time on each request. Ours answers repeated cached calls.
    server.middleware[:] = [WireCache(served, cache)]
    return server


async def run_stdio(served: ServedDatabase) -> None:
    """ECO-03: newline-delimited JSON-RPC on stdin/stdout; nothing else is written to stdout."""
    from mcp.server.stdio import stdio_server

    server = build_server(served)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
