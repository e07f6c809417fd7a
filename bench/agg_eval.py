"""Time the aggregate and evaluate phases in process (perf work on aggregates/ and badges/).

Usage: bench/agg_eval.py DATA_DIR [--mode empty|unchanged|both] [--repeat N] [--profile]

DATA_DIR must hold a working DB from one `leaderboard run`. `empty` works on a copy whose
standard aggregates and awards are deleted (what a first run sees after import); `unchanged`
works on a copy as is (a second run with no data change); `second` runs both phases untimed
on an emptied copy, then times them again. The phases are called as the
runner calls them (standard aggregation, then config rules), with LEADERBOARD_NOW's instant.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from leaderboard.aggregates import run_standard_aggregation
from leaderboard.badges.evaluate import evaluate
from leaderboard.config.loader import load_config
from leaderboard.db import Database
from leaderboard.timeutil import canonicalize, from_canonical


def _copy(db_path: Path, mode: str) -> Path:
    target = Path(tempfile.mkdtemp(prefix="aggbench-")) / "w.db"
    shutil.copyfile(db_path, target)
    if mode in ("empty", "second"):
        conn = sqlite3.connect(target)
        conn.executescript(
            "DELETE FROM contributor_badge; DELETE FROM contributor_aggregate; "
            "DELETE FROM global_aggregate; DELETE FROM contributor_aggregate_definition;"
        )
        conn.commit()
        conn.close()
    return target


def _dump(db: Database, target: Path) -> None:
    """Every row aggregation and evaluation write, sorted, for before/after comparisons."""
    with target.open("w") as out:
        for table, key in (
            ("global_aggregate", "slug"),
            ("contributor_aggregate_definition", "slug"),
            ("contributor_aggregate", "aggregate, contributor"),
            ("contributor_badge", "slug"),
            ("_leaderboard_meta", "key"),
        ):
            for row in db.execute(f"SELECT * FROM {table} ORDER BY {key}"):
                out.write(f"{table}\t{row!r}\n")


def _once(
    data_dir: Path, mode: str, now: datetime, profile: bool, dump: Path | None = None
) -> tuple[float, float]:
    result = load_config(data_dir, env=dict(os.environ))
    assert result.config is not None, result.problems
    config = result.config
    path = _copy(data_dir / ".leaderboard.db", mode)
    db = Database.open(path)
    if mode == "second":  # a run with no data change after a first run in this process
        with db.transaction():
            run_standard_aggregation(
                db, now=now, tz=config.tz, daily_caps=config.leaderboard.daily_caps
            )
        with db.transaction():
            evaluate(
                db,
                list(config.leaderboard.badge_rules),
                now=now,
                tz=config.tz,
                daily_caps=config.leaderboard.daily_caps,
            )
    prof = cProfile.Profile() if profile else None
    try:
        if prof:
            prof.enable()
        c0, t0 = time.process_time(), time.perf_counter()
        with db.transaction():
            run_standard_aggregation(
                db, now=now, tz=config.tz, daily_caps=config.leaderboard.daily_caps
            )
        c1, t1 = time.process_time(), time.perf_counter()
        with db.transaction():
            stats = evaluate(
                db,
                list(config.leaderboard.badge_rules),
                now=now,
                tz=config.tz,
                daily_caps=config.leaderboard.daily_caps,
            )
        c2, t2 = time.process_time(), time.perf_counter()
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        if dump is not None:
            _dump(db, dump)
        print(
            f"  {mode}: aggregate {t1 - t0:.3f}s evaluate {t2 - t1:.3f}s wall, "
            f"{c1 - c0:.3f}s + {c2 - c1:.3f}s CPU, awards {stats.awards}"
        )
        return t1 - t0, t2 - t1
    finally:
        db.close()
        shutil.rmtree(path.parent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--mode", default="both", choices=("empty", "unchanged", "second", "both"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dump", type=Path, help="write the resulting rows to DUMP.<mode>")
    args = parser.parse_args()
    text = os.environ.get("LEADERBOARD_NOW", "2026-11-01T12:00:00Z")
    now = from_canonical(canonicalize(text, UTC))
    modes = ("empty", "unchanged") if args.mode == "both" else (args.mode,)
    for mode in modes:
        dump = args.dump.with_suffix(f".{mode}") if args.dump else None
        runs = [_once(args.data_dir, mode, now, args.profile, dump) for _ in range(args.repeat)]
        best = min(runs, key=sum)
        print(f"{mode}: best aggregate {best[0]:.3f}s + evaluate {best[1]:.3f}s = {sum(best):.3f}s")


if __name__ == "__main__":
    main()
