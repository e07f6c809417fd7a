"""The chunked public DB (WEB-47, issue 17): bytes shipped, and what reading across chunk ends
costs the explorer, for one or more built sites side by side (e.g. before and after a change).

    python bench/chunks.py --site before=/tmp/x/site-a --site after=/tmp/x/site-b \
        [--out bench/RESULTS.md] [--note "load 3-5"] [--no-browser]

For each site: the database's length (`data.db.json`), the chunk files (count, bytes, largest)
and their bytes beyond the database (the overlap earlier builds carried). Then, in real headless
Chromium against `leaderboard serve`'s server on 127.0.0.1 (a fresh page per query): every
example of the page and a scan of the whole activity table (the library's read-ahead grows to
its 5 MiB maximum, so most of its reads cross a chunk's end), each with its result rows, the
bytes and requests the library counts, the HTTP requests for chunk files on the wire, and the
query's wall time as the page measures it. Sites are probed in turn, query by query, so
before/after pairs are taken in the same minutes. Wall times depend on the machine's load; the
bytes and requests do not. The section "## Chunked public DB (WEB-47)" of the results file is
replaced.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from explorer_probe import ARGS  # noqa: E402  (bench/ is on sys.path)
from results import write_section  # noqa: E402

SECTION = "## Chunked public DB (WEB-47)"
MiB = 1024 * 1024
# reads every page of `_activity` (the table behind the `activity` view), front to back:
# the library's read-ahead doubles up to its 5 MiB maximum
SCAN = "SELECT COUNT(*), SUM(LENGTH(title)), MAX(occurred_at) FROM _activity;"


@dataclass
class OnDisk:
    database: int  # bytes of the database (databaseLengthBytes, or data.db's size)
    files: int  # chunk files (0: one data.db)
    chunk_bytes: int
    largest: int
    chunk_size: int


@dataclass
class Probe:
    rows: str = ""  # the first result row as the page shows it, or the error
    fetched: int = 0  # bytes the library counts
    requests: int = 0  # reads the library counts
    http: int = 0  # HTTP requests for the database's files on the wire
    ms: float = 0.0  # the query's wall time as the page measures it
    samples: list[float] = field(default_factory=list)


def on_disk(site: Path) -> OnDisk:
    config = site / "data.db.json"
    if not config.is_file():
        size = (site / "data.db").stat().st_size
        return OnDisk(size, 0, 0, size, 0)
    settings = json.loads(config.read_text())
    chunks = sorted(p for p in site.glob("data.db.[0-9]*") if p.suffix != ".json")
    sizes = [p.stat().st_size for p in chunks]
    return OnDisk(
        int(settings["databaseLengthBytes"]),
        len(chunks),
        sum(sizes),
        max(sizes),
        int(settings["serverChunkSize"]),
    )


def queries() -> list[tuple[str, str]]:
    from leaderboard.explorer.page import EXAMPLES

    return [*EXAMPLES, ("Whole-table scan", SCAN)]


class Browser:
    """One Chromium and one server per site; a fresh page per query."""

    def __init__(self, sites: dict[str, Path], chromium: str) -> None:
        from playwright.sync_api import sync_playwright

        from leaderboard.serve import make_server

        self.servers = {
            name: make_server(site, host="127.0.0.1", port=0) for name, site in sites.items()
        }
        for server in self.servers.values():
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=chromium, args=ARGS)

    def run(self, name: str, sql: str) -> Probe:
        server = self.servers[name]
        url = f"http://127.0.0.1:{server.server_address[1]}"
        page = self.browser.new_page()
        http: list[str] = []  # GETs of the database's files since the page loaded, like
        page.on(  # the library's counters (its HEAD of the first chunk is not a read)
            "request",
            lambda r: http.append(r.url) if "/data.db" in r.url and r.method == "GET" else None,
        )
        try:
            page.goto(f"{url}/data/")
            page.wait_for_selector("[data-explorer][data-ready]", timeout=120000)
            page.fill("[data-sql-editor]", sql)
            page.click("[data-run]")
            page.wait_for_function(
                "document.querySelector('[data-run]').textContent === 'Run'"
                " && document.querySelector('[data-results]').children.length > 0",
                timeout=600000,
            )
            error = page.locator("[data-query-error]")
            if error.count():
                return Probe(rows="error: " + (error.text_content() or "").strip()[:200])
            stats = page.locator("[data-stats]")
            line = stats.text_content() or ""
            first = page.locator(".explorer-table tbody tr").first.inner_text()
            total = page.locator(".explorer-footer span").first.text_content() or ""
            requests = int(line.split(" · ")[2].split(" ")[0].replace(",", ""))
            return Probe(
                rows=f"{total.split(' · ')[0]}; first: {', '.join(first.split(chr(9))[1:])[:60]}",
                fetched=int(stats.get_attribute("data-fetched-bytes") or 0),
                requests=requests,
                http=len(http),
                ms=float(line.split(" ms")[0]),
            )
        finally:
            page.close()

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()
        for server in self.servers.values():
            server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", action="append", required=True, help="name=DIR, repeatable")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--note", default="", help="e.g. the machine's load, for the section")
    parser.add_argument("--runs", type=int, default=1, help="probes per query and site")
    parser.add_argument("--no-browser", action="store_true", help="bytes on disk only")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    sites = {s.split("=", 1)[0]: Path(s.split("=", 1)[1]) for s in args.site}
    disk = {name: on_disk(site) for name, site in sites.items()}
    lines = [
        "| site | database | chunk size | chunk files | chunk bytes | beyond the database | largest file |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, d in disk.items():
        lines.append(
            f"| {name} | {d.database / 1e6:,.1f} MB | {d.chunk_size / MiB:g} MiB | {d.files} | "
            f"{d.chunk_bytes / 1e6:,.1f} MB | {(d.chunk_bytes - d.database) / 1e6:,.1f} MB "
            f"({(d.chunk_bytes - d.database) / max(1, d.database):.1%}) | {d.largest / MiB:.1f} MiB |"
        )
    if not args.no_browser:
        browser = Browser(sites, args.chromium)
        try:
            results: dict[tuple[str, str], Probe] = {}
            for label, sql in queries():
                for _ in range(args.runs):
                    for name in sites:  # interleaved: the pairs share the machine's minutes
                        got = browser.run(name, sql)
                        kept = results.setdefault((label, name), got)
                        kept.samples.append(got.ms)
                        print(f"{label} / {name}: {got}", flush=True)
        finally:
            browser.close()
        lines += [
            "",
            "| query | site | result | library: bytes, reads | HTTP requests | ms (each run) |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for (label, name), p in results.items():
            runs = ", ".join(f"{ms:,.0f}" for ms in p.samples)
            lines.append(
                f"| {label} | {name} | {p.rows} | {p.fetched:,} B, {p.requests:,} | {p.http:,} | {runs} |"
            )
    print("\n".join(lines))
    header = (
        f"`python bench/chunks.py {' '.join('--site ' + s for s in args.site)}"
        f"{f' --runs {args.runs}' if args.runs > 1 else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC{'; ' + args.note if args.note else ''}. "
        "Library bytes and reads are the page's own counters since it loaded (the database "
        "header and schema included); HTTP requests count the GETs of the database's files on "
        "the wire over the same span (a library read that crosses chunk ends is two or more); "
        "ms is the query's wall time in the page, load-dependent."
    )
    write_section(args.out, SECTION, header + "\n\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    sys.exit(code)
