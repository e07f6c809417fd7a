"""CORE-80 / CORE-25: two network plugins side by side take about the time of the slower one.

Usage: bench/network_plugins.py [--requests N] [--latency-ms MS] [--runs R] [--out RESULTS.md]

Two small local plugins each make N *sequential* requests to their own HTTP server on 127.0.0.1
that answers every request after MS milliseconds (one sync plugin using `ctx.http`, one async
plugin using `ctx.async_http`; the second makes 25% more requests, so it is the slower one). Each
response becomes an activity record, so staging and the in-order replay are part of what is
measured. `leaderboard run scrape` runs as a subprocess: each plugin alone, then both with
`LEADERBOARD_CONCURRENCY=1` and with the default 4. The figure is the scrape phase's duration from
the run summary (start-up excluded); the ratio "together / slower alone" should be close to 1.
The section "Network plugins side by side" of RESULTS.md is replaced; the rest is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)

SECTION = "## Network plugins side by side (CORE-25, CORE-80)"

SYNC_PLUGIN = """
name = "north"
version = "1"

def scrape(ctx):
    yield {"kind": "activity_definition", "slug": "north_event", "name": "North event",
           "description": "An event from the north server", "points": 1}
    yield {"kind": "contributor", "username": "north-bot", "role": "bot"}
    with ctx.http(ctx.config["url"]) as client:
        for i in range(int(ctx.config["requests"])):
            body = client.get("/events", params={"page": i}).json()
            yield {"kind": "activity", "slug": "north-%d" % i, "contributor": "north-bot",
                   "activity_definition": "north_event", "occurred_at": body["at"]}
"""

ASYNC_PLUGIN = """
name = "south"
version = "1"

async def scrape(ctx):
    yield {"kind": "activity_definition", "slug": "south_event", "name": "South event",
           "description": "An event from the south server", "points": 1}
    yield {"kind": "contributor", "username": "south-bot", "role": "bot"}
    async with ctx.async_http(ctx.config["url"]) as client:
        for i in range(int(ctx.config["requests"])):
            body = (await client.get("/events", params={"page": i})).json()
            yield {"kind": "activity", "slug": "south-%d" % i, "contributor": "south-bot",
                   "activity_definition": "south_event", "occurred_at": body["at"]}
"""


def serve(latency: float) -> ThreadingHTTPServer:
    """A 127.0.0.1 server on an ephemeral port answering every GET after `latency` seconds."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real API

        def do_GET(self) -> None:
            time.sleep(latency)
            body = json.dumps({"at": "2026-10-01T10:00:00Z"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def data_dir(root: Path, north: str, south: str, requests: int) -> Path:
    data = root / "data"
    (data / "plugins").mkdir(parents=True)
    (data / "plugins" / "north.py").write_text(SYNC_PLUGIN)
    (data / "plugins" / "south.py").write_text(ASYNC_PLUGIN)
    slower = requests + requests // 4
    (data / "config.yaml").write_text(
        "org:\n  name: Bench Org\n  description: Network plugin benchmark\n"
        "  url: https://example.org\n  logo_url: /logo.svg\n"
        "leaderboard:\n  plugins:\n"
        f"    north:\n      source: plugins/north.py\n      config: {{url: '{north}', requests: {requests}}}\n"
        f"    south:\n      source: plugins/south.py\n      config: {{url: '{south}', requests: {slower}}}\n"
    )
    return data


def scrape_seconds(data: Path, *plugins: str, concurrency: str) -> float:
    """Run the scrape phase on a fresh working DB; return its duration from the run summary."""
    db = data / ".leaderboard.db"
    db.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    env.update({"LEADERBOARD_CONCURRENCY": concurrency, "LEADERBOARD_NOW": "2026-11-01T12:00:00Z"})
    args = [sys.executable, "-m", "leaderboard", "run", "scrape", "-d", str(data)]
    for plugin in plugins:
        args += ["--plugin", plugin]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"run failed ({result.returncode}):\n{result.stderr}")
    match = re.search(r"Phase scrape: ([0-9.]+)s", result.stderr)
    if match is None:
        raise SystemExit(f"no scrape phase duration in:\n{result.stderr}")
    return float(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    north = serve(args.latency_ms / 1000)
    south = serve(args.latency_ms / 1000)
    cases = [
        ("north alone (sync, N requests)", ("north",), "4"),
        ("south alone (async, 1.25 N requests)", ("south",), "4"),
        ("both, concurrency 1", (), "1"),
        ("both, concurrency 4", (), "4"),
    ]
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    with tempfile.TemporaryDirectory(prefix="netbench-") as tmp:
        data = data_dir(
            Path(tmp),
            f"http://127.0.0.1:{north.server_port}",
            f"http://127.0.0.1:{south.server_port}",
            args.requests,
        )
        for _ in range(args.runs):  # interleaved, so a slow moment hits every case alike
            for name, plugins, concurrency in cases:
                times[name].append(scrape_seconds(data, *plugins, concurrency=concurrency))
    north.shutdown()
    south.shutdown()
    med = {name: statistics.median(values) for name, values in times.items()}
    slower = max(med[cases[0][0]], med[cases[1][0]])
    together = med["both, concurrency 4"]
    rows = [
        f"| {name} | {med[name]:.2f} | {min(times[name]):.2f}–{max(times[name]):.2f} |"
        for name, _, _ in cases
    ]
    lines = [
        f"`python bench/network_plugins.py --requests {args.requests} --latency-ms "
        f"{args.latency_ms:g} --runs {args.runs}` (part of `make bench`). Two local plugins make "
        f"sequential requests to their own 127.0.0.1 server ({args.latency_ms:g} ms per request): "
        f"north (sync, {args.requests} requests) and south (async, "
        f"{args.requests + args.requests // 4} requests). Scrape-phase seconds from the run "
        "summary (process start-up excluded), median of the runs, cases interleaved.",
        "",
        "| case | median s | range s |",
        "| --- | --- | --- |",
        *rows,
        "",
        f"Both together take {together / slower:.2f}× the slower plugin alone "
        f"(budget: about 1×); run one after another they take "
        f"{med['both, concurrency 1'] / slower:.2f}×.",
    ]
    for line in lines:
        print(line)
    write_section(args.out, SECTION, "\n".join(lines))
    print(f"updated {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
