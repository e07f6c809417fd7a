"""Where a first build's time goes: CPU and wall seconds per build stage (issue #14, CORE-80).

    python bench/buildstages.py [--scale 1] [--no-og] [--write]

Generates the benchmark's data repository (`bench/generate.py`, as `bench/run.py` does) and runs
`leaderboard run` on it once, then times one `build` with nothing cached (output directory and
cache deleted first) in this process, stage by stage (`leaderboard.site.builder.STAGES`): the
parent's CPU (user + system), the CPU of the children reaped during the stage (the avatar
drawers are joined in `explorer`, the profile renderer in `profiles`, the Open Graph child in
`og images`), and the wall time. On a busy machine the CPU columns are the figures to compare;
on an idle one the wall column shows which stages the two cores overlap. `--write` replaces
this benchmark's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)

NOW = "2026-11-01T12:00:00Z"
SECTION = "## Build stages: CPU and wall per stage (`bench/buildstages.py`)"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _prepare(work: Path, scale: int) -> Path:
    """The generated data repository after one `run` (kept between invocations)."""
    from generate import generate

    data = work / f"data-x{scale}"
    if (data / ".leaderboard.db").exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
    generate(data, scale=scale, now=now)
    env = {**os.environ, "LEADERBOARD_NOW": NOW, "LEADERBOARD_OFFLINE": "1"}
    subprocess.run(
        [sys.executable, "-m", "leaderboard", "run", "-q", "-d", str(data)], env=env, check=True
    )
    return data


def measure(data: Path, site: Path, og: bool) -> list[tuple[str, float, float, float]]:
    """(stage, parent CPU s, children CPU s, wall s) of one build with nothing cached."""
    from leaderboard.cli import cli
    from leaderboard.site import builder

    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(data / ".leaderboard-cache", ignore_errors=True)
    rows: list[tuple[str, float, float, float]] = []

    def timed(name: str, stage: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(state: Any) -> None:
            cpu, children, wall = time.process_time(), _children_cpu(), time.perf_counter()
            stage(state)
            rows.append(
                (
                    name,
                    time.process_time() - cpu,
                    _children_cpu() - children,
                    time.perf_counter() - wall,
                )
            )

        return run

    original = list(builder.STAGES)
    public_db = builder.stage_public_db
    builder.STAGES[:] = [(name, timed(name, stage)) for name, stage in original]
    # `_build` recognises this stage by identity (the reuse check after the public DB)
    builder.stage_public_db = dict(builder.STAGES)["public db"]  # type: ignore[assignment]
    os.environ.update(LEADERBOARD_NOW=NOW, LEADERBOARD_OFFLINE="1")
    args = ["build", "-q", "-d", str(data), "--out", str(site), *([] if og else ["--no-og"])]
    try:
        cli.main(args, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
    finally:
        builder.STAGES[:] = original
        builder.stage_public_db = public_db  # type: ignore[assignment]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--no-og", action="store_true", help="build without Open Graph images")
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-buildstages"))
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    data = _prepare(args.work, args.scale)
    load_before = os.getloadavg()[0]
    rows = measure(data, args.work / f"site-x{args.scale}", not args.no_og)
    load_after = os.getloadavg()[0]
    parent, children = sum(r[1] for r in rows), sum(r[2] for r in rows)
    wall = sum(r[3] for r in rows)
    what = "with" if not args.no_og else "without"
    lines = [
        f"x{args.scale} `build` {what} Open Graph images, nothing cached, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load_before:.1f} → "
        f"{load_after:.1f}, {os.cpu_count()} cores:",
        "",
        "| stage | parent CPU s | children CPU s | wall s |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {n} | {p:.2f} | {c:.2f} | {w:.2f} |" for n, p, c, w in rows if p + c + w >= 0.005]
    lines.append(f"| **total** | **{parent:.2f}** | **{children:.2f}** | **{wall:.2f}** |")
    lines += [
        "",
        f"CPU of the process tree: {parent + children:.2f} s; with both cores busy throughout, "
        f"the wall time cannot fall below {(parent + children) / 2:.2f} s on 2 cores.",
    ]
    print("\n".join(lines))
    if args.write:
        write_section(args.out, SECTION, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
