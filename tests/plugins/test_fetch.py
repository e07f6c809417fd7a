"""CORE-23 step 4: pinned remote plugins — download, verify, cache, re-verify, offline.

The fetch logic is exercised against a real HTTP server on 127.0.0.1 (the https-only rule lives in
source classification and is tested through `load_plugins` with an injected transport).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from plugtest import SIMPLE_PLUGIN, capture_logger, config_with

from leaderboard.errors import PluginError
from leaderboard.plugins.fetch import cache_path, fetch_pinned
from leaderboard.plugins.loader import LoadedPlugin, PluginLoadFailure, load_plugins
from leaderboard.testing import RecordingTransport

BODY = SIMPLE_PLUGIN.encode()
PIN = hashlib.sha256(BODY).hexdigest()
WRONG = "0" * 64


class _Server:
    def __init__(self) -> None:
        self.hits = 0
        self.closed = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                if self.path != "/plugin.py":
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/x-python")
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/plugin.py"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    try:
        yield s
    finally:
        s.close()


def test_right_pin_downloads_once_and_caches(server: _Server, tmp_path: Path) -> None:
    path = fetch_pinned("r", server.url, PIN, cache_dir=tmp_path, offline=False)
    assert path == tmp_path / "plugins" / f"{PIN}.py" and path.read_bytes() == BODY
    again = fetch_pinned("r", server.url, PIN, cache_dir=tmp_path, offline=False)
    assert again == path and server.hits == 1


def test_wrong_pin_is_refused_and_discarded(server: _Server, tmp_path: Path) -> None:
    with pytest.raises(PluginError) as info:
        fetch_pinned("r", server.url, WRONG, cache_dir=tmp_path, offline=False)
    assert (
        info.value.message
        == f"Plugin r: sha256 mismatch for {server.url}: expected {WRONG}, got {PIN}"
    )
    assert not cache_path(tmp_path, WRONG).exists()


def test_tampered_cache_is_refused(server: _Server, tmp_path: Path) -> None:
    path = fetch_pinned("r", server.url, PIN, cache_dir=tmp_path, offline=False)
    path.write_text(SIMPLE_PLUGIN + "\nimport os  # injected\n")
    with pytest.raises(PluginError) as info:
        fetch_pinned("r", server.url, PIN, cache_dir=tmp_path, offline=True)
    assert info.value.message.startswith(
        f"Plugin r: sha256 mismatch for {path}: expected {PIN}, got "
    )
    assert not path.exists()


def test_offline_uses_cache_without_network(server: _Server, tmp_path: Path) -> None:
    fetch_pinned("r", server.url, PIN, cache_dir=tmp_path, offline=False)
    server.close()
    assert fetch_pinned("r", server.url, PIN, cache_dir=tmp_path, offline=True).is_file()


def test_offline_without_cache_fails(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as info:
        fetch_pinned("r", "https://example.invalid/p.py", PIN, cache_dir=tmp_path, offline=True)
    assert info.value.message == "Plugin r: not cached and --offline is set"


def _serve_plugin(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/p.py":
        return httpx.Response(200, content=BODY)
    return httpx.Response(404)


def _load(cfg, tmp_path: Path, *, offline: bool = False, transport=None):  # type: ignore[no-untyped-def]
    logger, handler = capture_logger()
    out = load_plugins(
        cfg,
        data_dir=tmp_path,
        cache_dir=tmp_path / "cache",
        offline=offline,
        selected=None,
        logger=logger,
        transport=transport,
    )
    return out, handler.lines()


def test_url_plugin_loads_through_loader(tmp_path: Path) -> None:
    transport = RecordingTransport(_serve_plugin)
    cfg = config_with(
        {
            "key": {"source": "https://plugins.example/p.py", "sha256": PIN},
            "frag": {"source": f"https://plugins.example/p.py#sha256={PIN}"},
        }
    )
    (a, b), lines = _load(cfg, tmp_path, transport=transport)
    assert isinstance(a, LoadedPlugin) and a.kind == "url" and b.kind == "url"  # type: ignore[union-attr]
    assert "INFO: Loaded plugin key: simple v1.2.3 (url)" in lines
    assert transport.urls() == ["https://plugins.example/p.py"]  # second use came from the cache


def test_url_config_errors(tmp_path: Path) -> None:
    cfg = config_with(
        {
            "nopin": {"source": "https://plugins.example/p.py"},
            "http": {"source": "http://plugins.example/p.py", "sha256": PIN},
            "ftp": {"source": "ftp://plugins.example/p.py"},
        }
    )
    out, _ = _load(cfg, tmp_path, transport=RecordingTransport(_serve_plugin))
    messages = [p.message for p in out if isinstance(p, PluginLoadFailure)]
    assert messages == [
        "Plugin nopin: URL sources must be pinned with sha256",
        "Plugin URLs must use https",
        "Unsupported plugin source",
    ]


def test_url_offline_without_cache_marks_declarations_unchecked(tmp_path: Path) -> None:
    from leaderboard.plugins.loader import collect_declarations

    cfg = config_with({"u": {"source": "https://plugins.example/p.py", "sha256": PIN}})
    [failure], _ = _load(cfg, tmp_path, offline=True)
    assert isinstance(failure, PluginLoadFailure)
    assert failure.message == "Plugin u: not cached and --offline is set"
    assert collect_declarations(cfg, [failure]).unchecked_plugins == ["u"]


def test_https_url_redirecting_to_http_is_refused(tmp_path: Path) -> None:
    """Issue 15 item 10: the downgrade is refused before the http URL is requested."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https" and request.url.path == "/p.py":
            return httpx.Response(302, headers={"Location": "/moved/p.py"})
        if request.url.scheme == "https":
            return httpx.Response(301, headers={"Location": "http://plugins.example.org/p.py"})
        return httpx.Response(200, content=BODY)

    transport = RecordingTransport(answer)
    with pytest.raises(PluginError) as info:
        fetch_pinned(
            "remote",
            "https://plugins.example.org/p.py",
            PIN,
            cache_dir=tmp_path,
            offline=False,
            transport=transport,
        )
    assert info.value.message == (
        "Plugin remote: https://plugins.example.org/p.py redirects to "
        "http://plugins.example.org/p.py, which is not https; plugin URLs must use https, "
        "redirects included"
    )
    assert transport.urls() == [
        "https://plugins.example.org/p.py",
        "https://plugins.example.org/moved/p.py",
    ]
    assert not cache_path(tmp_path, PIN).exists()


def test_https_to_https_redirect_is_followed(tmp_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "plugins.example.org":
            return httpx.Response(302, headers={"Location": "https://cdn.example.org/p.py"})
        return httpx.Response(200, content=BODY)

    path = fetch_pinned(
        "remote",
        "https://plugins.example.org/p.py",
        PIN,
        cache_dir=tmp_path,
        offline=False,
        transport=RecordingTransport(answer),
    )
    assert path.read_bytes() == BODY
