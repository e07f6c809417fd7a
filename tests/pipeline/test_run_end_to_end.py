"""`leaderboard run` end to end, as a subprocess on real files (CORE-09…CORE-11, CORE-54, CORE-55)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from e2e import Runner, tree, write, write_config

UPSTREAM = Path(__file__).parents[1] / "fixtures" / "repos" / "upstream"


def test_core_54_upstream_repo_round_trips_with_no_file_changed(
    tmp_path: Path, cli: Runner
) -> None:
    data = tmp_path / "data"
    shutil.copytree(UPSTREAM, data)
    before = tree(data)
    out = cli("run", "import", "export", "-d", str(data))
    assert out.returncode == 0, out.stderr
    assert tree(data) == before  # bytes and mtimes
    assert "Run completed successfully" in out.stderr
    # Again from an empty working DB.
    (data / ".leaderboard.db").unlink()
    assert cli("run", "import", "export", "-d", str(data)).returncode == 0
    assert tree(data) == before


def test_core_09_phases_run_in_canonical_order_and_repeat_once(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    shutil.copytree(UPSTREAM, data)
    out = cli("run", "export", "import", "import", "-d", str(data))
    assert out.returncode == 0, out.stderr
    phases = [
        line.split("Phase ")[1].split(":")[0]
        for line in out.stderr.splitlines()
        if "INFO: Phase " in line
    ]
    assert phases == ["import", "export"]


BAD_FILES = {
    "contributors/alice.md": "---\nrole: core\nname: [unclosed\n---\n",
    "contributors/bob.md": "---\nrole: core\n---\nBob\n",
    "activities/definitions.json": '[{"slug": "pr", "name": "PR", "description": "d", "points": 1}]',
    "activities/contributors/bob.jsonl": (
        '{"slug":"a1","contributor":"bob","activity_definition":"pr","occurred_at":"2024-01-01T00:00:00Z"}\n'
        '{"slug":"a2","contributor":"bob","activity_definition":"pr",\n'
        '{"slug":"a3","contributor":"../x","activity_definition":"pr","occurred_at":"2024-01-01T00:00:00Z"}\n'
        '{"slug":"a4","contributor":"bob","activity_definition":"nope","occurred_at":"2024-01-01T00:00:00Z"}\n'
        '{"slug":"a1","contributor":"bob","activity_definition":"pr","occurred_at":"2024-01-02T00:00:00Z"}\n'
    ),
}


def _bad_repo(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write_config(data)
    for rel, text in BAD_FILES.items():
        write(data, rel, text)
    return data


def test_core_55_bad_input_is_refused_with_every_problem_and_nothing_written(
    tmp_path: Path, cli: Runner
) -> None:
    data = _bad_repo(tmp_path)
    before = tree(data)
    for command in (["validate"], ["run"]):
        out = cli(*command, "-d", str(data))
        assert out.returncode == 3, (command, out.stdout, out.stderr)
        text = out.stdout + out.stderr
        for where in (
            "contributors/alice.md:",
            "activities/contributors/bob.jsonl:2",
            "activities/contributors/bob.jsonl:3",
            "activities/contributors/bob.jsonl:4",
            "activities/contributors/bob.jsonl:5",
        ):
            assert where in text, (where, text)
        assert tree(data) == before
        assert not (data / ".leaderboard.db").exists()
        assert not (data / ".leaderboard.lock").exists()


def test_core_55_skip_invalid_imports_the_valid_rest_and_protects_files(
    tmp_path: Path, cli: Runner
) -> None:
    data = _bad_repo(tmp_path)
    bad_activities = (data / "activities/contributors/bob.jsonl").read_bytes()
    out = cli("run", "import", "export", "--skip-invalid", "-d", str(data))
    assert out.returncode == 0, out.stderr
    assert (data / "activities/contributors/bob.jsonl").read_bytes() == bad_activities
    assert (data / "contributors/alice.md").exists()
    db = sqlite3.connect(data / ".leaderboard.db")
    assert db.execute("SELECT username FROM contributor").fetchall() == [("bob",)]


PLUGIN_WRITES_THEN_FAILS = """
name = "bad"
version = "1.0"

def scrape(ctx):
    ctx.db.execute("INSERT INTO contributor(username, role) VALUES ('ghost', 'core')")
    raise RuntimeError("boom")
"""

PLUGIN_GOOD = """
name = "good"
version = "1.0"
activity_definitions = [{"slug": "hello", "name": "Hello", "description": "Said hello", "points": 2}]

def scrape(ctx):
    yield {"kind": "contributor", "username": "carol", "role": "core"}
    yield {"kind": "activity", "slug": "hello-1", "contributor": "carol",
           "activity_definition": "hello", "occurred_at": "2024-01-10T10:00:00Z"}
"""


def test_core_11_failing_plugin_is_rolled_back_and_the_next_one_runs(
    tmp_path: Path, cli: Runner
) -> None:
    data = tmp_path / "data"
    write_config(
        data,
        extra="  plugins:\n    bad: {source: plugins/bad.py}\n    good: {source: plugins/good.py}\n",
    )
    write(data, "plugins/bad.py", PLUGIN_WRITES_THEN_FAILS)
    write(data, "plugins/good.py", PLUGIN_GOOD)
    out = cli("run", "-d", str(data))
    assert out.returncode == 1, out.stderr
    assert "ERROR: Scrape failed for plugin bad" in out.stderr
    assert (
        out.stderr.strip()
        .splitlines()[-1]
        .endswith("Run completed with 1 failure(s): bad (scrape): boom")
    )
    db = sqlite3.connect(data / ".leaderboard.db")
    assert db.execute("SELECT username FROM contributor ORDER BY 1").fetchall() == [("carol",)]
    assert db.execute("SELECT slug FROM activity").fetchall() == [("hello-1",)]
    assert (
        json.loads(db.execute("SELECT summary FROM _run").fetchone()[0])["failures"][0]["plugin"]
        == "bad"
    )
    # Export still ran: carol's files exist.
    assert (data / "activities/contributors/carol.jsonl").exists()
    assert (data / "contributors/carol.md").read_text() == "---\nrole: core\n---\n\n"


def test_core_09_fail_fast_stops_after_the_first_failure(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(
        data,
        extra="  plugins:\n    bad: {source: plugins/bad.py}\n    good: {source: plugins/good.py}\n",
    )
    write(data, "plugins/bad.py", PLUGIN_WRITES_THEN_FAILS)
    write(data, "plugins/good.py", PLUGIN_GOOD)
    out = cli("run", "--fail-fast", "-d", str(data))
    assert out.returncode == 1
    db = sqlite3.connect(data / ".leaderboard.db")
    assert db.execute("SELECT count(*) FROM activity").fetchone() == (0,)
    assert not (data / "activities/contributors/carol.jsonl").exists()


def test_core_09_unknown_plugin_id_is_a_usage_error(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(data)
    out = cli("run", "--plugin", "nope", "-d", str(data))
    assert out.returncode == 2 and "nope" in out.stderr


# A plugin that holds the run (and so the lock) in its scrape hook until the test says go: two
# FIFOs, no sleeping. `go` is opened before `ready` is written, so the go signal cannot be lost.
SLOW_PLUGIN = """
import os
import select

name = "slow"
version = "1"

def scrape(ctx):
    handshake = os.environ["HANDSHAKE_DIR"]
    go = os.open(os.path.join(handshake, "go"), os.O_RDONLY | os.O_NONBLOCK)
    try:
        with open(os.path.join(handshake, "ready"), "w") as fh:  # waits for the test to listen
            fh.write("scraping\\n")
        select.select([go], [], [], 300)  # until the test writes `go` (bounded, never reached)
    finally:
        os.close(go)
"""


def _wait_for_line(path: Path, process: subprocess.Popen[str]) -> str:
    """Read one line from the FIFO `path`, failing (not hanging) if `process` ends first."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        while process.poll() is None:
            readable, _, _ = select.select([fd], [], [], 1.0)
            if readable:
                data = os.read(fd, 100).decode()
                if data:
                    return data
        errors = process.stderr.read() if process.stderr is not None else ""
        raise AssertionError(f"the run ended before the handshake: {errors}")
    finally:
        os.close(fd)


def test_core_08_two_runs_at_once_second_exits_4(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(data, extra="  plugins:\n    slow: {source: plugins/slow.py}\n")
    write(data, "plugins/slow.py", SLOW_PLUGIN)
    handshake = tmp_path / "handshake"
    handshake.mkdir()
    os.mkfifo(handshake / "ready")
    os.mkfifo(handshake / "go")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    env.update(HANDSHAKE_DIR=str(handshake), LEADERBOARD_NOW="2024-02-01T12:00:00Z")
    first = subprocess.Popen(
        [sys.executable, "-m", "leaderboard", "run", "-d", str(data)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert _wait_for_line(handshake / "ready", first) == "scraping\n"  # it holds the lock
        second = cli("run", "-d", str(data))
        assert second.returncode == 4
        assert f"Data dir is locked by pid {first.pid}" in second.stderr
    finally:
        with contextlib.suppress(OSError):  # no reader when the first run failed early
            go = os.open(handshake / "go", os.O_WRONLY | os.O_NONBLOCK)
            os.write(go, b"go")
            os.close(go)
        assert first.wait(timeout=120) == 0
    assert not (data / ".leaderboard.lock").exists()


def test_core_12_invalid_now_is_a_usage_error(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(data)
    assert cli("run", "-d", str(data), now="next tuesday").returncode == 2


def test_core_05_remote_libsql_refused(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(data)
    out = cli("run", "-d", str(data), env={"LIBSQL_DB_URL": "libsql://db.example.org"})
    assert out.returncode == 3
    assert "Remote LibSQL databases are not supported; use a local file" in out.stderr


def test_core_05_libsql_file_url_selects_the_db(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(data)
    target = tmp_path / "elsewhere" / "x.db"
    out = cli("run", "-d", str(data), env={"LIBSQL_DB_URL": f"file://{target}"})
    assert out.returncode == 0, out.stderr
    assert target.exists() and not (data / ".leaderboard.db").exists()


PLUGIN_SETUP_FAILS = """
name = "fragile"
version = "1.0"

def setup(ctx):
    raise RuntimeError("no token")

def scrape(ctx):
    yield {"kind": "contributor", "username": "never", "role": "core"}

def aggregate(ctx):
    raise AssertionError("must not run after a failed setup")
"""


def test_core_11_failed_setup_skips_the_plugins_later_hooks(tmp_path: Path, cli: Runner) -> None:
    data = tmp_path / "data"
    write_config(
        data,
        extra="  plugins:\n    fragile: {source: plugins/fragile.py}\n    good: {source: plugins/good.py}\n",
    )
    write(data, "plugins/fragile.py", PLUGIN_SETUP_FAILS)
    write(data, "plugins/good.py", PLUGIN_GOOD)
    out = cli("run", "-d", str(data))
    assert out.returncode == 1, out.stderr
    assert "Plugin fragile scrape: skipped" in out.stderr
    assert "Plugin fragile aggregate: skipped" in out.stderr
    assert (
        out.stderr.strip()
        .splitlines()[-1]
        .endswith("Run completed with 1 failure(s): fragile (setup): no token")
    )
    db = sqlite3.connect(data / ".leaderboard.db")
    assert db.execute("SELECT username FROM contributor ORDER BY 1").fetchall() == [("carol",)]


def test_core_11_export_failure_ends_the_run_with_exit_1_and_a_summary(
    tmp_path: Path, cli: Runner
) -> None:
    data = tmp_path / "data"
    shutil.copytree(UPSTREAM, data)
    shutil.rmtree(data / "badges")
    (data / "badges").write_text("not a directory")
    out = cli("run", "import", "export", "-d", str(data))
    assert out.returncode == 1, out.stderr
    assert "Run completed with 1 failure(s): export (export):" in out.stderr
    db = sqlite3.connect(data / ".leaderboard.db")
    assert db.execute("SELECT status FROM _run").fetchall() == [("failed",)]
    assert not (data / ".leaderboard.lock").exists()
