"""WEB-47: `static/explorer-worker.js` on its own, in headless Chromium.

The worker script is started the way explorer.js starts it (settings in the URL fragment), but
the script it loads is a probe instead of the pinned library: the probe makes the requests the
library's lazy file makes (synchronous GET, Range, arraybuffer) and posts what it got back, so
each rule of the wrapper is checked against a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from leaderboard.site.env import PACKAGE_STATIC

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("LEADERBOARD_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SIZE = 1000  # bytes per chunk: the wrapper needs no page alignment
DB = bytes((i * 7 + i // 251) % 256 for i in range(4 * SIZE + 321))  # 5 chunks, the last short

PROBE = """
function get(url, range, async) {
  var xhr = new XMLHttpRequest();
  xhr.open("GET", url, !!async);
  if (range) xhr.setRequestHeader("Range", range);
  xhr.responseType = "arraybuffer";
  xhr.overrideMimeType("text/plain; charset=x-user-defined");
  if (async) {
    return new Promise(function (resolve) {
      xhr.onload = function () { resolve(report(xhr)); };
      xhr.send(null);
    });
  }
  xhr.send(null);
  return Promise.resolve(report(xhr));
}
function report(xhr) {
  return {
    status: xhr.status,
    readyState: xhr.readyState,
    bytes: xhr.response ? Array.from(new Uint8Array(xhr.response)) : null,
    contentRange: xhr.getResponseHeader("Content-Range"),
    contentLength: xhr.getResponseHeader("Content-Length"),
    all: xhr.getAllResponseHeaders(),
  };
}
self.onmessage = function (event) {
  var cases = event.data;
  Promise.all(cases.map(function (c) { return get(c.url, c.range, c.async); })).then(
    function (results) { self.postMessage({native: self.XMLHttpRequest.name, results: results}); },
    function (error) { self.postMessage({error: String(error)}); }
  );
};
"""


class Handler(BaseHTTPRequestHandler):
    """Static files with single-range support; under /norange/ the Range header is ignored
    (200 with the whole file), as some servers do."""

    root: Path

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.root / self.path.split("?")[0].split("#")[0].lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range") or "")
        if match and not self.path.startswith("/norange/"):
            first, last = int(match[1]), min(int(match[2]), len(data) - 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{last}/{len(data)}")
            data = data[first : last + 1]
        else:
            self.send_response(200)
        ctype = "text/javascript" if path.suffix == ".js" else "application/octet-stream"
        if path.suffix == ".html":
            ctype = "text/html"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: run `make system-deps` (apt-get install chromium)")
    root = tmp_path_factory.mktemp("worker")
    (root / "static").mkdir()
    worker = (PACKAGE_STATIC / "explorer-worker.js").read_bytes()
    (root / "static" / "explorer-worker.js").write_bytes(worker)
    (root / "probe.js").write_text(PROBE)
    (root / "index.html").write_text("<!DOCTYPE html><title>worker</title>")
    for folder in ("chunks", "norange"):
        (root / folder).mkdir()
        for i in range(-(-len(DB) // SIZE)):
            (root / folder / f"db.{i:03d}").write_bytes(DB[i * SIZE : (i + 1) * SIZE])
    (root / "gap").mkdir()  # chunk 001 missing
    (root / "gap" / "db.000").write_bytes(DB[:SIZE])
    handler = type("RootHandler", (Handler,), {"root": root})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(origin: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page()
        tab.goto(f"{origin}/index.html")
        yield tab
        browser.close()


def probe(
    page: Any, origin: str, chunked: dict[str, Any] | None, cases: list[dict[str, Any]]
) -> Any:
    """Start explorer-worker.js as explorer.js does, with the probe as the library's worker."""
    settings = {"worker": f"{origin}/probe.js", "chunked": chunked}
    return page.evaluate(
        """([url, cases]) => new Promise((resolve) => {
             const worker = new Worker(url);
             worker.onmessage = (event) => { resolve(event.data); worker.terminate(); };
             worker.onerror = (event) => resolve({error: event.message});
             setTimeout(() => resolve({error: "no answer in 20 s"}), 20000);
             worker.postMessage(cases);
           })""",
        [f"{origin}/static/explorer-worker.js?v=1#{json.dumps(settings)}", cases],
    )


def chunked(origin: str, folder: str = "chunks") -> dict[str, Any]:
    return {"urlPrefix": f"{origin}/{folder}/db.", "serverChunkSize": SIZE, "suffixLength": 3}


def test_web_47_reads_past_a_chunk_end_come_back_whole(page: Any, origin: str) -> None:
    prefix = f"{origin}/chunks/db."
    cases = [
        # inside one chunk: the browser's own response, untouched
        {"url": prefix + "000?cb=1", "range": "bytes=10-20"},
        # from chunk 001 across 002 and 003 into 004 (the library's offsets into chunk 001)
        {"url": prefix + "001?cb=1", "range": f"bytes=900-{3 * SIZE + 100}"},
        # exactly to a chunk's end, and from a chunk's first byte across one end
        {"url": prefix + "002?cb=1", "range": f"bytes=0-{SIZE - 1}"},
        {"url": prefix + "003", "range": f"bytes=0-{SIZE + 320}"},
        # asynchronous requests are not the lazy file's: passed through
        {"url": prefix + "000", "range": "bytes=990-1009", "async": True},
    ]
    got = probe(page, origin, chunked(origin), cases)
    assert "error" not in got, got
    assert got["native"] == "ChunkedXMLHttpRequest"
    inside, across, whole, last, passed = got["results"]
    assert (inside["status"], inside["bytes"]) == (206, list(DB[10:21]))
    assert inside["contentRange"] == f"bytes 10-20/{SIZE}"  # the server's header
    assert across["status"] == 206 and across["readyState"] == 4
    assert across["bytes"] == list(DB[SIZE + 900 : 4 * SIZE + 101])
    assert across["contentLength"] == "2201"
    assert across["contentRange"] == f"bytes 900-{3 * SIZE + 100}/*"
    assert "content-length: 2201\r\n" in across["all"]
    assert whole["bytes"] == list(DB[2 * SIZE : 3 * SIZE])
    assert whole["contentRange"] == f"bytes 0-{SIZE - 1}/{SIZE}"  # one chunk: the server's
    assert last["bytes"] == list(DB[3 * SIZE :])  # to the database's last byte
    assert (passed["status"], passed["bytes"]) == (206, list(DB[990:1000]))  # chunk 000 only


def test_web_47_a_server_ignoring_range_and_a_missing_chunk(page: Any, origin: str) -> None:
    got = probe(
        page,
        origin,
        chunked(origin, "norange"),
        [{"url": f"{origin}/norange/db.000", "range": f"bytes=500-{SIZE + 499}"}],
    )
    [sliced] = got["results"]
    assert (sliced["status"], sliced["bytes"]) == (206, list(DB[500 : SIZE + 500]))
    got = probe(
        page,
        origin,
        chunked(origin, "gap"),
        [{"url": f"{origin}/gap/db.000", "range": f"bytes=500-{SIZE + 499}"}],
    )
    [missing] = got["results"]
    assert missing["status"] == 404 and missing["bytes"] is None  # the library reports it


def test_web_47_unchunked_database_keeps_the_browser_request(page: Any, origin: str) -> None:
    got = probe(page, origin, None, [{"url": f"{origin}/chunks/db.000", "range": "bytes=0-3"}])
    assert got["native"] == "XMLHttpRequest"
    assert got["results"][0]["bytes"] == list(DB[:4])
