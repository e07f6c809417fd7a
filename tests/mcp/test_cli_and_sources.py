"""ECO-01/02 as a real subprocess: options, exit codes, DB selection, the served view, bad sources.

Also: the server keeps serving when its database goes away under it, the public view is rebuilt
when the source changes, and stdout carries nothing but protocol messages in stdio mode.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcpfixture import MCP, NOW, Demo, ServerProcess, start_server, stdio_params

from leaderboard.config import load_config
from leaderboard.db import Database
from leaderboard.mcp.source import ServedDatabase
from leaderboard.publicdb import build_public_db


def run_mcp(
    *args: str, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MCP, *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--transport", "tcp"], "Invalid transport: tcp (expected stdio or http)"),
        (["--port", "abc"], "Invalid port number: abc"),
        (["--port", "70000"], "Invalid port number: 70000"),
        (["--no-such-option"], "No such option"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = run_mcp(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_help_is_the_same_for_both_commands() -> None:
    mine = run_mcp("--help")
    theirs = subprocess.run(
        [str(Path(MCP).parent / "leaderboard"), "mcp", "--help"], capture_output=True, text=True
    )
    assert mine.returncode == 0 and mine.stdout == theirs.stdout
    for option in ("--transport", "--host", "--port", "--path", "--data-dir", "--db-url",
                   "--now", "--include-private", "--token", "--debug"):  # fmt: skip
        assert option in mine.stdout


def test_bad_sources_exit_3_with_a_clear_message(tmp_path: Path) -> None:
    missing = run_mcp("--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 3
    assert f"Database not found: {tmp_path / 'nope.db'}" in missing.stderr
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database, just forty-odd bytes of text" * 100)
    done = run_mcp("--db", str(corrupt))
    assert done.returncode == 3 and "Not a readable SQLite database" in done.stderr
    assert "Traceback" not in done.stderr
    unreachable = run_mcp("--data-dir", str(tmp_path / "no-such-dir"))
    assert unreachable.returncode == 3 and "config.yaml not found" in unreachable.stderr
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    done = run_mcp("--db-url", f"file:{empty}")
    assert done.returncode == 3 and "Not a leaderboard database" in done.stderr


def test_stdio_stdout_holds_only_protocol_messages(demo: Demo) -> None:
    lines = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "get_leaderboard", "arguments": {"limit": "x"}}},
    ]  # fmt: skip
    proc = subprocess.Popen(
        [MCP, "--data-dir", str(demo.data_dir), "--now", NOW, "--debug"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    for message in lines:
        proc.stdin.write(json.dumps(message) + "\n")
    proc.stdin.flush()
    out = [json.loads(proc.stdout.readline()) for _ in range(2)]  # every stdout line is JSON-RPC
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr is not None
    rest, stderr = proc.stdout.read(), proc.stderr.read()
    assert proc.returncode == 0, stderr
    assert rest == ""
    assert [m.get("id") for m in out] == [1, 2]
    assert out[1]["result"]["isError"] is True
    assert "Serving" in stderr  # diagnostics go to stderr


async def _board(params: Any) -> dict[str, Any]:
    async with Client(params, mode="legacy") as c:
        result = await c.call_tool("get_leaderboard", {"limit": 1000})
        assert not result.is_error, result.content[0].text
        return dict(result.structured_content)


def test_missing_db_imports_the_data_dir(demo: Demo, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo.data_dir, data, ignore=shutil.ignore_patterns(".leaderboard*"))
    board = anyio.run(_board, stdio_params("--data-dir", str(data), "--now", NOW))
    usernames = [e["username"] for e in board["leaderboard"]]
    assert usernames and demo.hidden not in usernames and demo.pseudonymous not in usernames
    broken = data / "contributors" / f"{usernames[0]}.md"
    broken.write_text("no front matter here\n", encoding="utf-8")
    done = run_mcp("--data-dir", str(data), "--now", NOW)
    assert done.returncode == 3 and broken.name in done.stderr


def test_include_private_serves_everyone_and_warns(demo: Demo) -> None:
    server = start_server("--data-dir", str(demo.data_dir), "--now", NOW, "--include-private")
    try:
        assert any("WARN: serving private data (--include-private)" in line for line in server.log)

        async def main() -> dict[str, Any]:
            async with Client(server.mcp_url, mode="legacy") as c:
                result = await c.call_tool("get_contributor", {"username": demo.hidden})
                return dict(result.structured_content)

        assert anyio.run(main)["username"] == demo.hidden
    finally:
        server.stop()


def test_a_public_db_is_served_as_is(demo: Demo, tmp_path: Path) -> None:
    config = load_config(demo.data_dir, env={}).config
    assert config is not None
    working = Database.open(demo.data_dir / ".leaderboard.db", readonly=True)
    target = build_public_db(
        working, tmp_path / "public.db", config=config, now=datetime(2025, 6, 30, 12, tzinfo=UTC)
    )
    working.close()
    board = anyio.run(_board, stdio_params("--db", str(target), "--now", NOW))
    usernames = [e["username"] for e in board["leaderboard"]]
    assert usernames and demo.hidden not in usernames
    assert board["filters"]["exclude_roles"] == ["bot"]  # hidden roles read from the public DB


def test_the_server_keeps_serving_when_its_db_disappears(demo: Demo, tmp_path: Path) -> None:
    db = tmp_path / "working.db"
    shutil.copy(demo.data_dir / ".leaderboard.db", db)
    servers: list[ServerProcess] = [
        start_server("--db", str(db), "--now", NOW, "--include-private"),
    ]
    try:
        server = servers[0]

        async def call() -> Any:
            async with Client(server.mcp_url, mode="legacy") as c:
                return await c.call_tool("query_contributors", {"limit": 1})

        assert not anyio.run(call).is_error
        db.unlink()
        result = anyio.run(call)
        assert result.is_error
        error = json.loads(result.content[0].text)
        assert error["code"] == "TOOL_ERROR" and "Database unavailable" in error["error"]
        assert "Traceback" not in result.content[0].text
        assert httpx.get(server.url + "/healthz").status_code == 200
        assert server.proc.poll() is None
    finally:
        for s in servers:
            s.stop()


def test_public_view_is_rebuilt_when_the_source_changes(demo: Demo, tmp_path: Path) -> None:
    source = tmp_path / "working.db"
    shutil.copy(demo.data_dir / ".leaderboard.db", source)
    config = load_config(demo.data_dir, env={}).config
    now = datetime(2025, 6, 30, 12, tzinfo=UTC)
    served = ServedDatabase(
        source, public_view=True, config=config, now=now, workdir=tmp_path / "w"
    )
    try:
        first = served.path
        assert served.generation == 1 and first.parent == tmp_path / "w"
        served.refresh(force=True)  # unchanged source: no rebuild
        assert served.generation == 1
        conn = sqlite3.connect(source)
        conn.execute(
            "INSERT INTO contributor(username, name, role) VALUES ('newcomer-with-long-name', 'N', 'contributor')"
        )
        conn.commit()
        conn.close()
        served.refresh(force=True)
        assert served.generation == 2 and not first.exists()
        db = served.connect()
        try:
            assert (
                db.scalar(
                    "SELECT COUNT(*) FROM contributor WHERE username = 'newcomer-with-long-name'"
                )
                == 1
            )
            with pytest.raises(sqlite3.OperationalError):
                db.execute("DELETE FROM contributor")
        finally:
            db.close()
        source.unlink()
        served.refresh(force=True)  # source gone: keep serving the last good copy
        db = served.connect()
        db.close()
    finally:
        served.close()


def test_a_directly_served_db_starts_a_new_generation_when_it_changes(
    demo: Demo, tmp_path: Path
) -> None:
    source = tmp_path / "working.db"
    shutil.copy(demo.data_dir / ".leaderboard.db", source)
    served = ServedDatabase(
        source, public_view=False, config=None, now=None, workdir=tmp_path / "w"
    )
    try:
        assert served.path == source and served.generation == 0
        served.refresh(force=True)
        assert served.generation == 0  # unchanged
        conn = sqlite3.connect(source)
        conn.execute("UPDATE contributor SET name = 'Renamed' WHERE rowid = 1")
        conn.commit()
        conn.close()
        os.utime(source, (1, 1))  # a different mtime even within the clock's resolution
        served.refresh(force=True)
        assert served.generation == 1  # cached answers of generation 0 are no longer used
    finally:
        served.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_private_copy_is_removed_when_the_server_stops(
    demo: Demo, tmp_path: Path, sig: int
) -> None:
    server = start_server(
        "--data-dir", str(demo.data_dir), "--now", NOW, env={"TMPDIR": str(tmp_path)}
    )
    try:
        copies = list(tmp_path.glob("leaderboard-mcp-*"))
        assert len(copies) == 1 and (copies[0].stat().st_mode & 0o777) == 0o700
        server.proc.send_signal(sig)
        server.proc.wait(timeout=30)
    finally:
        server.stop()
    assert list(tmp_path.glob("leaderboard-mcp-*")) == []
