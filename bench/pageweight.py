"""Page weight of a built site (CORE-80, WEB-63): no HTML page above 512 KiB, the median
profile at most 100 KiB, JavaScript at most 100 KiB per page outside the Data Explorer, and
every ranked contributor reachable without JavaScript through the numbered leaderboard pages.

`measure(site)` is called by `bench/run.py` after its builds; on its own,
`python bench/pageweight.py --scale 1` generates the benchmark data, runs and builds it (no OG
images: they do not change HTML) and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

HTML_LIMIT = 512 * 1024
PROFILE_MEDIAN_LIMIT = 100 * 1024
JS_LIMIT = 100 * 1024
_SCRIPT = re.compile(r'<script src="([^"?]+)')


def _is_profile(rel: str, page: str) -> bool:
    return '<meta property="og:type" content="profile">' in page and not rel.startswith("docs/")


def measure(site: Path) -> tuple[list[str], bool]:
    """(report lines, every limit met)."""
    sizes: dict[str, int] = {}
    profiles: list[int] = []
    js_over: list[str] = []
    base = ""
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        data = path.read_bytes()
        sizes[rel] = len(data)
        page = data.decode("utf-8", "replace")
        if _is_profile(rel, page):
            profiles.append(len(data))
        if rel == "index.html":
            m = re.search(r'<link rel="canonical" href="https?://[^/]+(/[^"]*)"', page)
            base = m.group(1) if m else "/"
        if not rel.startswith("data/"):
            js = sum(
                (site / src.removeprefix(base)).stat().st_size
                for src in _SCRIPT.findall(page)
                if (site / src.removeprefix(base)).is_file()
            )
            if js > JS_LIMIT:
                js_over.append(f"{rel} ({js / 1024:.0f} KiB)")
    largest = max(sizes, key=lambda k: sizes[k])
    median = statistics.median(profiles) if profiles else 0
    over = [f"{k} ({v / 1024:.0f} KiB)" for k, v in sizes.items() if v > HTML_LIMIT]
    reach = _reachable(site)
    ok = not over and median <= PROFILE_MEDIAN_LIMIT and not js_over and reach[0]
    lines = [
        f"{len(sizes):,} HTML pages; largest {largest} {sizes[largest] / 1024:.0f} KiB "
        f"(limit 512 KiB) {'ok' if not over else 'OVER: ' + ', '.join(over[:5])}",
        f"median profile {median / 1024:.1f} KiB over {len(profiles):,} profiles "
        f"(limit 100 KiB) {'ok' if median <= PROFILE_MEDIAN_LIMIT else 'OVER'}; "
        f"largest profile {max(profiles, default=0) / 1024:.0f} KiB",
        f"JavaScript per page outside /data/ ≤ 100 KiB {'ok' if not js_over else 'OVER: ' + ', '.join(js_over[:3])}",
        reach[1],
    ]
    return lines, ok


def _reachable(site: Path) -> tuple[bool, str]:
    """Every ranked contributor of the all-time JSON ranking appears on a numbered page."""
    board = site / "leaderboard" / "all-time"
    api = site / "api" / "v1" / "leaderboard" / "all-time.json"
    if not board.is_dir() or not api.is_file():
        return True, "all-time board or JSON API not built: reachability not checked"
    wanted = {
        e["username"].lower()
        for e in json.loads(api.read_text(encoding="utf-8"))["entries"]
        if e["points"] > 0
    }
    pages = [board / "index.html", *sorted(board.glob("page/*/index.html"))]
    seen: set[str] = set()
    for p in pages:
        main = p.read_text(encoding="utf-8").split('id="lb-bots"')[0]
        seen |= set(re.findall(r'data-username="([^"]+)"', main))
    missing = wanted - {s.replace("&amp;", "&") for s in seen}
    ok = not missing
    return ok, (
        f"all-time ranking: {len(wanted):,} ranked contributors on {len(pages)} numbered pages, "
        + ("every one reachable without JavaScript ok" if ok else f"MISSING {len(missing)}")
    )


def main(argv: list[str] | None = None) -> int:
    from generate import generate
    from run import NOW, run_cli

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-bench-weight"))
    args = parser.parse_args(argv)
    data = args.work / f"data-x{args.scale}"
    site = args.work / f"site-x{args.scale}"
    if not (data / ".leaderboard.db").exists():
        generate(
            data,
            scale=args.scale,
            now=datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC),
        )
        run_cli(["run", "-d", str(data)])
    seconds, peak, _ = run_cli(["build", "-d", str(data), "--out", str(site), "--no-og"])
    print(f"x{args.scale} build (no OG): {seconds:.1f} s, peak {peak:.0f} MB")
    lines, ok = measure(site)
    for line in lines:
        print(f"x{args.scale} page weight: {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
