"""Issue 15 / CORE-14, CORE-82: a token substituted from the environment never leaves the process.

A careless plugin sends its token in the URL path, the query string and a header to a local API
that answers 401 quoting the token; it logs the body (debug and error), writes a progress file
with the error, and finally raises httpx's error (whose message quotes the URL). After `run` in
text and JSON log formats with --debug, and a `build`, the token appears in no log line, not in
the working DB, not in any file of the data dir (exports, progress file) and not in the site.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from e2e import Runner, write, write_config

TOKEN = "ghp_S3cr3tScan/Tok+en=42"
MARK = "S3cr3tScan"  # any spelling of the token (raw, percent-encoded, JSON-escaped) contains it

PLUGIN = """
import json
name = "scanner"
version = "1"
activity_definitions = [{"slug": "scan", "name": "Scan", "description": "A scan", "points": 1}]

def scrape(ctx):
    token = ctx.config["token"]
    ctx.logger.debug("using token " + token, {"token": token})
    yield {"kind": "contributor", "username": "scan-bot", "role": "bot"}
    yield {"kind": "activity", "slug": "scan-1", "contributor": "scan-bot",
           "activity_definition": "scan", "occurred_at": "2024-01-10T10:00:00Z",
           "title": "Scanned"}
    with ctx.http(ctx.config["url"], headers={"Authorization": "Bearer " + token}) as client:
        response = client.get("/tokens/" + token, params={"access_token": token})
        ctx.logger.error("API refused: " + response.text, {"url": str(response.url)})
        ctx.write_file("scan-progress.json", json.dumps(
            {"url": str(response.url), "error": response.text, "token": token}))
        response.raise_for_status()
"""


@pytest.fixture
def api() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path + " " + self.headers.get("Authorization", ""))
            body = json.dumps({"message": f"Bad credentials: {TOKEN}"}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()


def _leaks(root: Path) -> list[str]:
    return [
        str(p) for p in sorted(root.rglob("*")) if p.is_file() and MARK.encode() in p.read_bytes()
    ]


def test_token_reaches_no_log_db_file_or_site(
    tmp_path: Path, cli: Runner, api: tuple[str, list[str]]
) -> None:
    url, seen = api
    data = tmp_path / "data"
    write_config(
        data,
        extra=f"""  plugins:
    scanner:
      source: plugins/scanner.py
      config:
        url: {url}
        token: ${{{{ env.SCAN_TOKEN }}}}
""",
    )
    write(data, "plugins/scanner.py", PLUGIN)
    env = {"SCAN_TOKEN": TOKEN, "LEADERBOARD_OFFLINE": "0"}
    outputs = []
    for fmt in ("text", "json"):
        result = cli("run", "-d", str(data), "--debug", "--log-format", fmt, env=env)
        assert result.returncode == 1, result.stderr  # the plugin failed, as intended
        outputs.append(result.stdout + result.stderr)
    # The plugin really sent the token in path, query and header, and its failure was logged.
    assert any(
        TOKEN in line and quote_plus(TOKEN) in line and f"Bearer {TOKEN}" in line for line in seen
    )
    text_log, json_log = outputs
    assert "Scrape failed for plugin scanner" in text_log and "401 Unauthorized" in text_log
    assert "Bad credentials: ***" in text_log and "using token ***" in text_log
    assert '"stack":' in json_log and "Traceback" in json_log  # debug tracebacks included
    for line in json_log.splitlines():
        json.loads(line)  # masking kept every JSON line valid
    site = tmp_path / "site"
    build = cli("build", "-d", str(data), "--out", str(site), "--no-og", env=env)
    assert build.returncode == 0, build.stderr
    outputs.append(build.stdout + build.stderr)

    for output in outputs:
        for spelling in (TOKEN, quote(TOKEN, safe=""), quote_plus(TOKEN), MARK):
            assert spelling not in output
    assert (data / "scan-progress.json").is_file()
    assert (data / "activities").is_dir() and (site / "index.html").is_file()
    assert _leaks(data) == []  # working DB, exported files, progress file, caches
    assert _leaks(site) == []
