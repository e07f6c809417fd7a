"""Before/after timings of two source trees, interleaved in one session (the VM drifts).

    git archive <rev> src | tar -x -C /tmp/before
    python bench/compare.py /tmp/before/src --rounds 3

Runs each step with the `src` directory given first on PYTHONPATH ("before") and with the
installed package ("after", or `--after SRC`, a snapshot to keep editing meanwhile), alternating, on copies of the same generated data repository; reports
medians of wall and CPU seconds (user + system of the whole process tree) and their ratios, and
whether the exported files and built sites of both are byte-identical (listing the paths that
differ).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
NOW = "2026-11-01T12:00:00Z"
STEPS = ("validate", "run (empty DB)", "run (no change)", "build (OG, nothing cached)", "rebuild")


def _env(src: Path | None) -> dict[str, str]:
    env = {**os.environ, "LEADERBOARD_NOW": NOW, "LEADERBOARD_OFFLINE": "1"}
    vendor = HERE.parent / "node_modules" / "sql.js-httpvfs"
    if vendor.is_dir():
        env["LEADERBOARD_VENDOR_DIR"] = str(vendor)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of `python -m leaderboard ARGS` and every process it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "leaderboard", *args], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def tree(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".leaderboard"):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def db_tables(db_path: Path) -> dict[str, str]:
    """sha256 of each working DB table's rows in key order, `_run` excepted (CORE-81), and of
    `_datarepo_sync` without its `validated` stamps (a validation cache: a run skipped because
    nothing changed does not re-validate what the previous run exported, runmemo.py)."""
    import sqlite3

    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        out = {}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            if name == "_run":
                continue
            cols = "kind, path, size, digest" if name == "_datarepo_sync" else "*"
            rows = sorted(repr(r) for r in conn.execute(f'SELECT {cols} FROM "{name}"'))
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out
    finally:
        conn.close()


def one_round(
    label: str, src: Path | None, pristine: Path, work: Path, steps: tuple[str, ...] = STEPS
) -> tuple[dict[str, tuple[float, float]], Path, Path]:
    env = _env(src)
    data, site = work / f"data-{label}", work / f"site-{label}"
    for path in (data, site):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(pristine, data)
    build = ["build", "-d", str(data), "--out", str(site)]
    commands = {
        "validate": ["validate", "-d", str(data)],
        "run (empty DB)": ["run", "-d", str(data)],
        "run (no change)": ["run", "-d", str(data)],
        # No host profile refuses or trims the output: the 10x site is over GitHub Pages' 1 GB.
        "build (OG, nothing cached)": [*build, "--host-profile", "none"],
        "rebuild": [*build, "--host-profile", "none"],
    }
    # In this order whatever the selection: each step starts from the state the one before left.
    times = {step: timed(commands[step], env) for step in STEPS if step in steps}
    return times, data, site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the `src` directory of the earlier tree")
    parser.add_argument(
        "--after", type=Path, default=None, help="the later tree's `src` (default: installed)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-compare"))
    parser.add_argument(
        "--runner-only",
        action="store_true",
        help="only validate and the two runs (no site builds)",
    )
    args = parser.parse_args(argv)
    steps = STEPS[:3] if args.runner_only else STEPS
    from generate import generate

    args.work.mkdir(parents=True, exist_ok=True)
    pristine = args.work / f"pristine-x{args.scale}"
    if not pristine.exists():
        now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
        generate(pristine, scale=args.scale, now=now)
    results: dict[str, dict[str, list[tuple[float, float]]]] = {"before": {}, "after": {}}
    outputs: dict[str, tuple[Path, Path]] = {}
    for r in range(args.rounds):
        order = [("before", args.before), ("after", args.after)]
        if r % 2:
            order.reverse()
        for label, src in order:
            times, data, site = one_round(label, src, pristine, args.work, steps)
            outputs[label] = (data, site)
            for step, value in times.items():
                results[label].setdefault(step, []).append(value)
            print(label, {k: f"{w:.2f}s/{c:.2f}cpu" for k, (w, c) in times.items()}, flush=True)
    print(f"\n| step (x{args.scale}, {args.rounds} interleaved rounds, medians) | before wall | "
          "after wall | ratio | before CPU | after CPU | ratio |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for step in steps:
        bw = statistics.median(w for w, _ in results["before"][step])
        aw = statistics.median(w for w, _ in results["after"][step])
        bc = statistics.median(c for _, c in results["before"][step])
        ac = statistics.median(c for _, c in results["after"][step])
        print(f"| {step} | {bw:.2f} s | {aw:.2f} s | {aw / bw:.2f} | {bc:.2f} s | {ac:.2f} s | "
              f"{ac / bc:.2f} |")  # fmt: skip
    a_db = db_tables(outputs["before"][0] / ".leaderboard.db")
    b_db = db_tables(outputs["after"][0] / ".leaderboard.db")
    differ_db = sorted(k for k in a_db.keys() | b_db.keys() if a_db.get(k) != b_db.get(k))
    print(f"\nworking DB: {len(differ_db)} of {len(a_db.keys() | b_db.keys())} tables differ")
    for name in differ_db:
        print(f"  {name}")
    for kind, index in (("exported data repository", 0), ("built site", 1))[
        : 1 if args.runner_only else 2
    ]:
        a, b = tree(outputs["before"][index]), tree(outputs["after"][index])
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"\n{kind}: {len(differ)} of {len(a.keys() | b.keys())} files differ")
        groups: dict[str, int] = {}
        for rel in differ:
            key = "*/opengraph-image.png" if rel.endswith("opengraph-image.png") else rel
            groups[key] = groups.get(key, 0) + 1
        for key, count in sorted(groups.items()):
            print(f"  {key}" + (f" ({count})" if count > 1 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
