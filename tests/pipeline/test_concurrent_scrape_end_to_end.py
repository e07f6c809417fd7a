"""CORE-25: `run` with plugins scraping side by side leaves the working DB and the exported files
byte-identical to a strictly sequential run, whatever order the plugins finish in."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from e2e import Runner, tree, write, write_config

# Three plugins whose data overlaps: the same people (with different profile fields), the same
# activity slugs (the later plugin's version wins), identities resolved across plugins, and a
# progress file each. Sleeps are random (unseeded), so every run finishes in a different order.
SYNC_PLUGIN = """
import random, time, json
name = "{name}"
version = "1"

def scrape(ctx):
    rnd = random.Random()
    yield {{"kind": "activity_definition", "slug": "commit", "name": "Commit",
           "description": "Pushed a commit", "points": 1}}
    for i, who in enumerate({people}):
        time.sleep(rnd.uniform(0, 0.03))
        user = ctx.identities.resolve("github", who) or ctx.identities.resolve_or_create(
            "github", who, username=who, defaults={{"role": "contributor", "name": "{name} " + who}})
        yield {{"kind": "activity", "slug": "commit-" + who + "-" + str(i % 3),
               "contributor": user, "activity_definition": "commit",
               "occurred_at": "2024-01-%02dT10:00:00Z" % (i + 1), "title": "{name} #" + str(i)}}
        if i % 2 == 1:
            ctx.identities.report_unresolved("slack", "U{name}" + str(i), hint="no profile")
            ctx.checkpoint()
            ctx.write_file(".progress-{name}.json", json.dumps({{"done": i}}))
"""

ASYNC_PLUGIN = """
import asyncio, random
name = "{name}"
version = "1"

async def scrape(ctx):
    rnd = random.Random()
    yield {{"kind": "activity_definition", "slug": "chat", "name": "Chat",
           "description": "Posted an update", "points": 2}}
    for i, who in enumerate({people}):
        await asyncio.sleep(rnd.uniform(0, 0.03))
        yield {{"kind": "contributor", "username": who, "role": "contributor",
               "name": "{name} " + who}}
        yield {{"kind": "activity", "slug": "commit-" + who + "-" + str(i % 3),
               "contributor": who, "activity_definition": "chat",
               "occurred_at": "2024-02-%02dT09:30:00+05:30" % (i + 1), "title": "{name} " + str(i)}}
        ctx.db.execute("UPDATE contributor SET bio = ? WHERE username = ? AND bio IS NULL",
                       ("seen by {name}", who))
        if i % 2 == 1:
            ctx.checkpoint()
"""

# The first plugin ends early; the other two then checkpoint often while both still run, so
# persisting in any order but config order would interleave their chunks.
PEOPLE_A = ["alice-maintainer", "renovate-bot"]
PEOPLE_B = ["bob", "dee", "frank", "alice-maintainer", "gita", "hana", "ivan", "eve"]
PEOPLE_C = ["gita", "eve", "bob", "zed", "dee", "chandrasekhar-venkataraman", "frank", "hana"]


def _data_dir(root: Path) -> Path:
    data = root / "data"
    write_config(
        data,
        extra="""  plugins:
    alpha: {source: plugins/alpha.py}
    beta: {source: plugins/beta.py}
    gamma: {source: plugins/gamma.py}
""",
    )
    write(data, "plugins/alpha.py", SYNC_PLUGIN.format(name="alpha", people=PEOPLE_A))
    write(data, "plugins/beta.py", ASYNC_PLUGIN.format(name="beta", people=PEOPLE_B))
    write(data, "plugins/gamma.py", SYNC_PLUGIN.format(name="gamma", people=PEOPLE_C))
    return data


def _tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name != '_run' ORDER BY name"
            )
        ]
        return {n: list(conn.execute(f'SELECT * FROM "{n}"')) for n in names}
    finally:
        conn.close()


def _files(data: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in tree(data).items() if not k.startswith("plugins/")}


def test_concurrent_runs_equal_a_sequential_run(tmp_path: Path, cli: Runner) -> None:
    outcomes = []
    for n, concurrency in enumerate(["1", "4", "4", "2", "3"]):
        data = _data_dir(tmp_path / f"run{n}")
        result = cli("run", "-d", str(data), env={"LEADERBOARD_CONCURRENCY": concurrency})
        assert result.returncode == 0, result.stderr
        outcomes.append((_tables(data / ".leaderboard.db"), _files(data)))
        shutil.rmtree(data / "plugins" / "__pycache__", ignore_errors=True)
    first_tables, first_files = outcomes[0]
    assert len(first_tables["activity"]) > 10 and any(
        k.startswith("activities/") for k in first_files
    )
    assert ".progress-alpha.json" in first_files and ".progress-gamma.json" in first_files
    for tables, files in outcomes[1:]:
        assert tables == first_tables
        assert files == first_files


def test_concurrency_setting_is_validated(tmp_path: Path, cli: Runner) -> None:
    data = _data_dir(tmp_path)
    bad_env = cli("run", "-d", str(data), env={"LEADERBOARD_CONCURRENCY": "lots"})
    assert bad_env.returncode == 2
    assert "Invalid LEADERBOARD_CONCURRENCY 'lots': must be a whole number from 1 to 64" in (
        bad_env.stderr
    )
    text = (data / "config.yaml").read_text()
    (data / "config.yaml").write_text(text + "runner:\n  concurrency: 0\n")
    bad_config = cli("validate", "-d", str(data))
    assert bad_config.returncode == 3
    assert "runner.concurrency: must be from 1 to 64 (got 0)" in bad_config.stdout + (
        bad_config.stderr
    )
