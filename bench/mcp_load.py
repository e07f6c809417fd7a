"""MCP server under load (issue 12): concurrent HTTP clients, latency percentiles and server RSS.

Generates the synthetic organisation of `bench/generate.py` (default 10×: 15,000 contributors,
1.3 M activities), runs the pipeline once, starts `leaderboard-mcp --transport http` on an
ephemeral 127.0.0.1 port with a fixed `--now`, and lets N clients (the official SDK client over
Streamable HTTP, one session each) call for a fixed time:

- `get_leaderboard` for a period (week, month, year, all-time): the answers the server caches;
- `get_contributor_stats` for a random contributor: computed on every call.

Before the clock starts one client alone measures each period's first computation and ten
leaderboards of random date windows (never cached).

Reports errors, p50/p95/max latency per kind and the server's peak RSS (process tree, sampled
every 50 ms), and writes its own section of bench/RESULTS.md. Bounded: loopback only, at most
`--seconds` of calls after a warm-up, every request with a timeout.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)

NOW = "2026-11-01T12:00:00Z"
BIN = Path(sys.executable).parent
SECTION = "## MCP server under load"
BUDGET_CACHED = 0.100
BUDGET_OTHER = 0.500
BUDGET_RSS_MB = 500
INF = float("inf")


def tree_rss_mb(pid: int) -> float:
    from run import _tree_rss_mb  # type: ignore[import-not-found]

    return float(_tree_rss_mb(pid))


def prepare(scale: int, work: Path) -> tuple[Path, float]:
    """The data dir with a working DB (generated and run once; reused when already there)."""
    from generate import generate  # type: ignore[import-not-found]

    data = work / f"mcp-x{scale}"
    marker = data / ".bench-ready"
    if marker.exists():
        return data, 0.0
    started = time.monotonic()
    generate(data, scale=scale, now=datetime(2026, 11, 1, 12, tzinfo=UTC))
    done = subprocess.run(
        [str(BIN / "leaderboard"), "run", "-d", str(data), "--now", NOW, "--offline", "-q"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"leaderboard run failed:\n{done.stderr}")
    marker.write_text("ok\n")
    return data, time.monotonic() - started


def start_server(data: Path) -> tuple[subprocess.Popen[str], str, float]:
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(BIN / "leaderboard-mcp"), "--transport", "http", "--port", "0",
         "--data-dir", str(data), "--now", NOW],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        match = re.search(r"listening on (http://\S+?:\d+/mcp)", line)
        if match:
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, match.group(1), time.monotonic() - started
    raise SystemExit(f"server did not start (exit {proc.wait()})")


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc; the server runs queries in its own threads)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            time.sleep(0.05)


def usernames(data: Path, count: int, seed: int) -> list[str]:
    conn = sqlite3.connect(f"{(data / '.leaderboard.db').as_uri()}?mode=ro", uri=True)
    names = [r[0] for r in conn.execute("SELECT username FROM contributor ORDER BY username")]
    conn.close()
    return random.Random(seed).sample(names, min(count, len(names)))


async def load(
    url: str, clients: int, seconds: float, people: list[str], pid: int
) -> dict[str, Any]:
    from mcp import Client

    samples: dict[str, list[float]] = {"first": [], "cached": [], "stats": [], "window": []}
    # (latency, start in seconds after the clock started, kind, argument) of every timed call
    timeline: list[tuple[float, float, str, str]] = []
    clock: list[float] = []  # [end (monotonic), start (perf_counter)] once every client is in
    errors: list[str] = []
    periods = ["week", "month", "year", "all-time"]
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)

    async def timed(c: Any, kind: str, name: str, args: dict[str, Any]) -> None:
        began = time.perf_counter()
        try:
            result = await c.call_tool(name, args)
            if result.is_error:
                errors.append(result.content[0].text[:200])
        except Exception as exc:  # counted and reported
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
        took = time.perf_counter() - began
        samples[kind].append(took)
        if clock:
            label = str(args.get("period") or args.get("username"))
            timeline.append((took, began - clock[1], kind, label))

    async with Client(url, mode="legacy", read_timeout_seconds=120) as c:
        # One client alone: the first (uncached) computation of each period, and leaderboards of
        # random date windows (never cached), so their cost is seen without queueing.
        for period in periods:
            await timed(c, "first", "get_leaderboard", {"period": period, "limit": 50})
        rng = random.Random(0)
        for _ in range(10):
            end = now - timedelta(days=rng.randrange(0, 700))
            start = end - timedelta(weeks=rng.randrange(1, 14))
            window = {"start_date": start.date().isoformat(), "end_date": end.date().isoformat()}
            await timed(c, "window", "get_leaderboard", window)

    connected = 0
    cpu: dict[str, float] = {}
    go = anyio.Event()

    async def one(index: int) -> None:
        nonlocal connected
        rng = random.Random(index)
        async with Client(url, mode="legacy", read_timeout_seconds=60) as c:
            connected += 1
            if connected == clients:  # the clock starts once every client is connected
                clock.extend([time.monotonic() + seconds, time.perf_counter()])
                cpu["server"] = tree_cpu_seconds(pid)
                cpu["client"] = time.process_time()
                cpu["load_before"] = os.getloadavg()[0]
                go.set()
            await go.wait()
            while time.monotonic() < clock[0]:
                period = rng.choice(periods)
                await timed(c, "cached", "get_leaderboard", {"period": period, "limit": 50})
                await timed(c, "stats", "get_contributor_stats", {"username": rng.choice(people)})

    async with anyio.create_task_group() as tg:
        for i in range(clients):
            tg.start_soon(one, i)
    cpu["server"] = tree_cpu_seconds(pid) - cpu["server"]
    cpu["client"] = time.process_time() - cpu["client"]
    return {
        "samples": samples,
        "errors": errors,
        "cpu": cpu,
        "load": os.getloadavg()[0],
        "timeline": timeline,
    }


def slowest(timeline: list[tuple[float, float, str, str]], count: int = 5) -> str:
    """The slowest timed calls, each with when it started and how many other calls started
    within ±0.5 s took over half as long (many: the server or machine stalled; none: that one
    call was slow)."""
    out = []
    for took, start, kind, label in sorted(timeline, reverse=True)[:count]:
        near = sum(
            1 for t, s, _, _ in timeline if abs(s - start) <= 0.5 and t >= took / 2 and s != start
        )
        out.append(f"{took * 1000:.0f} ms at {start:.1f} s ({kind} {label}; {near} slow nearby)")
    return "; ".join(out)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("inf")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="MCP server load benchmark")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.seconds > 300 or args.clients > 100:
        raise SystemExit("bounded: at most 300 s and 100 clients")
    args.work.mkdir(parents=True, exist_ok=True)
    data, prep = prepare(args.scale, args.work)
    people = usernames(data, 2000, seed=1)
    proc, url, startup = start_server(data)
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        result = anyio.run(load, url, args.clients, args.seconds, people, proc.pid)
    finally:
        sampler.stop.set()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    s, errors = result["samples"], result["errors"]
    calls = len(s["cached"]) + len(s["stats"])
    rows = []
    for label, values, budget in (
        (f"get_leaderboard, period, cached ({args.clients} clients)", s["cached"], BUDGET_CACHED),
        (
            f"get_contributor_stats, random person ({args.clients} clients)",
            s["stats"],
            BUDGET_OTHER,
        ),
        ("get_leaderboard, period, first computation (1 client)", s["first"], None),
        ("get_leaderboard, random 1–13-week window (1 client)", s["window"], None),
    ):
        p95 = pct(values, 0.95)
        verdict = "—"
        if budget is not None:
            verdict = f"≤ {budget * 1000:.0f} ms " + ("ok" if p95 <= budget else "OVER")
        median = statistics.median(values) if values else INF
        rows.append(
            f"| {label} | {len(values)} | {median * 1000:.1f} | {p95 * 1000:.1f} | "
            f"{max(values, default=INF) * 1000:.1f} | {verdict} |"
        )
    conn = sqlite3.connect(f"{(data / '.leaderboard.db').as_uri()}?mode=ro", uri=True)
    n_people = conn.execute("SELECT COUNT(*) FROM contributor").fetchone()[0]
    n_acts = conn.execute("SELECT COUNT(*) FROM activity").fetchone()[0]
    conn.close()
    rss_verdict = "ok" if sampler.peak <= BUDGET_RSS_MB else "OVER"
    text = "\n".join(
        [
            f"`python bench/mcp_load.py --scale {args.scale} --clients {args.clients} "
            f"--seconds {args.seconds:g}` (run by `make bench`), {os.cpu_count()} cores shared with "
            f"the clients, {datetime.now(UTC).date()}. Data: `bench/generate.py` ×{args.scale} "
            f"({n_people:,} contributors, {n_acts:,} activities), fixed now {NOW}, public view. "
            f"{args.clients} SDK clients over Streamable HTTP on 127.0.0.1 for {args.seconds:g} s, "
            "each alternating a period leaderboard (week/month/year/all-time, cached after its "
            "first computation) and a random contributor's stats (computed every time).",
            "",
            "| call | calls | p50 ms | p95 ms | max ms | budget (p95) |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            f"- calls: {calls} in {args.seconds:g} s ({calls / args.seconds:.0f}/s), errors: {len(errors)}"
            + (f" (first: {errors[0]})" if errors else ""),
            f"- CPU during the timed phase: server {result['cpu']['server']:.1f} s "
            f"({result['cpu']['server'] / max(calls, 1) * 1000:.1f} ms per call), clients "
            f"{result['cpu']['client']:.1f} s ({result['cpu']['client'] / max(calls, 1) * 1000:.1f} "
            f"ms per call); 1-minute load average {result['cpu']['load_before']:.1f} at the start, "
            f"{result['load']:.1f} at the end, on "
            f"{os.cpu_count()} cores (other jobs share the machine)",
            f"- slowest timed calls: {slowest(result['timeline'])}",
            f"- server peak RSS (process tree): {sampler.peak:.0f} MB (budget ≤ {BUDGET_RSS_MB} MB) "
            f"{rss_verdict}",
            f"- server start-up (public view built from the working DB): {startup:.1f} s"
            + (f"; data generated and run once in {prep:.0f} s" if prep else ""),
            "",
        ]
    )
    print(text)
    write_section(args.out, SECTION, text)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
