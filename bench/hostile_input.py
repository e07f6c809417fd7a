"""`leaderboard validate` on 50 MB hostile files (issue 15: resource limits on input).

Each case copies the small upstream fixture repository, adds one hostile file of about 50 MB,
and runs the real CLI in a fresh process, recording wall time, peak RSS of that process and the
exit code; a clean validate of the same repository is the baseline of the same run. The budget
("within seconds and modest memory") is checked here, never by a timed unit test.

    python bench/hostile_input.py [--size-mb 50]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "repos" / "upstream"
BUDGET_S = 10.0
BUDGET_MB = 300

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(8)
)
ACTIVITY = (
    '{"slug":"s%d","contributor":"alice","activity_definition":"pr_opened",'
    '"occurred_at":"2024-05-01T04:30:00.000Z"'
)


def _fill(path: Path, head: str, line: Callable[[int], str], size: int, tail: str = "") -> None:
    """Write `head`, then lines from `line(i)` until the file has `size` bytes, then `tail`."""
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        written, i = len(head), 0
        while written < size:
            text = line(i)
            out.write(text)
            written += len(text.encode("utf-8"))
            i += 1
        out.write(tail)


def _cases(size: int) -> dict[str, Callable[[Path], None]]:
    acts = "activities/contributors/alice.jsonl"

    def config_laughs(d: Path) -> None:
        config = (d / "config.yaml").read_text()
        _fill(
            d / "config.yaml",
            config + "x:\n" + "".join("  " + ln for ln in LAUGHS.splitlines(keepends=True)),
            lambda i: f"  k{i}: *i\n",
            size,
        )

    def profile_laughs(d: Path) -> None:
        _fill(
            d / "contributors" / "mallory.md",
            "---\nrole: core\n" + LAUGHS,
            lambda i: f"k{i}: *i\n",
            size,
            "---\nbio\n",
        )

    def small_laughs_in_many_profiles(d: Path) -> None:
        # 1,000 profiles (the 10x bench repository has about as many): each is tiny but would
        # expand to 10^9 values; the 50 MB size does not apply to this case.
        text = "---\nrole: core\n" + LAUGHS + "---\nbio\n"
        for i in range(1000):
            (d / "contributors" / f"laugh{i:06d}.md").write_text(text)

    def profile_deep_flow(d: Path) -> None:
        _fill(
            d / "contributors" / "mallory.md",
            "---\nrole: core\nmeta: ",
            lambda i: "[" * 4096,
            size,
            "\n---\nbio\n",
        )

    def jsonl_deep_meta(d: Path) -> None:
        deep = "[" * 400 + "]" * 400
        _fill(
            d / acts,
            (d / acts).read_text(),
            lambda i: ACTIVITY % i + ',"meta":' + deep + "}\n",
            size,
        )

    def jsonl_one_long_line(d: Path) -> None:
        _fill(
            d / acts,
            (d / acts).read_text() + ACTIVITY % 0 + ',"text":"',
            lambda i: "x" * 65536,
            size,
        )

    def jsonl_surrogates(d: Path) -> None:
        _fill(
            d / acts,
            (d / acts).read_text(),
            lambda i: ACTIVITY % i + ',"title":"\\ud800x"}\n',
            size,
        )

    def jsonl_valid(d: Path) -> None:
        _fill(d / acts, (d / acts).read_text(), lambda i: ACTIVITY % i + ',"title":"ok"}\n', size)

    def jsonl_syntax_errors(d: Path) -> None:
        _fill(d / acts, (d / acts).read_text(), lambda i: ACTIVITY % i + ',"title":"ok",}\n', size)

    def definitions_deep(d: Path) -> None:
        _fill(d / "activities" / "definitions.json", "[", lambda i: "[" * 4096, size)

    return {
        "valid JSONL (reference, not hostile)": jsonl_valid,
        "JSONL syntax error on every line (reference)": jsonl_syntax_errors,
        "config.yaml billion laughs": config_laughs,
        "profile billion laughs": profile_laughs,
        "1,000 small billion-laughs profiles": small_laughs_in_many_profiles,
        "profile flow nesting": profile_deep_flow,
        "JSONL 400-deep meta lines": jsonl_deep_meta,
        "JSONL one 50 MB line": jsonl_one_long_line,
        "JSONL lone surrogates": jsonl_surrogates,
        "definitions.json nesting": definitions_deep,
    }


_MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
rss = usage.ru_maxrss / 1024
cpu = usage.ru_utime + usage.ru_stime
last = (p.stdout.strip().splitlines() or [""])[-1]
first = (p.stdout.strip().splitlines() or [""])[0]
print(repr((wall, cpu, rss, p.returncode, first[:160], last[:160], "Traceback" in p.stderr)))
"""


Measured = tuple[float, float, float, int, str, str, bool]  # wall, cpu, rss, exit, first, last, tb


def measure(data: Path) -> Measured:
    cli = [sys.executable, "-m", "leaderboard", "validate", "-d", str(data), "--now", "2024-06-01"]
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cli], capture_output=True, text=True, check=True
    )
    result: Measured = eval(out.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=50)
    args = parser.parse_args()
    size = args.size_mb << 20
    rows: list[tuple[str, float, Measured]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "clean"
        shutil.copytree(FIXTURE, base)
        rows.append(("clean fixture (baseline)", 0.0, measure(base)))
        for name, make in _cases(size).items():
            data = Path(tmp) / "case"
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(FIXTURE, data)
            make(data)
            mb = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / (1 << 20)
            rows.append((name, mb, measure(data)))
            shutil.rmtree(data)
    print("| case | data MB | wall s | CPU s | peak RSS MB | exit | first problem |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    ok = True
    reference_cpu = next(m[1] for n, _, m in rows if n.startswith("JSONL syntax"))
    for name, mb, (wall, cpu, rss, code, first, last, tb) in rows:
        shown = last if name.startswith("clean") else first
        print(f"| {name} | {mb:.0f} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {code} | `{shown}` |")
        if not name.startswith(("clean", "valid", "JSONL syntax")):
            # A file with an error on each of its million lines costs per line what any
            # invalid line does: its budget is relative to the same-size file of syntax errors.
            per_line = "surrogates" in name or "400-deep" in name
            limit = max(BUDGET_S, 1.5 * reference_cpu) if per_line else BUDGET_S
            ok = ok and cpu <= limit and rss <= BUDGET_MB and code == 3 and not tb
    print(
        f"budget: each hostile case exit 3, no traceback, ≤ {BUDGET_MB} MB, ≤ {BUDGET_S:.0f} CPU s "
        "(cases with an error on every line: ≤ 1.5x the syntax-error reference, if more):",
        "ok" if ok else "EXCEEDED",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
