"""GitHub plugin benchmark (CORE-80): a 60-repository organisation on the fake GitHub server with
30 ms of latency per request, scraped with `concurrency: 5` and with `concurrency: 1`.

Usage: `python bench/github.py [--repos 60] [--latency 0.03] [--runs 3]` (part of `make bench`).
The scrape hook runs in process exactly as the runner calls it (its own event loop, a real
network transport to 127.0.0.1); the figures are wall time of the hook. Results replace the
"GitHub plugin" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from leaderboard.builtin.github import GithubPlugin
from leaderboard.plugins.hooks import run_hook
from leaderboard.plugins.static import apply_plugin_definitions
from leaderboard.testing import make_context, memory_db
from leaderboard.testing.github_fixtures import synthetic_org
from leaderboard.testing.github_server import GitHubServer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
SECTION = "## GitHub plugin: concurrent repositories (CORE-80)"


class _Loaded:
    id = "github"
    index = 1

    def __init__(self) -> None:
        self.plugin = GithubPlugin()


class RemoteServer:
    """The fake server in a child process, as GitHub is on another machine: its JSON work and
    threads do not compete with the plugin for this process's GIL."""

    def __init__(self, doc: dict[str, Any], latency: float) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, doc, latency), daemon=True)
        self.process.start()
        self.url: str = self.conn.recv()

    def call(self, command: str) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def stop(self) -> None:
        self.call("stop")
        self.process.join(10)


def _serve(conn: Any, doc: dict[str, Any], latency: float) -> None:
    server = GitHubServer(doc, latency=latency).start()
    conn.send(server.url)
    while True:
        command = conn.recv()
        if command == "clear":
            server.clear()
            conn.send(None)
        elif command == "count":
            conn.send(len(server.requests))
        else:
            server.stop()
            conn.send(None)
            return


def scrape_once(server: RemoteServer, concurrency: int) -> tuple[float, int, int]:
    """(seconds, requests, activities) of one setup + scrape on a fresh DB."""
    db = memory_db()
    loaded = _Loaded()
    apply_plugin_definitions(db, loaded.plugin)
    config = {"githubOrg": "bench-org", "githubToken": "ghp_bench", "apiUrl": server.url,
              "concurrency": concurrency, "progressFiles": False}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        timings = {}
        for hook in ("setup", "scrape"):
            ctx = make_context("github", config=config, db=db, now=NOW, data_dir=tmp,
                               transport=httpx.AsyncHTTPTransport())  # type: ignore[arg-type]  # fmt: skip
            start = time.perf_counter()
            result = run_hook(db, loaded, hook, ctx)
            timings[hook] = time.perf_counter() - start
            if result.status != "ok":
                raise SystemExit(f"{hook} failed: {result.error}")
    before = int(server.call("count"))
    activities = int(db.scalar("SELECT COUNT(*) FROM activity"))
    db.close()
    return timings["scrape"], before, activities


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    doc = synthetic_org("bench-org", repos=args.repos, seed=5, now=NOW, issues=8, pulls=6,
                        comments=12, commits=8, pushes=2, older=2)  # fmt: skip
    figures: dict[int, list[float]] = {5: [], 1: []}
    requests = activities = 0
    server = RemoteServer(doc, args.latency)
    load = os.getloadavg()[0]
    try:
        for run in range(args.runs):
            for concurrency in (5, 1) if run == 0 else (5,):
                server.call("clear")
                seconds, requests, activities = scrape_once(server, concurrency)
                figures[concurrency].append(seconds)
                print(f"concurrency {concurrency}: {seconds:.2f} s, {requests} requests, "
                      f"{activities} activities", flush=True)  # fmt: skip
    finally:
        server.stop()
    load = max(load, os.getloadavg()[0])
    fast = statistics.median(figures[5])
    slow = statistics.median(figures[1])
    ratio = slow / fast
    floor = requests * args.latency
    verdict = "ok" if ratio >= 4 else "UNDER"
    lines = [
        f"Command: `python bench/github.py --repos {args.repos} --latency {args.latency} "
        f"--runs {args.runs}`; machine: {os.cpu_count()} cores (load average up to {load:.1f}), "
        f"Python {platform.python_version()}; "
        f"measured {datetime.now(UTC):%Y-%m-%d}. Fake GitHub server (`leaderboard.testing."
        "github_server`) on 127.0.0.1 in a child process, synthetic organisation from `github_fixtures.synthetic_org` "
        f"({args.repos} repositories in the window + 1 older; {requests} requests, {activities} "
        "activities per scrape). Wall time of the scrape hook.",
        "",
        "| concurrency | median s | range s | runs | budget |",
        "| --- | --- | --- | --- | --- |",
        f"| 1 (sequential) | {slow:.2f} | {min(figures[1]):.2f}–{max(figures[1]):.2f} | "
        f"{len(figures[1])} | — |",
        f"| 5 (default) | {fast:.2f} | {min(figures[5]):.2f}–{max(figures[5]):.2f} | "
        f"{len(figures[5])} | ≥ 4× faster than 1: **{ratio:.2f}×** {verdict} |",
        "",
        f"The latency alone of {requests} sequential requests is {floor:.1f} s; five at a time it "
        f"is {floor / 5:.1f} s, so 5× is the ceiling of `concurrency: 5`.",
        "",
    ]
    write_section(args.out, SECTION, "\n".join(lines))
    print(f"ratio {ratio:.2f}× ({verdict}); wrote {args.out}")
    return 0 if ratio >= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
