"""A fake Slack Web API on 127.0.0.1 for tests (ECO-52, NEW-26): a real HTTP server.

It answers `POST /api/conversations.history`, `POST /api/users.info` and `POST /api/auth.test`
(doctor's `--online` token check) from a workspace
dictionary (the shape of `tests/fixtures/slack/workspace.json`), the way Slack does: form bodies,
`ok`/`error` JSON, `oldest`/`latest` exclusive, newest first, opaque `next_cursor` pagination (the
server may return fewer messages than `limit`, as Slack does), `invalid_auth` / `not_authed`,
`missing_scope` with `needed`/`provided`, `channel_not_found`, `not_in_channel`. Faults are
scripted with `fail(...)`: HTTP 429 + `Retry-After`, 5xx with an HTML body, any `ok: false` error.
Every request is logged (method, path, form, headers) so tests assert the exact request list.

    with FakeSlack(workspace, token="xoxb-test") as slack:
        config = {"apiUrl": slack.api_url, ...}
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

# Scope each method needs (public / private conversations differ, as in Slack).
HISTORY_SCOPE = {"C": "channels:history", "G": "groups:history", "D": "im:history"}


@dataclass
class SlackRequest:
    """One request as received."""

    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def api_method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class Fault:
    """A scripted answer for the next `times` matching requests."""

    api_method: str
    times: int = 1
    status: int = 200
    error: str | None = None
    retry_after: str | None = None
    body: str | None = None  # raw body (e.g. an HTML error page)
    channel: str | None = None
    cursor: str | None = None  # only the request for this page (None: any)
    extra: dict[str, Any] = field(default_factory=dict)


def _cursor(offset: int) -> str:
    return base64.b64encode(f"next_ts:{offset}".encode()).decode()


def _offset(cursor: str) -> int | None:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "next_ts" and number.isdigit() else None


def _ts(value: str | None, default: Decimal) -> Decimal | None:
    if value is None or value == "":
        return default
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


class FakeSlack:
    """The server. `workspace`: {"users": {id: user}, "channels": {id: {"messages": [...],
    "member": bool, ...}}}; `token`: the only accepted bot token; `scopes`: granted scopes."""

    def __init__(
        self,
        workspace: dict[str, Any],
        *,
        token: str = "xoxb-fake-token",
        scopes: set[str] | None = None,
        page_size: int = 100,
    ) -> None:
        self.workspace = workspace
        self.token = token
        self.scopes = (
            set(scopes)
            if scopes is not None
            else {"channels:history", "groups:history", "users:read", "users:read.email"}
        )
        self.page_size = page_size
        self.requests: list[SlackRequest] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api"

    # -- scripting and inspection ------------------------------------------------------------

    def fail(self, api_method: str, **kwargs: Any) -> Fault:
        """Script a fault, e.g. `fail("conversations.history", status=429, retry_after="3")`."""
        fault = Fault(api_method, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def calls(self, api_method: str | None = None) -> list[SlackRequest]:
        with self._lock:
            return [r for r in self.requests if api_method in (None, r.api_method)]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- the API ------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        request = SlackRequest(
            handler.command,
            handler.path.split("?", 1)[0],
            form,
            {k.lower(): v for k, v in handler.headers.items()},
            body,
        )
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request)
        if fault is not None:
            self._send_fault(handler, fault)
            return
        status, payload = self._answer(request)
        self._send(handler, status, json.dumps(payload), "application/json; charset=utf-8")

    def _take_fault(self, request: SlackRequest) -> Fault | None:
        for fault in self.faults:
            if fault.times <= 0 or fault.api_method != request.api_method:
                continue
            if fault.channel is not None and request.form.get("channel") != fault.channel:
                continue
            if fault.cursor is not None and request.form.get("cursor", "") != fault.cursor:
                continue
            fault.times -= 1
            return fault
        return None

    def _send_fault(self, handler: BaseHTTPRequestHandler, fault: Fault) -> None:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        if fault.body is not None:
            self._send(handler, fault.status, fault.body, "text/html; charset=utf-8", headers)
            return
        payload = {"ok": False, "error": fault.error or "internal_error", **fault.extra}
        self._send(handler, fault.status, json.dumps(payload), "application/json", headers)

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        text: str,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = text.encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, request: SlackRequest) -> tuple[int, dict[str, Any]]:
        if request.method != "POST":
            return 405, {"ok": False, "error": "method_not_allowed"}
        auth = request.headers.get("authorization", "")
        if not auth:
            return 200, {"ok": False, "error": "not_authed"}
        if auth != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}
        if request.api_method == "conversations.history":
            return 200, self._history(request.form)
        if request.api_method == "users.info":
            return 200, self._user_info(request.form)
        if request.api_method == "auth.test":
            return 200, self._auth_test()
        return 404, {"ok": False, "error": "unknown_method"}

    def _auth_test(self) -> dict[str, Any]:
        """Who the token belongs to, in Slack's shape (the workspace's `team`, a bot user)."""
        team = self.workspace.get("team") or {}
        name = str(team.get("name") or "Fake Workspace")
        domain = str(team.get("domain") or "fake")
        return {
            "ok": True,
            "url": f"https://{domain}.slack.com/",
            "team": name,
            "user": "leaderboard",
            "team_id": str(team.get("id") or "T00000000"),
            "user_id": "U00LEADERBOT",
            "bot_id": "B00LEADERBOT",
        }

    def _missing(self, needed: str) -> dict[str, Any] | None:
        if needed in self.scopes:
            return None
        return {
            "ok": False,
            "error": "missing_scope",
            "needed": needed,
            "provided": ",".join(sorted(self.scopes)),
        }

    def _history(self, form: dict[str, str]) -> dict[str, Any]:
        channel_id = form.get("channel", "")
        channel = self.workspace.get("channels", {}).get(channel_id)
        if not channel_id or channel is None:
            return {"ok": False, "error": "channel_not_found"}
        missing = self._missing(HISTORY_SCOPE.get(channel_id[:1], "channels:history"))
        if missing:
            return missing
        if not channel.get("member", True):
            return {"ok": False, "error": "not_in_channel"}
        oldest = _ts(form.get("oldest"), Decimal(0))
        latest = _ts(form.get("latest"), Decimal("99999999999"))
        if oldest is None or latest is None:
            return {
                "ok": False,
                "error": "invalid_ts_oldest" if oldest is None else "invalid_ts_latest",
            }
        try:
            limit = max(1, min(int(form.get("limit") or 100), 999))
        except ValueError:
            return {"ok": False, "error": "invalid_limit"}
        start = 0
        if form.get("cursor"):
            found = _offset(form["cursor"])
            if found is None:
                return {"ok": False, "error": "invalid_cursor"}
            start = found
        messages = sorted(
            (m for m in channel.get("messages", []) if oldest < Decimal(m["ts"]) < latest),
            key=lambda m: Decimal(m["ts"]),
            reverse=True,
        )
        size = min(limit, self.page_size)
        page = messages[start : start + size]
        more = start + size < len(messages)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": _cursor(start + size) if more else ""},
        }

    def _user_info(self, form: dict[str, str]) -> dict[str, Any]:
        missing = self._missing("users:read")
        if missing:
            return missing
        user = self.workspace.get("users", {}).get(form.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        user = json.loads(json.dumps(user))
        if "users:read.email" not in self.scopes and isinstance(user.get("profile"), dict):
            user["profile"].pop("email", None)  # Slack omits it without the scope
        return {"ok": True, "user": user}


__all__ = ["FakeSlack", "Fault", "SlackRequest"]
