"""Benchmark harness for the CORE-80 budgets. One command: `make bench` (or `python bench/run.py`).

Measures, each over several runs (median and spread), on synthetic repositories from
`bench/generate.py`: validate; run on an empty DB; a second run with no change (must write no
file); build with and without OG images; an unchanged rebuild (must write no file); a rebuild
after one new activity; the explorer's bytes fetched for its examples; peak RSS of the whole
process tree. It also measures the floor in the same process: parsing the same JSONL with the
fastest available parser (orjson) and bulk-inserting the same rows into the same schema, and
reports our import as a ratio to it. Results are written to bench/RESULTS.md.

Every measured step that writes a tree gets a directory of its own (`Scratch`), and nothing is
deleted while benches run: used trees are moved aside and deleted by a bench started ten minutes
later. On ext4 a file created in a block group where inodes were freed in
the last 60–300 s pays for skipping each of them (`recently_deleted` in the kernel's
`find_inode_bit`): with the previous copy deleted just before, the run's 1,900 new export files
took 0.3–0.8 s instead of 0.2 s, a cost of the harness, not of the command (a user's run starts
from a checkout, not from a tree deleted a second ago).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTION = "## CORE-80 budgets: validate, run, build (`bench/run.py`)"
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from results import write_section  # noqa: E402  (bench/ is on sys.path)

NOW = "2026-11-01T12:00:00Z"
LEADERBOARD = [sys.executable, "-m", "leaderboard"]


@dataclass
class Measure:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    budget: float | None = None
    note: str = ""

    def row(self) -> str:
        med = statistics.median(self.seconds)
        spread = (
            f"{min(self.seconds):.2f}–{max(self.seconds):.2f}" if len(self.seconds) > 1 else "—"
        )
        peak = f"{max(self.peak_mb):.0f}" if self.peak_mb else "—"
        budget = f"≤ {self.budget:g} s" if self.budget else "—"
        verdict = "" if self.budget is None else ("ok" if med <= self.budget else "OVER")
        return f"| {self.name} | {med:.2f} | {spread} | {len(self.seconds)} | {peak} | {budget} {verdict} | {self.note} |"


def _tree_rss_mb(pid: int) -> float:
    """Sum of VmRSS over a process and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    seen: set[int] = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def run_cli(
    args: list[str], *, env: dict[str, str] | None = None
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run the CLI as a subprocess; return (seconds, peak tree RSS in MB, result)."""
    full_env = {**os.environ, "LEADERBOARD_NOW": NOW, "LEADERBOARD_OFFLINE": "1", **(env or {})}
    vendor = ROOT / "node_modules" / "sql.js-httpvfs"
    if vendor.is_dir():
        # Offline builds take the pinned explorer assets from `npm ci` (verified against the pins).
        full_env.setdefault("LEADERBOARD_VENDOR_DIR", str(vendor))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*LEADERBOARD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{err[-3000:]}")
    return elapsed, peak, result


def run_phases(data: Path, seconds: float) -> dict[str, float]:
    """The phases of the run just made (its `_run` row, CORE-33) and the rest of `seconds`:
    start-up, configuration and reading the data files (before the first phase), then the
    summary and the run memo (after the last)."""
    import sqlite3

    conn = sqlite3.connect(f"{(data / '.leaderboard.db').resolve().as_uri()}?mode=ro", uri=True)
    try:
        (summary,) = conn.execute("SELECT summary FROM _run ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    timed = {k: v for k, v in json.loads(summary)["phases"].items() if v >= 0.005}
    return {"start-up and reading": seconds - sum(timed.values()), **timed}


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Path → (size, mtime_ns) for every file, to prove a step wrote nothing."""
    out: dict[str, tuple[int, int]] = {}
    for path in root.rglob("*"):
        if path.is_file() and ".leaderboard" not in path.name:
            st = path.stat()
            out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k))


FLOOR_TABLE = (
    "CREATE TABLE activity (slug TEXT PRIMARY KEY, contributor TEXT, activity_definition TEXT, "
    "title TEXT, occurred_at TEXT, link TEXT, text TEXT, points INTEGER, meta TEXT)"
)
FLOOR_INSERT = "INSERT INTO activity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def floor(data: Path, dbfile: Path) -> float:
    """CORE-80's floor, the least work any importer must do: read the JSONL bytes, parse each
    line with the fastest JSON parser (orjson), and `executemany` the rows into a table that has
    only the `slug` primary key (no other index, no trigger, no validation), one transaction,
    one process. Seconds, file creation included."""
    import sqlite3

    import orjson

    dbfile.unlink(missing_ok=True)
    start = time.perf_counter()
    files = sorted((data / "activities" / "contributors").glob("*.jsonl"))
    loads, dumps = orjson.loads, orjson.dumps

    def rows():  # type: ignore[no-untyped-def]
        for f in files:
            for line in f.read_bytes().splitlines():
                if line:
                    o = loads(line)
                    meta = o["meta"]
                    yield (
                        o["slug"],
                        o["contributor"],
                        o["activity_definition"],
                        o["title"],
                        o["occurred_at"],
                        o["link"],
                        o["text"],
                        o["points"],
                        None if meta is None else dumps(meta).decode(),
                    )

    conn = sqlite3.connect(dbfile)
    conn.execute(FLOOR_TABLE)
    conn.executemany(FLOOR_INSERT, rows())
    conn.commit()
    conn.close()
    elapsed = time.perf_counter() - start
    dbfile.unlink(missing_ok=True)
    return elapsed


def our_import(data: Path, dbfile: Path) -> float:
    """`run import` in this process on an empty working DB (read, validate, insert, index)."""
    from leaderboard import pipeline
    from leaderboard.db import Database

    dbfile.unlink(missing_ok=True)
    settings = pipeline.RunSettings(
        data_dir=data,
        db_path=str(dbfile),
        now=datetime.fromisoformat(NOW.replace("Z", "+00:00")),
        cache_dir=data / ".leaderboard-cache",
        env=dict(os.environ),
        phases=("import",),
        offline=True,
    )
    start = time.perf_counter()
    with pipeline.prepare(settings) as prepared:  # releasing removes the row spool
        db = Database.open(dbfile)
        pipeline.run_phases(settings, prepared, db)
        db.close()
    elapsed = time.perf_counter() - start
    dbfile.unlink(missing_ok=True)
    return elapsed


def floor_and_import(data: Path, rounds: int = 3) -> tuple[float, float]:
    """Median floor and median import, interleaved in this process (the VM drifts)."""
    import gc

    floors: list[float] = []
    ours: list[float] = []
    for _ in range(rounds):
        floors.append(floor(data, Path(f"/tmp/leaderboard-bench-floor-{os.getpid()}.db")))
        ours.append(our_import(data, Path(f"/tmp/leaderboard-bench-import-{os.getpid()}.db")))
        gc.collect()  # let the next round start clean
    return statistics.median(floors), statistics.median(ours)


def og_cpu_ms(count: int = 200) -> tuple[float, float]:
    """CPU ms of one Open Graph card in this process: (with a picture, with the initials disc).

    The picture is a generated avatar standing in for a downloaded one (the build itself gives
    contributors whose avatar is generated the initials disc, WEB-45); a budget figure is the
    mean of the two, as if half the contributors had a picture."""
    from leaderboard.site import og
    from leaderboard.site.avatars import fallback_avatar

    cards = [
        og.OgCard(
            f"p{i}/opengraph-image.png",
            f"Contributor Number {i}",
            f"contributor-{i:05d}",
            i * 37,
            i,
            "Example Organisation",
            fallback_avatar(f"c{i}", f"C {i}") if i % 2 else None,
        )
        for i in range(count)
    ]
    og.render_og_image(cards[0])
    og.render_og_image(cards[1])
    spent = {True: 0.0, False: 0.0}
    for card in cards:
        start = time.process_time()
        og.render_og_image(card)
        spent[card.avatar is not None] += time.process_time() - start
    half = count / 2
    return spent[True] / half * 1000, spent[False] / half * 1000


# The timing budgets measure the whole build: no host profile trims media or badges here and
# none refuses the output (the 10x site is over GitHub Pages' 1 GB); `bench/hosts.py` measures
# what fits where.
HOST = ["--host-profile", "none"]


class Scratch:
    """New directories for measured steps under `work` (see the module docstring: never delete
    a tree shortly before measuring a step that creates files). `retire()` moves them into a
    `trash-*` directory instead of deleting them; `sweep()` deletes the trash retired more than
    `TRASH_AGE` seconds ago (the kernel's window is 60 s, or 300 s while the inode table is
    not yet written back), so two benches in a row do not slow each other down either."""

    PREFIX = "step-"
    TRASH_AGE = 600

    def __init__(self, work: Path) -> None:
        self.work = work
        self.count = 0

    def new(self, name: str, copy_of: Path | None = None) -> Path:
        self.count += 1
        path = self.work / f"{self.PREFIX}{os.getpid()}-{self.count}-{name}"
        if copy_of is not None:
            shutil.copytree(copy_of, path)
        return path

    def retire(self) -> None:
        steps = sorted(self.work.glob(f"{self.PREFIX}*"))
        if steps:
            trash = self.work / f"trash-{time.time_ns()}"
            trash.mkdir()
            for path in steps:
                path.rename(trash / path.name)

    def sweep(self) -> None:
        for trash in self.work.glob("trash-*"):
            if time.time() - trash.stat().st_mtime > self.TRASH_AGE:
                shutil.rmtree(trash)


def bench_scale(
    scale: int, runs: int, og: bool, scratch: Scratch
) -> tuple[list[Measure], list[str]]:
    from generate import generate

    notes: list[str] = []
    pristine = scratch.new(f"pristine-x{scale}")  # generated afresh, never over a deleted one
    t0 = time.perf_counter()
    stats = generate(
        pristine,
        scale=scale,
        now=datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC),
    )
    notes.append(
        f"x{scale}: {stats['contributors']:,} contributors, {stats['activities']:,} activities "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )
    budgets = {  # CORE-80 (revised); "build" includes Open Graph images
        1: {"run": 2.0, "run2": 0.6, "validate": 1, "build": 12, "rebuild": 1},
        10: {"run": 20, "run2": None, "validate": None, "build": 100, "rebuild": None},
    }[scale]
    measures: list[Measure] = []
    m = Measure(f"x{scale} validate", budget=budgets["validate"])
    data = scratch.new(f"data-x{scale}", copy_of=pristine)
    for _ in range(runs):
        s, p, _ = run_cli(["validate", "-d", str(data)])
        m.seconds.append(s)
        m.peak_mb.append(p)
    measures.append(m)

    m = Measure(f"x{scale} run (empty DB)", budget=budgets["run"])
    phases: list[dict[str, float]] = []
    for _ in range(runs):
        data = scratch.new(f"data-x{scale}", copy_of=pristine)
        s, p, _ = run_cli(["run", "-d", str(data)])
        m.seconds.append(s)
        m.peak_mb.append(p)
        phases.append(run_phases(data, s))
    measures.append(m)
    notes.append(
        f"x{scale} run (empty DB), where the time goes (medians, wall s): "
        + ", ".join(
            f"{name} {statistics.median(p.get(name, 0.0) for p in phases):.2f}"
            for name in phases[0]
        )
    )

    m = Measure(f"x{scale} run (no change)", budget=budgets["run2"])
    for _ in range(runs):
        before = snapshot(data)
        s, p, _ = run_cli(["run", "-d", str(data)])
        diff = changed(before, snapshot(data))
        m.seconds.append(s)
        m.peak_mb.append(p)
        m.note = "wrote no file" if not diff else f"WROTE {len(diff)} files: {diff[:3]}"
    measures.append(m)

    floor_s, ours = floor_and_import(data)
    notes.append(
        f"x{scale} import vs floor (same process, interleaved, medians of 3): ours {ours:.2f} s, "
        f"floor {floor_s:.2f} s, ratio {ours / floor_s:.2f} (budget ≤ 2)"
    )
    run_median = statistics.median(measures[1].seconds)
    notes.append(
        f"x{scale} run (empty DB) / floor: {run_median / floor_s:.2f} "
        f"(the whole pipeline: import, aggregate, evaluate, export)"
    )
    picture, disc = og_cpu_ms()
    notes.append(
        f"x{scale} Open Graph image: {(picture + disc) / 2:.2f} ms of CPU each (budget ≤ 5; "
        f"{picture:.2f} with a picture, {disc:.2f} with the initials disc)"
    )

    for label, extra in (
        [("build (no OG)", ["--no-og"]), ("build (with OG)", [])]
        if og
        else [("build (no OG)", ["--no-og"])]
    ):
        m = Measure(f"x{scale} {label}", budget=budgets["build"] if "with" in label else None)
        for _ in range(runs):
            site = scratch.new(f"site-x{scale}")
            shutil.rmtree(data / ".leaderboard-cache", ignore_errors=True)
            s, p, _ = run_cli(["build", "-d", str(data), "--out", str(site), *HOST, *extra])
            m.seconds.append(s)
            m.peak_mb.append(p)
        measures.append(m)

    m = Measure(f"x{scale} rebuild (unchanged)", budget=budgets["rebuild"])
    for _ in range(runs):
        before = snapshot(site)
        s, p, _ = run_cli(
            ["build", "-d", str(data), "--out", str(site), *HOST, *([] if og else ["--no-og"])]
        )
        diff = changed(before, snapshot(site))
        m.seconds.append(s)
        m.peak_mb.append(p)
        m.note = "wrote no file" if not diff else f"WROTE {len(diff)} files: {diff[:3]}"
    measures.append(m)

    m = Measure(f"x{scale} rebuild (one new activity)")
    for i in range(runs):
        target = sorted((data / "activities" / "contributors").glob("*.jsonl"))[0]
        line = json.loads(target.read_text(encoding="utf-8").splitlines()[-1])
        line["slug"] = f"bench-extra-{i}"
        line["occurred_at"] = "2026-11-01T10:00:00.000Z"
        with target.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        run_cli(["run", "-d", str(data)])
        before = snapshot(site)
        s, p, _ = run_cli(
            ["build", "-d", str(data), "--out", str(site), *HOST, *([] if og else ["--no-og"])]
        )
        diff = changed(before, snapshot(site))
        m.seconds.append(s)
        m.peak_mb.append(p)
        m.note = f"{len(diff)} files rewritten"
    measures.append(m)

    from pageweight import measure  # type: ignore[import-not-found]

    weight, _ = measure(site)
    notes.extend(f"x{scale} page weight: {line}" for line in weight)
    explorer = explorer_bytes(site)
    if explorer:
        notes.append(f"x{scale} explorer: {explorer}")
    return measures, notes


def explorer_bytes(site: Path) -> str | None:
    """Bytes the explorer fetches for its two budgeted examples, through the real page."""
    try:
        from explorer_probe import probe  # type: ignore[import-not-found]
    except ImportError:
        return None
    return probe(site)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CORE-80 benchmark")
    parser.add_argument("--scales", default="1,10", help="comma-separated: 1 and/or 10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-og", action="store_true", help="skip OG image builds")
    parser.add_argument("--work", type=Path, default=Path("/tmp/leaderboard-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    rows: list[Measure] = []
    notes: list[str] = []
    scratch = Scratch(args.work)
    scratch.retire()  # left by an interrupted bench
    scratch.sweep()
    try:
        for scale in [int(s) for s in args.scales.split(",")]:
            m, n = bench_scale(
                scale,
                args.runs if scale == 1 else max(1, args.runs // 3),
                not args.no_og,
                scratch,
            )
            rows.extend(m)
            notes.extend(n)
            for x in m:
                print(x.row(), flush=True)
            for line in n:
                print(line, flush=True)
    finally:
        scratch.retire()
    report = [
        f"Command: `python bench/run.py {' '.join(argv or sys.argv[1:])}` (`make bench`), "
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}.",
        f"Fixed now: {NOW}; offline; data from `bench/generate.py` (seed 7).",
        "",
        "| step | median s | range s | runs | peak RSS MB (tree) | budget | note |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *[r.row() for r in rows],
        "",
        *[f"- {n}" for n in notes],
        "",
    ]
    write_section(args.out, SECTION, "\n".join(report))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
