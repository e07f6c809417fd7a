"""A plugin served over HTTPS by a real server on 127.0.0.1, pinned by sha256 (CORE-23, NEW-17)."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e import Runner, write_config

PLUGIN = b"""
name = "remote"
version = "2.0"
activity_definitions = [{"slug": "remote_thing", "name": "Remote", "description": "From afar", "points": 1}]

def scrape(ctx):
    yield {"kind": "contributor", "username": "remy", "role": "core"}
    yield {"kind": "activity", "slug": "remote-1", "contributor": "remy",
           "activity_definition": "remote_thing", "occurred_at": "2024-01-05T00:00:00Z"}
"""


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not shutil.which("openssl"):
        pytest.fail("openssl is needed to make a test certificate (apt-get install openssl)")
    root = tmp_path_factory.mktemp("https")
    (root / "plugin.py").write_bytes(PLUGIN)
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/plugin.py", cert
    server.shutdown()


def _config(data: Path, source: str, pin: str | None) -> None:
    line = f"    remote: {{source: '{source}'" + (f", sha256: '{pin}'" if pin else "") + "}\n"
    write_config(data, extra="  plugins:\n" + line)


def test_new_17_pinned_url_plugin_loads_and_is_cached(
    tmp_path: Path, cli: Runner, https_server: tuple[str, Path]
) -> None:
    url, cert = https_server
    pin = hashlib.sha256(PLUGIN).hexdigest()
    data = tmp_path / "data"
    _config(data, url, pin)
    env = {"SSL_CERT_FILE": str(cert), "LEADERBOARD_OFFLINE": "0"}
    out = cli("run", "-d", str(data), env=env)
    assert out.returncode == 0, out.stderr
    assert "Loaded plugin remote: remote v2.0 (url)" in out.stderr
    assert (data / ".leaderboard-cache" / "plugins" / f"{pin}.py").read_bytes() == PLUGIN
    db = sqlite3.connect(data / ".leaderboard.db")
    assert db.execute("SELECT slug FROM activity").fetchall() == [("remote-1",)]
    # The cached copy is used offline, without the network.
    out = cli("run", "-d", str(data), env={"LEADERBOARD_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr


def test_core_23_url_without_pin_is_refused(
    tmp_path: Path, cli: Runner, https_server: tuple[str, Path]
) -> None:
    url, cert = https_server
    data = tmp_path / "data"
    _config(data, url, None)
    out = cli("run", "-d", str(data), env={"SSL_CERT_FILE": str(cert), "LEADERBOARD_OFFLINE": "0"})
    assert out.returncode == 3
    assert "Plugin remote: URL sources must be pinned with sha256" in out.stderr
    assert not (data / ".leaderboard.db").exists()


def test_core_23_wrong_pin_is_refused_and_nothing_cached(
    tmp_path: Path, cli: Runner, https_server: tuple[str, Path]
) -> None:
    url, cert = https_server
    wrong = "0" * 64
    data = tmp_path / "data"
    _config(data, url, wrong)
    out = cli("run", "-d", str(data), env={"SSL_CERT_FILE": str(cert), "LEADERBOARD_OFFLINE": "0"})
    assert out.returncode == 1
    actual = hashlib.sha256(PLUGIN).hexdigest()
    assert f"Plugin remote: sha256 mismatch for {url}: expected {wrong}, got {actual}" in out.stderr
    assert not list((data / ".leaderboard-cache").rglob("*.py"))
    db = sqlite3.connect(data / ".leaderboard.db")
    assert db.execute("SELECT count(*) FROM activity").fetchone() == (0,)
