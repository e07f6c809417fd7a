"""Host profiles at full size (WEB-64, issue 17): does the benchmark organisation's site fit the
static hosts it is meant for?

- 5,000 contributors and 450,000 activities (`generate.py --contributors 5000 --activities
  450000`, the shape of the real organisation) with the default profile (`github-pages`):
  ≤ 20,000 files, ≤ 1 GB, no file over 25 MiB, every contributor's profile in the sitemap.
- 10× (`--scale 10`: 15,000 contributors, 1.3 million activities): ≤ 100,000 files and ≤ 1 GB
  with `cloudflare-paid`, and with `github-pages` either a fit or a build error naming the limit,
  the figure and the option to change.

    python bench/hosts.py [--sizes 5k,x10] [--work /tmp/leaderboard-bench-hosts]

Each size is generated, `run` and built (with Open Graph images, offline) once per profile into
its own directory; figures come from the files on disk. The "Host profiles" section of
bench/RESULTS.md is replaced; the rest is kept. The 10× builds take many minutes: run with nice.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)

SECTION = "## Host profiles (WEB-64) — issue 17"
NOW = "2026-11-01T12:00:00Z"
SIZES = {
    "5k": ({"contributors": 5_000, "activities": 450_000}, ["github-pages"]),
    "x10": ({"scale": 10}, ["cloudflare-paid", "github-pages"]),
}
LIMITS = {
    "github-pages": (20_000, 10**9),  # the issue: the default fits Cloudflare's free plan too
    "cloudflare-paid": (100_000, 10**9),
}
MiB = 1024 * 1024


def _cli(args: list[str]) -> tuple[int, float, float, str]:
    """(exit code, wall s, CPU s of the process tree, stderr)."""
    env = {**os.environ, "LEADERBOARD_NOW": NOW, "LEADERBOARD_OFFLINE": "1"}
    vendor = HERE.parent / "node_modules" / "sql.js-httpvfs"
    if vendor.is_dir():
        env.setdefault("LEADERBOARD_VENDOR_DIR", str(vendor))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "leaderboard", *args], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode, wall, cpu, proc.stderr


def _measure(site: Path) -> tuple[int, int, str, int]:
    files = total = 0
    largest, largest_bytes = "", 0
    for path in site.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            files += 1
            total += size
            if size > largest_bytes:
                largest, largest_bytes = path.relative_to(site).as_posix(), size
    return files, total, largest, largest_bytes


def _s(seconds: float) -> str:
    """Seconds for the table; "—" when not recorded (a build measured from disk only)."""
    return f"{seconds:.0f}" if seconds else "—"


def _kinds(stderr: str) -> str:
    m = re.search(r"Files by kind: (.*)", stderr)
    b = re.search(r"Bytes by kind: (.*)", stderr)
    return (m.group(1).strip() if m else "") + (
        f"; bytes by kind: {b.group(1).strip()}" if b else ""
    )


def _profile_weight(site: Path) -> str:
    """Profile pages' count, mean and median (the family that grows with the organisation)."""
    sizes = sorted(
        p.stat().st_size
        for p in [*site.glob("*/index.html"), *site.glob("people/*/index.html")]
        if 'og:type" content="profile"' in p.read_text(encoding="utf-8", errors="replace")
    )
    if not sizes:
        return "no profile pages"
    mean = sum(sizes) / len(sizes)
    return (
        f"profile pages {len(sizes):,}, {sum(sizes) / 1e6:,.1f} MB: mean {mean / 1000:.1f} KB, "
        f"median {sizes[len(sizes) // 2] / 1000:.1f} KB, smallest {sizes[0] / 1000:.1f} KB"
    )


def _notes(stderr: str) -> list[str]:
    return [m.strip() for m in re.findall(r"INFO: Host [\w-]+: (.*)", stderr)]


def _sitemap_ok(site: Path) -> str:
    """Every profile directory on disk has its sitemap entry (pseudonymous ones excepted)."""
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    if "<sitemapindex" in sitemap:  # above 50,000 URLs: the parts at the root (WEB-51)
        sitemap = "".join(
            (site / loc.rsplit("/", 1)[1]).read_text(encoding="utf-8")
            for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)
        )
    listed = sum(  # profiles have priority 0.6, like /data/
        1
        for loc in re.findall(
            r"<loc>([^<]+)</loc>\s*(?:<lastmod>[^<]*</lastmod>\s*)?"
            r"<changefreq>weekly</changefreq>\s*<priority>0\.6</priority>",
            sitemap,
        )
        if not loc.endswith("/data/")
    )
    profiles = sum(
        1
        for p in [*site.glob("*/index.html"), *site.glob("people/*/index.html")]
        if 'og:type" content="profile"' in p.read_text(encoding="utf-8", errors="replace")
    )
    return f"{listed:,} profile URLs in the sitemap, {profiles:,} profile pages"


def _kinds_on_disk(site: Path) -> str:
    from leaderboard.site.hosts import SiteSize

    sizes = (
        (p.relative_to(site).as_posix(), p.stat().st_size) for p in site.rglob("*") if p.is_file()
    )
    return ", ".join(f"{k} {n:,}" for k, n in SiteSize.of(sizes).kinds.items())


def run(
    sizes: list[str], work: Path, *, measure_only: bool = False, hosts: list[str] | None = None
) -> list[str]:
    """Build (or, with `measure_only`, only measure what earlier builds left: the site on
    disk, or the build's saved log when it failed) and return the section's lines."""
    from generate import generate

    rows = [
        "| size | profile | exit | files | bytes | largest file | limits (files, bytes) | build CPU s | wall s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes: list[str] = []
    for label in sizes:
        counts, profiles = SIZES[label]
        data = work / f"data-{label}"
        if not measure_only and not (data / ".leaderboard.db").exists():
            now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
            stats = generate(data, now=now, **counts)  # type: ignore[arg-type]
            notes.append(
                f"{label}: {stats['contributors']:,} contributors, {stats['activities']:,} activities"
            )
            code, wall, cpu, err = _cli(["run", "-d", str(data)])
            if code:
                raise RuntimeError(err[-2000:])
        for host in [h for h in profiles if hosts is None or h in hosts]:
            site = work / f"site-{label}-{host}"
            log = work / f"build-{label}-{host}.log"
            if measure_only:
                saved = log.read_text(encoding="utf-8") if log.is_file() else ""
                m = re.search(r"^exit (\d+) cpu ([\d.]+) wall ([\d.]+)$", saved, re.M)
                code, cpu, wall = (int(m[1]), float(m[2]), float(m[3])) if m else (0, 0.0, 0.0)
                err = saved or f"Files by kind: {_kinds_on_disk(site)}"
            else:
                code, wall, cpu, err = _cli(
                    ["build", "-d", str(data), "--out", str(site), "--host-profile", host]
                )
                log.write_text(f"{err}\nexit {code} cpu {cpu:.1f} wall {wall:.1f}\n", "utf-8")
            limit_files, limit_bytes = LIMITS[host]
            if code == 0:
                files, total, largest, largest_bytes = _measure(site)
                ok = files <= limit_files and total <= limit_bytes and largest_bytes <= 25 * MiB
                rows.append(
                    f"| {label} | {host} | 0 | {files:,} | {total / 1e6:,.1f} MB | {largest} "
                    f"{largest_bytes / MiB:.1f} MiB | ≤ {limit_files:,}, ≤ {limit_bytes / 1e9:.0f} GB "
                    f"{'ok' if ok else 'OVER'} | {_s(cpu)} | {_s(wall)} |"
                )
                notes.append(f"{label} {host}: files by kind: {_kinds(err)}; {_sitemap_ok(site)}")
                notes.append(f"{label} {host}: {_profile_weight(site)}")
                notes += [f"{label} {host}: {n}" for n in _notes(err)]
            else:
                message = err[err.find("The site does not fit") :].strip() or err[-1500:]
                message = re.sub(r"\s*\{\"error\".*$", "", message, flags=re.S)
                message = re.sub(r"\s*exit \d+ cpu [\d.]+ wall [\d.]+\s*$", "", message)
                rows.append(
                    f"| {label} | {host} | {code} | — | — | — | build error (below) | {_s(cpu)} | {_s(wall)} |"
                )
                notes.append(f"{label} {host}: the build fails with:\n\n```\n{message}\n```")
                notes += [f"{label} {host}: {n}" for n in _notes(err)]
    return rows + [""] + [n if "```" in n else f"- {n}" for n in notes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5k,x10")
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-bench-hosts"))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--note", default="", help="e.g. the machine's load, for the section")
    parser.add_argument(
        "--measure-only", action="store_true", help="measure the sites and logs of earlier builds"
    )
    parser.add_argument(
        "--hosts", default="", help="only these profiles, e.g. cloudflare-paid (default: all)"
    )
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    hosts = args.hosts.split(",") if args.hosts else None
    lines = run(args.sizes.split(","), args.work, measure_only=args.measure_only, hosts=hosts)
    print("\n".join(lines))
    header = [
        f"`python bench/hosts.py --sizes {args.sizes}` on {datetime.now(UTC):%Y-%m-%d} "
        f"(offline, now {NOW}, with Open Graph images){'; ' + args.note if args.note else ''}. "
        "Figures are the files on disk after the build (the manifest included); build CPU s is "
        "user+system of the process tree, wall s depends on the machine's load.",
        "",
    ]
    write_section(args.out, SECTION, "\n".join(header + lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
