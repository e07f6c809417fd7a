"""Fixtures for the MCP server tests: a real demo data dir, its built site, real server processes.

The data dir is `leaderboard demo` output (fixed seed and now) in which the two most active
contributors were made `hidden` and `pseudonymous` (NEW-04), re-imported and built, so the
site's JSON API and the MCP server's public view can be compared and searched for leaks.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest

from leaderboard.mcp.source import ServedDatabase

if TYPE_CHECKING:
    from leaderboard.mcp.http import McpHttpApp

NOW = "2025-06-30T12:00:00.000Z"
BIN = Path(sys.executable).parent
MCP = str(BIN / "leaderboard-mcp")
LEADERBOARD = str(BIN / "leaderboard")


@dataclass(frozen=True)
class Demo:
    data_dir: Path
    site: Path
    hidden: str  # username made hidden
    hidden_name: str
    pseudonymous: str  # username made pseudonymous
    pseudonymous_name: str

    @property
    def api(self) -> Path:
        return self.site / "api" / "v1"


def _run(*args: str, cwd: Path | None = None) -> None:
    done = subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=300)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"


def _front_matter_add(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    path.write_text("---\n" + line + "\n" + text[4:], encoding="utf-8")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("mcp-demo")
    data = root / "data"
    _run(LEADERBOARD, "demo", str(data), "--now", NOW, "--seed", "42", "--no-build", "-q")
    conn = sqlite3.connect(data / ".leaderboard.db")
    top = conn.execute(
        "SELECT c.username, c.name FROM contributor c JOIN activity a ON a.contributor = c.username "
        "WHERE c.role = 'contributor' GROUP BY c.username ORDER BY COUNT(*) DESC, c.username LIMIT 2"
    ).fetchall()
    conn.close()
    assert len(top) == 2, "the demo data should have active contributors"
    (hidden, hidden_name), (pseudo, pseudo_name) = top
    _front_matter_add(data / "contributors" / f"{hidden}.md", "visibility: hidden")
    _front_matter_add(data / "contributors" / f"{pseudo}.md", "visibility: pseudonymous")
    _run(LEADERBOARD, "run", "import", "-d", str(data), "--now", NOW, "--offline", "-q")
    site = root / "site"
    _run(
        LEADERBOARD, "build", "-d", str(data), "--out", str(site), "--now", NOW, "--offline",
        "--no-og", "--no-avatars", "--no-explorer", "-q",
    )  # fmt: skip
    return Demo(data, site, hidden, hidden_name, pseudo, pseudo_name)


@dataclass
class ServerProcess:
    """A `leaderboard-mcp --transport http` subprocess on an ephemeral loopback port."""

    proc: subprocess.Popen[str]
    url: str  # http://127.0.0.1:<port>
    path: str
    log: list[str] = field(default_factory=list)

    @property
    def mcp_url(self) -> str:
        return self.url + self.path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(
    *args: str, env: dict[str, str] | None = None, path: str = "/mcp"
) -> ServerProcess:
    """Start the server and wait (at most 60 s) for its "listening on" line."""
    proc = subprocess.Popen(
        [MCP, "--transport", "http", "--port", "0", "--path", path, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            match = re.search(r"listening on (http://\S+?:\d+)", line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + 60
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("server did not start:\n" + "".join(lines))
    if not found:
        proc.wait(timeout=10)
        raise AssertionError(f"server exited ({proc.returncode}):\n" + "".join(lines))
    return ServerProcess(proc, found[0], path, lines)


@pytest.fixture(scope="module")
def http_server(demo: Demo) -> Iterator[ServerProcess]:
    server = start_server("--data-dir", str(demo.data_dir), "--now", NOW)
    yield server
    server.stop()


# -- SDK clients over the three transports ------------------------------------------------------


def stdio_params(*args: str, env: dict[str, str] | None = None) -> object:
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(command=MCP, args=list(args), env=env)


def client(transport: str, demo: Demo, server: ServerProcess | None, headers: dict[str, str] | None = None) -> object:  # fmt: skip
    """An un-entered SDK `Client` (initialize handshake) over `transport`."""
    from mcp import Client
    from mcp.client.sse import sse_client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    if transport == "stdio":
        return Client(stdio_params("--data-dir", str(demo.data_dir), "--now", NOW), mode="legacy")
    assert server is not None
    if transport == "http":
        return Client(
            streamable_http_client(
                server.mcp_url, http_client=create_mcp_http_client(headers=headers)
            ),
            mode="legacy",
        )
    return Client(sse_client(server.url + "/sse", headers=headers), mode="legacy")


@pytest.fixture
def served(demo: Demo, tmp_path: Path) -> Iterator[ServedDatabase]:
    """The demo's public view served in process (a private copy of the working DB, fixed now)."""
    from datetime import UTC, datetime

    from leaderboard.config import load_config

    source = tmp_path / "working.db"
    shutil.copy(demo.data_dir / ".leaderboard.db", source)
    config = load_config(demo.data_dir, env={}).config
    now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
    db = ServedDatabase(source, public_view=True, config=config, now=now, workdir=tmp_path / "w")
    yield db
    db.close()


# -- the HTTP app in process --------------------------------------------------------------------


@asynccontextmanager
async def running(app: McpHttpApp) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """The app started through its ASGI lifespan; the list collects the JSON-RPC methods the
    stateless transport answered."""
    stateless: list[str] = []
    real = app.json_manager.handle_request

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        stateless.append(re.search(rb'"method":\s*"([^"]+)"', message["body"]).group(1).decode())  # type: ignore[union-attr]  # fmt: skip
        sent = False

        async def again() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return message
            return await receive()

        await real(scope, again, send)

    app.json_manager.handle_request = counted  # type: ignore[method-assign]
    to_app_send, to_app_receive = anyio.create_memory_object_stream[dict[str, Any]](4)
    from_app_send, from_app_receive = anyio.create_memory_object_stream[dict[str, Any]](4)
    async with anyio.create_task_group() as tg, to_app_send, from_app_receive:
        tg.start_soon(app, {"type": "lifespan"}, to_app_receive.receive, from_app_send.send)
        await to_app_send.send({"type": "lifespan.startup"})
        assert (await from_app_receive.receive())["type"] == "lifespan.startup.complete"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield client, stateless
        await to_app_send.send({"type": "lifespan.shutdown"})
        assert (await from_app_receive.receive())["type"] == "lifespan.shutdown.complete"
