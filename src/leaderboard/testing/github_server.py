"""A fake GitHub API for tests and benchmarks (ECO-50): a real HTTP server on 127.0.0.1.

It serves the requests of ECO-40…45 and NEW-30 from fixture data (one organisation per JSON
document, see `tests/fixtures/github/`), records every request (method, path, query, JSON body,
`Authorization`) so tests can assert the exact request list and token rotation, and lets a test
inject failures — rate limits, 502 HTML pages, GraphQL errors for a page size, shape errors — and
latency. Point the plugin at it with `apiUrl: <server.url>`.

Fixture document::

    {"org": "acme", "repos": [{"name", "default_branch", "updated_at", "html_url",
      "issues": [GraphQL issue nodes], "pullRequests": [...], "discussions": [...],
      "comments": [REST comments], "commits": [REST commits of the default branch],
      "events": [REST events], "compares": {"<before>...<head>": {"commits": [...]}}}]}
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Json = Any


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Json
    authorization: str | None
    headers: tuple[tuple[str, str], ...] = ()  # every header but Authorization, lower-case names

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)

    @property
    def token(self) -> str | None:
        auth = self.authorization or ""
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None

    @property
    def connection(self) -> str | None:
        """`issues`, `pullRequests` or `discussions` for GraphQL requests."""
        if self.method != "POST" or not isinstance(self.body, dict):
            return None
        return graphql_connection(str(self.body.get("query", "")))

    def line(self) -> str:
        """One comparable line: `GET /path?query` or `POST /graphql issues repo cursor size`."""
        if self.connection is not None:
            v = self.body.get("variables") or {}
            extra = f" reviewCount={v['reviewCount']}" if "reviewCount" in v else ""
            return (
                f"POST {self.path} {self.connection} {v.get('owner')}/{v.get('repo')} "
                f"cursor={v.get('cursor')} pageSize={v.get('pageSize')}{extra}"
            )
        return f"{self.method} {self.path}" + (f"?{urlencode(self.query)}" if self.query else "")


@dataclass
class Reply:
    status: int = 200
    body: Json = None
    text: str | None = None  # a non-JSON body (HTML)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Injection:
    """Answer matching requests with `reply` (`times` of them; None = every one)."""

    reply: Reply | Callable[[LoggedRequest], Reply]
    method: str | None = None
    path: str | None = None  # regular expression, full match
    connection: str | None = None
    repo: str | None = None  # GraphQL `repo` variable
    page_size: int | None = None
    token: str | None = None
    times: int | None = 1
    used: int = 0

    def matches(self, request: LoggedRequest) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.method and request.method != self.method:
            return False
        if self.path and not re.fullmatch(self.path, request.path):
            return False
        if self.token and request.token != self.token:
            return False
        if self.connection or self.repo or self.page_size:
            variables = (request.body or {}).get("variables") or {}
            if self.connection and request.connection != self.connection:
                return False
            if self.repo and variables.get("repo") != self.repo:
                return False
            if self.page_size and variables.get("pageSize") != self.page_size:
                return False
        return True


# -- ready-made failures of ECO-50 -----------------------------------------------------------------


def graphql_rate_limited() -> Reply:
    return Reply(200, {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]})


def max_node_limit() -> Reply:
    return Reply(
        200,
        {
            "errors": [
                {
                    "type": "MAX_NODE_LIMIT_EXCEEDED",
                    "message": "By the time this query traverses to the reviews connection, it is "
                    "requesting up to 1,250,000 possible nodes which exceeds the maximum limit.",
                }
            ]
        },
    )


def null_repository() -> Reply:
    return Reply(200, {"data": {"repository": None}})


def html_502() -> Reply:
    return Reply(
        502,
        text="<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
        "<body><h1>Unicorn!</h1><p>We had issues producing the response.</p></body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def html_200() -> Reply:
    return Reply(200, text="<html><body>Service unavailable</body></html>",
                 headers={"Content-Type": "text/html"})  # fmt: skip


def rest_rate_limited(reset_epoch: int) -> Reply:
    return Reply(
        403,
        {
            "message": "API rate limit exceeded for user ID 1.",
            "documentation_url": "https://docs.github.com",
        },
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset_epoch)},
    )


def retry_after(seconds: int) -> Reply:
    return Reply(429, {"message": "Too many requests"}, headers={"Retry-After": str(seconds)})


def secondary_rate_limit() -> Reply:
    return Reply(
        403,
        {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
                    "you try again."},
    )  # fmt: skip


def unauthorized() -> Reply:
    return Reply(
        401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com"}
    )


def not_found() -> Reply:
    return Reply(404, {"message": "Not Found"})


# -- serving fixture data ----------------------------------------------------------------------------


def graphql_connection(query: str) -> str | None:
    for name in ("pullRequests", "discussions", "issues"):
        if f"{name}(" in query:
            return name
    return None


def _time(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _commit_date(commit: dict[str, Any]) -> str:
    return str(((commit.get("commit") or {}).get("committer") or {}).get("date") or "")


class GitHubData:
    """Fixture organisations, indexed for serving; lists are kept newest first."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.orgs: dict[str, list[dict[str, Any]]] = {}
        for doc in documents:
            repos = sorted(doc["repos"], key=lambda r: r["updated_at"], reverse=True)
            for repo in repos:
                for key in ("issues", "pullRequests", "discussions"):
                    repo[key] = sorted(
                        repo.get(key, []), key=lambda n: n["updatedAt"], reverse=True
                    )
                repo["comments"] = sorted(
                    repo.get("comments", []), key=lambda c: c["updated_at"], reverse=True
                )
                repo["commits"] = sorted(repo.get("commits", []), key=_commit_date, reverse=True)
                repo["events"] = sorted(
                    repo.get("events", []), key=lambda e: e["created_at"], reverse=True
                )
            self.orgs[doc["org"]] = repos

    def repo(self, org: str, name: str) -> dict[str, Any] | None:
        for repo in self.orgs.get(org, []):
            if repo["name"] == name:
                return repo
        return None


def _page(items: list[Any], params: dict[str, str]) -> list[Any]:
    per_page = min(int(params.get("per_page", 30)), 100)
    page = int(params.get("page", 1))
    return items[(page - 1) * per_page : page * per_page]


class GitHubServer:
    """`with GitHubServer(data) as server:` … `server.url`, `server.requests`, `server.inject(…)`."""

    def __init__(
        self,
        documents: list[dict[str, Any]] | dict[str, Any],
        *,
        latency: float | Callable[[LoggedRequest], float] = 0.0,
        max_per_page: int = 100,
    ) -> None:
        docs = documents if isinstance(documents, list) else [documents]
        self.data = GitHubData(json.loads(json.dumps(docs)))
        self.latency = latency
        self.max_per_page = max_per_page
        self.requests: list[LoggedRequest] = []
        self.injections: list[Injection] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> GitHubServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's
                # algorithm and the client's delayed ACK add 40 ms to every response.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                sent = tuple(
                    (k.lower(), v) for k, v in self.headers.items() if k.lower() != "authorization"
                )
                reply, delay = server.respond(
                    self.command, self.path, raw, self.headers.get("Authorization"), sent
                )
                if delay > 0:
                    time.sleep(delay)
                if reply.text is not None:
                    payload = reply.text.encode("utf-8")
                    kind = "text/html; charset=utf-8"
                else:
                    payload = json.dumps(reply.body).encode("utf-8")
                    kind = "application/json; charset=utf-8"
                self.send_response(reply.status)
                headers = {"Content-Type": kind, **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _handle
            do_POST = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> GitHubServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "the server is not started"
        port = self._httpd.server_address[1]
        return f"http://127.0.0.1:{port}"

    # -- test controls -----------------------------------------------------------------------

    def delay(self, request: LoggedRequest) -> float:
        """Seconds to hold `request`: `latency`, or what a `latency(request)` function says."""
        return float(self.latency(request) if callable(self.latency) else self.latency)

    def inject(self, reply: Reply | Callable[[LoggedRequest], Reply], **match: Any) -> Injection:
        """Answer the next matching request(s) with `reply` (see `Injection` for the keys)."""
        injection = Injection(reply, **match)
        with self._lock:
            self.injections.append(injection)
        return injection

    def lines(self) -> list[str]:
        with self._lock:
            return [r.line() for r in self.requests]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- answering ---------------------------------------------------------------------------

    def answer(
        self,
        method: str,
        target: str,
        raw: bytes,
        authorization: str | None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> Reply:
        """Log the request and build its reply (injections first, then fixture data)."""
        return self.respond(method, target, raw, authorization, headers)[0]

    def respond(
        self,
        method: str,
        target: str,
        raw: bytes,
        authorization: str | None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> tuple[Reply, float]:
        """`answer` plus the latency to apply to this request."""
        parts = urlsplit(target)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = LoggedRequest(
            method, parts.path, tuple(parse_qsl(parts.query, keep_blank_values=True)), body,
            authorization, headers,
        )  # fmt: skip
        delay = self.delay(request)
        with self._lock:
            self.requests.append(request)
            for injection in self.injections:
                if injection.matches(request):
                    injection.used += 1
                    reply = injection.reply
                    return (reply(request) if callable(reply) else reply), delay
        try:
            return self._serve(request), delay
        except Exception as exc:  # a fixture mistake: make it visible in the test's failure
            return Reply(500, {"message": f"fake server error: {type(exc).__name__}: {exc}"}), delay

    def _serve(self, request: LoggedRequest) -> Reply:
        path, params = request.path, request.params
        if request.method == "POST" and path == "/graphql":
            return self._graphql(request)
        m = re.fullmatch(r"/orgs/([^/]+)/repos", path)
        if m:
            return self._repos(m.group(1), request)
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/(.+)", path)
        if not m:
            return not_found()
        repo = self.data.repo(m.group(1), m.group(2))
        if repo is None:
            return not_found()
        rest = m.group(3)
        if rest == "issues/comments":
            since = params.get("since")
            items = [
                c for c in repo["comments"] if not since or _time(c["updated_at"]) >= _time(since)
            ]
            return Reply(200, _page(items, params))
        if rest == "commits":
            if params.get("sha") not in (None, repo["default_branch"]):
                return Reply(200, [])
            since = params.get("since")
            items = [
                c for c in repo["commits"] if not since or _time(_commit_date(c)) >= _time(since)
            ]
            return Reply(200, _page(items, params))
        if rest == "events":
            if int(params.get("page", 1)) * int(params.get("per_page", 30)) > 300:
                return Reply(422, {"message": "In order to keep the API fast for everyone, "
                                              "pagination is limited for this resource."})  # fmt: skip
            return Reply(200, _page(repo["events"], params))
        if rest.startswith("compare/"):
            found = (repo.get("compares") or {}).get(rest[len("compare/") :])
            return Reply(200, found) if found is not None else not_found()
        return not_found()

    def _repos(self, org: str, request: LoggedRequest) -> Reply:
        repos = self.data.orgs.get(org)
        if repos is None:
            return not_found()
        params = request.params
        per_page = min(int(params.get("per_page", 30)), self.max_per_page)
        page = int(params.get("page", 1))
        chunk = repos[(page - 1) * per_page : page * per_page]
        body = [
            {
                "name": r["name"],
                "full_name": f"{org}/{r['name']}",
                "html_url": r.get("html_url") or f"https://github.com/{org}/{r['name']}",
                "default_branch": r["default_branch"],
                "updated_at": r["updated_at"],
                "fork": False,
            }
            for r in chunk
        ]
        headers: dict[str, str] = {}
        if page * per_page < len(repos):
            query = {**params, "page": str(page + 1)}
            headers["Link"] = f'<{self.url}{request.path}?{urlencode(query)}>; rel="next"'
        return Reply(200, body, headers=headers)

    def _graphql(self, request: LoggedRequest) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        connection = graphql_connection(str(body.get("query", "")))
        variables = body.get("variables") or {}
        repo = self.data.repo(str(variables.get("owner")), str(variables.get("repo")))
        if connection is None:
            return Reply(200, {"errors": [{"message": "unsupported query"}]})
        if repo is None:
            return Reply(200, {"data": {"repository": None}, "errors": [
                {"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}]})  # fmt: skip
        size = int(variables["pageSize"])
        cursor = variables.get("cursor")
        offset = int(str(cursor)[1:]) if cursor else 0
        nodes = json.loads(json.dumps(repo[connection][offset : offset + size]))
        if connection == "pullRequests":
            for node in nodes:
                reviews = node.get("reviews") or {"nodes": []}
                node["reviews"] = {"nodes": reviews["nodes"][: int(variables["reviewCount"])]}
        if connection == "issues":
            for node in nodes:
                items = node.get("timelineItems") or {"nodes": []}
                node["timelineItems"] = {"nodes": items["nodes"][:50]}
        end = offset + len(nodes)
        page = {
            "pageInfo": {
                "hasNextPage": end < len(repo[connection]),
                "endCursor": f"c{end}" if nodes else None,
            },
            "nodes": nodes,
        }
        return Reply(200, {"data": {"repository": {connection: page}}})


@contextmanager
def github_server(
    documents: list[dict[str, Any]] | dict[str, Any], **options: Any
) -> Iterator[GitHubServer]:
    """A started `GitHubServer`, stopped on exit."""
    server = GitHubServer(documents, **options).start()
    try:
        yield server
    finally:
        server.stop()
