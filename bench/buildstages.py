"""Where a first build's time goes: CPU and wall seconds per build stage (issue #14, CORE-80).

    python bench/buildstages.py [--scale 1] [--no-og] [--runs 1] [--write]

Measures exactly the build `bench/run.py` times as "build (with OG)" (or "build (no OG)" with
`--no-og`): the same generated data repository after one `leaderboard run`, the output
directory and the cache deleted first, and the same command started the same way (`run.py`'s
`run_cli`: a subprocess with the pinned explorer assets, `--host-profile none`, the bench's fixed
now, offline, the tree's peak RSS sampled). The only addition is `--debug`, whose per-stage
lines (`leaderboard.site.builder`) give each stage's wall time, the parent's CPU and the CPU of
the children reaped during it (the avatar drawers are joined in `explorer`, the profile
renderers in `profiles`, the Open Graph child in `og images`). "outside the stages" is start-up
(imports, configuration), the reuse check before the first stage and the bookkeeping after the
last one.

An earlier version ran the stages inside this process: it left out start-up and the reuse
check, had no explorer assets (no `LEADERBOARD_VENDOR_DIR`) and used the default host profile,
so its sum was not the figure `run.py` reports. On a busy machine the CPU columns are the
figures to compare; on an idle one the wall column shows which stages the two cores overlap.
`--write` replaces this benchmark's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)
from run import HOST, LEADERBOARD, NOW, run_cli  # noqa: E402  (the bench's own build command)

SECTION = "## Build stages: CPU and wall per stage (`bench/buildstages.py`)"
STAGE_LINE = re.compile(
    r"build stage (?P<name>[^:]+): (?P<wall>[0-9.]+)s, cpu (?P<cpu>[0-9.]+)s, "
    r"children cpu (?P<children>[0-9.]+)s"
)
OUTSIDE = "outside the stages"

Row = tuple[str, float, float, float]  # stage, parent CPU s, children CPU s, wall s


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _prepare(work: Path, scale: int) -> Path:
    """The generated data repository after one `run`, as `bench/run.py` has it (kept between
    invocations)."""
    from generate import generate

    data = work / f"data-x{scale}"
    if (data / ".leaderboard.db").exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
    generate(data, scale=scale, now=now)
    env = {**os.environ, "LEADERBOARD_NOW": NOW, "LEADERBOARD_OFFLINE": "1"}
    subprocess.run([*LEADERBOARD, "run", "-q", "-d", str(data)], env=env, check=True)
    return data


def parse_stages(log: str) -> list[Row]:
    """The builder's per-stage debug lines, in order."""
    return [
        (m["name"], float(m["cpu"]), float(m["children"]), float(m["wall"]))
        for m in STAGE_LINE.finditer(log)
    ]


def measure(data: Path, site: Path, og: bool) -> tuple[list[Row], float, float, float]:
    """One build with nothing cached, started as `bench/run.py` starts it: (stages, wall s,
    CPU s of the whole process tree, peak RSS MB of the tree). The last row is the time outside
    the stages (its CPU is the tree's CPU not accounted to a stage)."""
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(data / ".leaderboard-cache", ignore_errors=True)
    args = ["build", "--debug", "-d", str(data), "--out", str(site), *HOST]
    cpu0 = _children_cpu()
    wall, peak, result = run_cli([*args, *([] if og else ["--no-og"])])
    cpu = _children_cpu() - cpu0
    rows = parse_stages(result.stderr)
    if not rows:
        raise RuntimeError("no stage lines in the build's debug log")
    in_stages = sum(r[1] + r[2] for r in rows)
    rows.append((OUTSIDE, max(0.0, cpu - in_stages), 0.0, wall - sum(r[3] for r in rows)))
    return rows, wall, cpu, peak


def table(runs: list[list[Row]]) -> list[str]:
    """Per stage, the median over the runs of each column."""
    names = [r[0] for r in runs[0]]
    lines = ["| stage | parent CPU s | children CPU s | wall s |", "| --- | --- | --- | --- |"]
    for i, name in enumerate(names):
        cols = [statistics.median(run[i][k] for run in runs) for k in (1, 2, 3)]
        if sum(cols) >= 0.005:
            lines.append(f"| {name} | {cols[0]:.2f} | {cols[1]:.2f} | {cols[2]:.2f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--no-og", action="store_true", help="build without Open Graph images")
    parser.add_argument("--runs", type=int, default=1, help="builds to take medians over")
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-buildstages"))
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    data = _prepare(args.work, args.scale)
    load_before = os.getloadavg()[0]
    measured = [
        measure(data, args.work / f"site-x{args.scale}", not args.no_og) for _ in range(args.runs)
    ]
    load_after = os.getloadavg()[0]
    runs = [m[0] for m in measured]
    if len({tuple(r[0] for r in run) for run in runs}) != 1:
        raise RuntimeError("the builds ran different stages")
    walls, cpus, peaks = ([m[k] for m in measured] for k in (1, 2, 3))
    what = "with" if not args.no_og else "without"
    lines = [
        f"x{args.scale} `build` {what} Open Graph images, nothing cached, as `bench/run.py` "
        f"times it, {len(runs)} run(s), medians; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {load_before:.1f} → {load_after:.1f}, {os.cpu_count()} cores:",
        "",
        *table(runs),
        "",
        f"Whole command: wall {statistics.median(walls):.2f} s (runs: "
        f"{', '.join(f'{w:.2f}' for w in walls)}); CPU of the process tree "
        f"{statistics.median(cpus):.2f} s (runs: {', '.join(f'{c:.2f}' for c in cpus)}); "
        f"peak RSS of the tree {max(peaks):.0f} MB. With both cores busy throughout, the wall "
        f"time cannot fall below {statistics.median(cpus) / 2:.2f} s on 2 cores.",
    ]
    print("\n".join(lines))
    if args.write:
        write_section(args.out, SECTION, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
