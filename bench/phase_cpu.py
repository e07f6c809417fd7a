"""Where a `run` on an empty working DB spends its time, phase by phase, for two source trees
interleaved in one session: wall seconds, the main process's own CPU seconds (the critical path
when forked children run on another core) and the CPU of the whole tree.

    git archive <rev> src | tar -x -C /tmp/before
    python bench/phase_cpu.py /tmp/before/src --rounds 5 [--after SRC] [--scale 1] [--out FILE]

On a loaded machine wall times follow the load; the main process's CPU per phase does not, and
says how much of a phase a second core can take off its wall time (the lead re-measures wall
times on an idle machine with `bench/run.py`). The last row is each tree's peak resident size
of the whole process tree, sampled as `bench/run.py` samples it (CORE-80: 1 GB at 10×).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)
from run import Scratch, _tree_rss_mb  # noqa: E402

NOW = "2026-11-01T12:00:00Z"
SECTION = "## Runner phases: main-process CPU, before and after (`bench/phase_cpu.py`)"

# Run in the measured process: times each phase of `leaderboard run` (wall and own CPU), and
# "start" (interpreter start to the first phase: imports, configuration, reading the files).
DRIVER = """
import json, sys, time
t0 = time.perf_counter()
from leaderboard import pipeline
from leaderboard.cli import main
real = pipeline._run_phase
out = {}
first = []
def timed(settings, prepared, db, summary, phase):
    if not first:
        first.append(1)
        out["start"] = (time.perf_counter() - t0, time.process_time())
    w, c = time.perf_counter(), time.process_time()
    try:
        real(settings, prepared, db, summary, phase)
    finally:
        out[phase] = (time.perf_counter() - w, time.process_time() - c)
pipeline._run_phase = timed
try:
    main(["run", "-d", sys.argv[1]])
except SystemExit as exc:
    if exc.code:
        raise
out["total"] = (time.perf_counter() - t0, time.process_time())
print("PHASES " + json.dumps(out))
"""


def one_run(src: Path | None, data: Path) -> dict[str, tuple[float, float]]:
    env = {**os.environ, "LEADERBOARD_NOW": NOW, "LEADERBOARD_OFFLINE": "1"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:  # the process tree's resident size, as `bench/run.py` samples it
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(stderr[-2000:])
    line = next(x for x in stdout.splitlines() if x.startswith("PHASES "))
    phases = {k: tuple(v) for k, v in json.loads(line[len("PHASES ") :]).items()}
    tree = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    phases["tree CPU"] = (phases["total"][0], tree)
    phases["peak tree RSS MB"] = (0.0, peak[0])
    # Start-up, reading and import: the part of a run before aggregation (issue 14's split).
    phases["start + import"] = tuple(  # type: ignore[assignment]
        phases["start"][i] + phases["import"][i] for i in (0, 1)
    )
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the `src` directory of the earlier tree")
    parser.add_argument("--after", type=Path, default=None, help="default: the installed tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-phase-cpu"))
    parser.add_argument("--out", type=Path, default=None, help="write the table as a section")
    args = parser.parse_args(argv)
    from generate import generate

    args.work.mkdir(parents=True, exist_ok=True)
    pristine = args.work / f"pristine-x{args.scale}"
    if not pristine.exists():
        now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
        generate(pristine, scale=args.scale, now=now)
    results: dict[str, list[dict[str, tuple[float, float]]]] = {"before": [], "after": []}
    scratch = Scratch(args.work)  # a fresh copy per run, never deleted shortly before one
    scratch.retire()
    scratch.sweep()
    try:
        for r in range(args.rounds):
            order = [("before", args.before), ("after", args.after)]
            for label, src in order if r % 2 == 0 else reversed(order):
                data = scratch.new(f"data-{label}", copy_of=pristine)
                os.sync()  # the copy's dirty pages are not the export's to flush
                results[label].append(one_run(src, data))
                total = results[label][-1]["total"]
                print(f"{label}: {total[0]:.2f} s wall, {total[1]:.2f} s main CPU", flush=True)
    finally:
        scratch.retire()
    names = [k for k in results["before"][0] if k in results["after"][0]]
    load = os.getloadavg()[0]
    lines = [
        f"Two source trees, {args.rounds} interleaved rounds at {args.scale}× (load average "
        f'{load:.1f} at the end, {os.cpu_count()} cores); medians. "main CPU" is the main '
        "process's own CPU, the critical path when a forked child works on the other core.",
        "",
        f"| x{args.scale} run, empty DB | before wall | after wall | before main CPU "
        "| after main CPU | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in names:
        bw = statistics.median(x[name][0] for x in results["before"])
        aw = statistics.median(x[name][0] for x in results["after"])
        bc = statistics.median(x[name][1] for x in results["before"])
        ac = statistics.median(x[name][1] for x in results["after"])
        if name == "tree CPU":
            lines.append(f"| CPU of the process tree | | | {bc:.3f} | {ac:.3f} | {ac / bc:.2f} |")
        elif name == "peak tree RSS MB":
            bp = max(x[name][1] for x in results["before"])
            ap = max(x[name][1] for x in results["after"])
            lines.append(f"| peak RSS of the tree (MB, max) | | | {bp:.0f} | {ap:.0f} | |")
        else:
            ratio = f"{ac / bc:.2f}" if bc >= 0.001 else "—"
            lines.append(f"| {name} | {bw:.3f} | {aw:.3f} | {bc:.3f} | {ac:.3f} | {ratio} |")
    print("\n" + "\n".join(lines))
    if args.out is not None:
        write_section(args.out, SECTION, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
