"""WEB-61: `leaderboard serve` over real HTTP on 127.0.0.1."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from leaderboard.errors import LeaderboardError
from leaderboard.serve import (
    RedirectRule,
    SiteServer,
    make_server,
    parse_range,
    parse_redirects,
    serve,
)

DB_BYTES = bytes(range(256)) * 40  # 10,240 bytes


def make_site(root: Path, base_path: str = "/") -> Path:
    site = root / "site"
    (site / "people").mkdir(parents=True)
    (site / "dependabot[bot]").mkdir()
    (site / "static").mkdir()
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "people" / "index.html").write_text("<h1>people</h1>")
    (site / "dependabot[bot]" / "index.html").write_text("<h1>bot</h1>")
    (site / "404.html").write_text("<h1>Page not found</h1>")
    (site / "data.db").write_bytes(DB_BYTES)
    (site / "static" / "site.js").write_text("1")
    (site / "static" / "a.webp").write_bytes(b"RIFF")
    (site / "static" / "a.svg").write_text("<svg/>")
    (site / "static" / "a.wasm").write_bytes(b"\0asm")
    (site / "feed.xml").write_text("<feed/>")
    (site / "api.json").write_text("{}")
    base = base_path
    (site / "_redirects").write_text(
        f"# legacy\n{base}contributors/:username {base}:username/ 301\n"
        f"{base}leaderboard {base}leaderboard/week/ 301\n"
    )
    (site / ".leaderboard-build.json").write_text(
        json.dumps({"version": 1, "base_path": base_path})
    )
    (root / "secret.txt").write_text("top secret")
    (site / "escape").symlink_to(root / "secret.txt")
    return site


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[SiteServer, httpx.Client]]:
    yield from _run(make_site(tmp_path), None)


def _run(site: Path, base: str | None) -> Iterator[tuple[SiteServer, httpx.Client]]:
    server = make_server(site, host="127.0.0.1", port=0, base_path=base)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    port = server.server_address[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False) as client:
        yield server, client
    server.shutdown()
    server.server_close()


def raw_get(server: SiteServer, target: str) -> bytes:
    """Send a request line verbatim (httpx would normalise `/../`)."""
    port = server.server_address[1]
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_web_61_range_206(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    r = client.get("/data.db", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes 0-99/{len(DB_BYTES)}"
    assert r.headers["content-length"] == "100"
    assert r.content == DB_BYTES[:100]
    assert r.headers["content-type"] == "application/vnd.sqlite3"
    r = client.get("/data.db", headers={"Range": "bytes=10200-"})
    assert r.content == DB_BYTES[10200:]
    assert r.headers["content-range"] == "bytes 10200-10239/10240"
    r = client.get("/data.db", headers={"Range": "bytes=-16"})
    assert r.content == DB_BYTES[-16:]
    r = client.get("/data.db", headers={"Range": "bytes=10000-99999"})
    assert r.headers["content-range"] == "bytes 10000-10239/10240"


def test_web_61_bad_range_416(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    for header in ("bytes=20000-", "bytes=50-10", "bytes=-0", "bytes=x-y"):
        r = client.get("/data.db", headers={"Range": header})
        assert r.status_code == 416, header
        assert r.headers["content-range"] == "bytes */10240"


def test_web_61_multi_range_full_body(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    r = client.get("/data.db", headers={"Range": "bytes=0-1,5-6"})
    assert r.status_code == 200
    assert r.content == DB_BYTES
    assert r.headers["accept-ranges"] == "bytes"


def test_web_61_headers(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["access-control-allow-origin"] == "*"
    assert (
        r.headers["access-control-expose-headers"] == "Accept-Ranges, Content-Range, Content-Length"
    )
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    types = {
        "/static/site.js": "text/javascript; charset=utf-8",
        "/static/a.webp": "image/webp",
        "/static/a.svg": "image/svg+xml",
        "/static/a.wasm": "application/wasm",
        "/feed.xml": "application/xml",
        "/api.json": "application/json",
    }
    for path, expected in types.items():
        assert client.get(path).headers["content-type"] == expected, path


def test_web_61_head(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    r = client.head("/data.db")
    assert r.status_code == 200
    assert r.headers["content-length"] == "10240"
    assert r.content == b""


def test_web_61_directory_redirect_keeps_query(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    r = client.get("/people?x=1")
    assert r.status_code == 301
    assert r.headers["location"] == "/people/?x=1"
    assert client.get("/people/").text == "<h1>people</h1>"


def test_web_61_percent_encoded_username(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    assert client.get("/dependabot%5Bbot%5D/").text == "<h1>bot</h1>"


def test_web_61_not_found_serves_404_page(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    r = client.get("/nope/")
    assert r.status_code == 404
    assert r.text == "<h1>Page not found</h1>"
    assert "content-range" not in r.headers


def test_web_61_traversal_404(running: tuple[SiteServer, httpx.Client]) -> None:
    server, _ = running
    for target in (
        "/../secret.txt",
        "/people/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/escape",
        "/%00",
    ):
        response = raw_get(server, target)
        assert response.startswith(b"HTTP/1.1 404"), (target, response[:40])
        assert b"top secret" not in response


def test_web_61_redirect_rules(running: tuple[SiteServer, httpx.Client]) -> None:
    _, client = running
    r = client.get("/contributors/alice")
    assert (r.status_code, r.headers["location"]) == (301, "/alice/")
    r = client.get("/leaderboard")
    assert (r.status_code, r.headers["location"]) == (301, "/leaderboard/week/")


def test_web_61_base_path_from_manifest(tmp_path: Path) -> None:
    site = make_site(tmp_path, "/lb/")
    for server, client in _run(site, None):
        assert server.base_path == "/lb/"
        r = client.get("/")
        assert (r.status_code, r.headers["location"]) == (302, "/lb/")
        assert client.get("/lb").headers["location"] == "/lb/"
        assert client.get("/lb/").text == "<h1>home</h1>"
        assert client.get("/people/").status_code == 404
        assert client.get("/lb/people/").status_code == 200
        assert client.get("/lb/contributors/bob").headers["location"] == "/lb/bob/"
        r = client.get("/lb/data.db", headers={"Range": "bytes=0-9"})
        assert r.status_code == 206


def test_web_61_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(
        LeaderboardError, match=r"Site directory .* not found; run leaderboard build first"
    ):
        make_server(tmp_path / "missing", host="127.0.0.1", port=0)


def test_web_61_multithreaded(running: tuple[SiteServer, httpx.Client]) -> None:
    server, client = running
    # A client that never finishes its request must not block others.
    port = server.server_address[1]
    with socket.create_connection(("127.0.0.1", port)) as idle:
        idle.sendall(b"GET /data.db HTTP/1.1\r\n")
        assert client.get("/people/", timeout=5).status_code == 200


def test_web_61_serve_prints_and_stops(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    out = io.StringIO()
    started: list[SiteServer] = []

    def ready(server: SiteServer) -> None:
        started.append(server)
        threading.Timer(0.2, server.shutdown).start()

    assert serve(site, host="127.0.0.1", port=0, out=out, ready=ready) == 0
    port = started[0].server_address[1]
    assert out.getvalue() == f"Serving {site} at http://127.0.0.1:{port}/\n"


def test_parse_range_units() -> None:
    assert parse_range(None, 10) == "all"
    assert parse_range("items=0-1", 10) == "all"
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=0-", 0) == "unsatisfiable"


def test_parse_redirects() -> None:
    rules = parse_redirects("/a /b\n# c\n/x/:id /y/:id/ 302!\n\n")
    assert rules == [RedirectRule("/a", "/b", 301), RedirectRule("/x/:id", "/y/:id/", 302)]
    assert rules[1].apply("/x/7") == "/y/7/"
    assert rules[1].apply("/x/7/") is None


def test_web_47_chunked_database_is_served_whole(tmp_path: Path) -> None:
    """Chunks of exactly 4,096 bytes (explorer/page.py): the download link's path gives the
    database itself, their concatenation, with Range support across chunk ends."""
    site = make_site(tmp_path)
    (site / "data.db").unlink()
    db = bytes(range(256)) * 50  # 12,800 bytes: chunks of 4,096, 4,096, 4,096 and 512
    for i in range(4):
        (site / f"data.db.{i:03d}").write_bytes(db[i * 4096 : (i + 1) * 4096])
    settings = {
        "serverMode": "chunked",
        "requestChunkSize": 4096,
        "databaseLengthBytes": len(db),
        "serverChunkSize": 4096,
        "urlPrefix": "/data.db.",
        "suffixLength": 3,
    }
    (site / "data.db.json").write_text(json.dumps(settings))
    for _server, client in _run(site, None):
        r = client.get("/data.db")
        assert r.status_code == 200 and r.content == db
        assert r.headers["content-type"] == "application/vnd.sqlite3"
        r = client.get("/data.db", headers={"Range": "bytes=4000-8200"})
        assert r.status_code == 206 and r.content == db[4000:8201]
        assert r.headers["content-range"] == f"bytes 4000-8200/{len(db)}"
        r = client.get("/data.db", headers={"Range": "bytes=4000-12799"})  # three chunk ends
        assert r.status_code == 206 and r.content == db[4000:]
        assert client.get("/data.db.001").content == db[4096:8192]
        (site / "data.db.003").unlink()  # an incomplete set is not a database
        assert client.get("/data.db").status_code == 404
