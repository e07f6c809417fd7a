"""`leaderboard serve` (WEB-61): a small static server that behaves like a real static host.

It exists so a built site — the Data Explorer in particular, which reads `data.db` with HTTP Range
requests — can be tried locally exactly as it will run on GitHub Pages or Netlify: base path,
`_redirects`, directory redirects, `404.html`, Range/206/416 and CORS headers. It never serves a
file outside the site directory, whatever the URL or a symlink says. A database shipped in
chunks (WEB-47) is also served whole at its own path, for the explorer's download link.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import mimetypes
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, Literal, TextIO
from urllib.parse import quote, unquote, urlsplit

from leaderboard.errors import LeaderboardError

log = logging.getLogger("leaderboard.serve")

MANIFEST = ".leaderboard-build.json"

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".png": "image/png",
    ".wasm": "application/wasm",
    ".db": "application/vnd.sqlite3",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

COMMON_HEADERS: tuple[tuple[str, str], ...] = (
    ("Cache-Control", "no-cache"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "Accept-Ranges, Content-Range, Content-Length"),
)

_CHUNK = 64 * 1024


def content_type(path: Path) -> str:
    """The Content-Type for a file name (WEB-61 table first, then the platform's guess)."""
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed is None:
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


# -- ranges ----------------------------------------------------------------------------------

RangeOutcome = Literal["all", "unsatisfiable"]
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | RangeOutcome:
    """Interpret a Range header for a file of `size` bytes.

    Returns `(first, last)` (inclusive) for a satisfiable single byte range, `"all"` when the
    whole file should be sent (no header, another unit, or several ranges), and
    `"unsatisfiable"` when the range cannot be satisfied or is malformed (→ 416).
    """
    if not header:
        return "all"
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return "all"
    if "," in spec:
        return "all"
    m = _RANGE.match(spec)
    if not m or (not m.group(1) and not m.group(2)):
        return "unsatisfiable"
    first_text, last_text = m.group(1), m.group(2)
    if not first_text:  # suffix range: the last n bytes
        n = int(last_text)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1)
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        return "unsatisfiable"
    return (first, min(last, size - 1))


# -- _redirects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedirectRule:
    source: str
    target: str
    status: int

    def apply(self, path: str) -> str | None:
        """The target for `path` when it matches (`:name` matches one segment), else None."""
        src = self.source.strip("/").split("/")
        got = path.strip("/").split("/")
        if len(src) != len(got) or self.source.endswith("/") != path.endswith("/"):
            return None
        values: dict[str, str] = {}
        for pattern, segment in zip(src, got, strict=True):
            if pattern.startswith(":") and len(pattern) > 1:
                if not segment:
                    return None
                values[pattern[1:]] = segment
            elif pattern != segment:
                return None
        target = self.target
        for name in sorted(values, key=len, reverse=True):
            target = target.replace(f":{name}", values[name])
        return target


def parse_redirects(text: str) -> list[RedirectRule]:
    """Netlify/Cloudflare `_redirects` lines `<from> <to> [status]`; comments and blanks skipped."""
    rules = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#") or len(parts) < 2:
            continue
        code = parts[2].rstrip("!") if len(parts) > 2 else ""
        status = int(code) if code.isdigit() else 301
        rules.append(RedirectRule(parts[0], parts[1], status))
    return rules


# -- the server ------------------------------------------------------------------------------


def normalize_base_path(base_path: str) -> str:
    """Always starts and ends with `/` (WEB-01)."""
    stripped = base_path.strip("/")
    return "/" if not stripped else f"/{stripped}/"


def manifest_base_path(directory: Path) -> str:
    """The base path recorded in the build manifest, `/` when there is none."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "/"
    value = data.get("base_path") if isinstance(data, dict) else None
    return normalize_base_path(value) if isinstance(value, str) else "/"


class SiteServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to one site directory."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], directory: Path, base_path: str) -> None:
        self.root = directory.resolve()
        self.base_path = normalize_base_path(base_path)
        super().__init__(address, SiteHandler)

    @property
    def url(self) -> str:
        host = str(self.server_address[0])
        port = int(self.server_address[1])
        return f"http://{host}:{port}{self.base_path}"

    def redirects(self) -> list[RedirectRule]:
        """Read `_redirects` per request: a rebuild while serving takes effect immediately."""
        try:
            return parse_redirects((self.root / "_redirects").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return []

    def resolve(self, rel: str) -> Path | None:
        """The file or directory for a decoded path below the root, or None when it is outside
        the root (traversal, symlinks leading elsewhere) or missing."""
        parts = [p for p in rel.split("/") if p]
        if any(p in (".", "..") or "\x00" in p or "\\" in p for p in parts):
            return None
        candidate = self.root.joinpath(*parts)
        try:
            real = Path(os.path.realpath(candidate))
        except (OSError, ValueError):
            return None
        if real != self.root and self.root not in real.parents:
            return None
        return real if real.exists() else None

    def chunked_database(self, rel: str) -> ChunkedFile | None:
        """A database shipped as chunks (WEB-47: `<rel>.json` beside `<rel>.000`, …), served
        whole at `rel` for the download link; None when `rel` is not one."""
        config = self.resolve(rel + ".json")
        if config is None or not config.is_file() or not rel or rel.endswith("/"):
            return None
        try:
            settings = json.loads(config.read_text(encoding="utf-8"))
            size = int(settings["databaseLengthBytes"])
            chunk_size = int(settings["serverChunkSize"])
            digits = int(settings["suffixLength"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if settings.get("serverMode") != "chunked" or size < 0 or chunk_size <= 0:
            return None
        count = -(-size // chunk_size)
        chunks = [self.resolve(f"{rel}.{i:0{digits}d}") for i in range(count)]
        if any(c is None or not c.is_file() for c in chunks):
            return None
        return ChunkedFile(Path(rel).name, [c for c in chunks if c is not None], chunk_size, size)


@dataclass(frozen=True)
class ChunkedFile:
    """The database reassembled from its chunks, concatenated (each is `chunk_size` bytes, the
    last one shorter). Only the first `chunk_size` bytes of a chunk are read, so a site built
    before chunks lost their 5 MiB overlap is still served right."""

    name: str
    chunks: list[Path]
    chunk_size: int
    size: int

    def copy(self, sink: io.BufferedIOBase, offset: int, length: int) -> None:
        while length > 0:
            index, start = divmod(offset, self.chunk_size)
            part = min(length, self.chunk_size - start)
            with self.chunks[index].open("rb") as source:
                _copy(source, sink, start, part)
            offset += part
            length -= part


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "leaderboard-serve"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)  # request lines at DEBUG

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self._common_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- routing ---------------------------------------------------------------------------

    def _respond(self, *, head: bool) -> None:
        split = urlsplit(self.path)
        raw_path = split.path or "/"
        query = f"?{split.query}" if split.query else ""
        path = unquote(raw_path, errors="strict") if _valid_utf8(raw_path) else None
        if path is None or not path.startswith("/"):
            self._not_found(head)
            return
        base = self.server.base_path
        if base != "/" and path == "/":
            self._redirect(302, base + query, head)
            return
        for rule in self.server.redirects():
            target = rule.apply(path)
            if target is not None:
                self._redirect(rule.status, target, head)
                return
        if base != "/" and path == base.rstrip("/"):
            self._redirect(301, base + query, head)
            return
        if not path.startswith(base):
            self._not_found(head)
            return
        found = self.server.resolve(path[len(base) :])
        if found is None:
            chunked = self.server.chunked_database(path[len(base) :])
            if chunked is not None:
                self._send_chunked(chunked, head)
                return
            self._not_found(head)
            return
        if found.is_dir():
            if not path.endswith("/"):
                self._redirect(301, quote(path, safe="/:@!$&'()*+,;=~-._") + "/" + query, head)
                return
            index = found / "index.html"
            found = self.server.resolve(path[len(base) :] + "index.html")  # re-check symlinks
            if found is None or not index.is_file():
                self._not_found(head)
                return
        if not found.is_file():
            self._not_found(head)
            return
        self._send_file(found, HTTPStatus.OK, head, ranged=True)

    # -- responses -------------------------------------------------------------------------

    def _common_headers(self) -> None:
        for name, value in COMMON_HEADERS:
            self.send_header(name, value)

    def _redirect(self, status: int, location: str, head: bool) -> None:
        body = f"Redirecting to {location}\n".encode()
        self.send_response(status)
        self._common_headers()
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_found(self, head: bool) -> None:
        page = self.server.resolve("404.html")
        if page is not None and page.is_file():
            self._send_file(page, HTTPStatus.NOT_FOUND, head, ranged=False)
            return
        body = b"404 Not Found\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self._common_headers()
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_chunked(self, chunked: ChunkedFile, head: bool) -> None:
        size = chunked.size
        chosen = parse_range(self.headers.get("Range"), size)
        if chosen == "unsatisfiable":
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self._common_headers()
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        first, last = chosen if isinstance(chosen, tuple) else (0, size - 1)
        length = max(0, last - first + 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if isinstance(chosen, tuple) else 200)
        self._common_headers()
        self.send_header("Accept-Ranges", "bytes")
        if isinstance(chosen, tuple):
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Type", content_type(Path(chunked.name)))
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if not head:
            chunked.copy(self.wfile, first, length)

    def _send_file(self, path: Path, status: int, head: bool, *, ranged: bool) -> None:
        try:
            handle = path.open("rb")
        except OSError:
            self.send_error(HTTPStatus.FORBIDDEN)
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            chosen = parse_range(self.headers.get("Range"), size) if ranged else "all"
            if chosen == "unsatisfiable":
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self._common_headers()
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Type", content_type(path))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            partial = isinstance(chosen, tuple)
            first, last = chosen if isinstance(chosen, tuple) else (0, size - 1)
            length = max(0, last - first + 1)
            self.send_response(HTTPStatus.PARTIAL_CONTENT if partial else status)
            self._common_headers()
            self.send_header("Accept-Ranges", "bytes")
            if partial:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.send_header("Content-Type", content_type(path))
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if not head:
                _copy(handle, self.wfile, first, length)


def _valid_utf8(raw: str) -> bool:
    try:
        unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _copy(source: BinaryIO, sink: io.BufferedIOBase, offset: int, length: int) -> None:
    source.seek(offset)
    remaining = length
    while remaining > 0:
        chunk = source.read(min(_CHUNK, remaining))
        if not chunk:
            break
        sink.write(chunk)
        remaining -= len(chunk)


def make_server(
    directory: Path, *, host: str = "127.0.0.1", port: int = 8000, base_path: str | None = None
) -> SiteServer:
    """A bound (not yet serving) server for `directory`; port 0 picks a free port.

    `base_path` None means the one recorded in the build manifest (WEB-61), `/` without one.
    Raises `LeaderboardError` (exit 1) when the directory does not exist.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise LeaderboardError(f"Site directory {directory} not found; run leaderboard build first")
    base = manifest_base_path(directory) if base_path is None else normalize_base_path(base_path)
    try:
        return SiteServer((host, port), directory, base)
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            reason = "already in use" if exc.errno == errno.EADDRINUSE else "not allowed"
            raise LeaderboardError(
                f"Port {port} on {host} is {reason}; choose another with --port "
                f"(for example --port {port + 1 if port else 8001})"
            ) from None
        raise


def serve(
    directory: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    base_path: str | None = None,
    out: TextIO | None = None,
    ready: Callable[[SiteServer], None] | None = None,
) -> int:
    """Serve until Ctrl-C; prints `Serving <DIR> at <url>` first. Returns the exit code (0)."""
    server = make_server(directory, host=host, port=port, base_path=base_path)
    stream = out if out is not None else sys.stdout
    print(f"Serving {directory} at {server.url}", file=stream, flush=True)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
