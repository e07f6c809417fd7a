"""The bad-input corpus (issue 15): every case is one file under `badinput/`, so adding a case is
adding a file. Each case breaks a copy of the upstream fixture repository; the real CLI must
exit with the expected code, print a problem naming the file (and line, where the problem has
one) with its code, and leave the data directory byte-identical — for `validate` and for `run`.

All cases run in-process through click's CliRunner (fast); every tenth also runs as a real
subprocess, so the two paths cannot drift apart.

Case file format (UTF-8 text):

    # comment lines
    expect: <path>[:<line>] <code>      one or more; <path> may use \\uXXXX escapes
    exit: <n>                           optional, default 3
    --- <op> <path>                     then the body, up to the next `--- ` line

ops: `write`/`append` (body as text, `@@N*text@@` repeats text N times), `write-bytes`/
`append-bytes` (body with Python byte escapes such as \\x00 \\xff), `mkdir`, `fifo`, `remove`,
`symlink-out` (the path becomes a symlink to a directory outside the data dir, holding what was
there; that directory must stay unchanged too).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from datarepo.helpers import FIXTURES
from leaderboard.cli import cli
from leaderboard.problems import printable

CASES = Path(__file__).parent / "badinput"
NOW = "2024-06-01"
_REPEAT = re.compile(r"@@(\d+)\*(.*?)@@", re.DOTALL)


@dataclass
class Case:
    name: str
    expects: list[tuple[str, int | None, str]] = field(default_factory=list)
    exit: int = 3
    ops: list[tuple[str, str, str]] = field(default_factory=list)


def parse_case(path: Path) -> Case:
    case = Case(path.stem)
    op: list[str] | None = None
    body: list[str] = []

    def flush() -> None:
        if op is not None:
            case.ops.append((op[0], op[1], "".join(body)))

    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("--- "):
            flush()
            parts = line[4:].rstrip("\n").split(" ", 1)
            op, body = [parts[0], _unescape(parts[1])], []
        elif op is not None:
            body.append(line)
        elif line.startswith("expect: "):
            where, code = line[8:].rstrip("\n").rsplit(" ", 1)
            target, _, number = where.rpartition(":")
            if target and number.isdigit():
                case.expects.append((_unescape(target), int(number), code))
            else:
                case.expects.append((_unescape(where), None, code))
        elif line.startswith("exit: "):
            case.exit = int(line[6:])
    flush()
    assert case.expects, f"{path.name}: no expect line"
    return case


def _unescape(text: str) -> str:
    return codecs.decode(text, "unicode_escape") if "\\" in text else text


def apply(case: Case, data: Path, outside: Path) -> None:
    for op, rel, body in case.ops:
        target = data / rel
        text = _REPEAT.sub(lambda m: m.group(2) * int(m.group(1)), body)
        if op in ("write", "append"):
            with target.open("a" if op == "append" else "w", encoding="utf-8", newline="") as f:
                f.write(text)
        elif op in ("write-bytes", "append-bytes"):
            raw = codecs.escape_decode(text.encode("utf-8"))[0]
            with target.open("ab" if op == "append-bytes" else "wb") as f:
                f.write(raw)
        elif op == "mkdir":
            target.mkdir(parents=True)
        elif op == "fifo":
            os.mkfifo(target)
        elif op == "remove":
            target.unlink()
        elif op == "symlink-out":
            moved = outside / rel.replace("/", "_")
            shutil.move(str(target), moved)
            target.symlink_to(moved, target_is_directory=True)
        else:
            raise AssertionError(f"{case.name}: unknown op {op}")


def tree_digest(root: Path) -> str:
    """Names, kinds, link targets and bytes of everything under `root` (never following links)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted([*dirnames, *filenames]):
            path = Path(dirpath) / name
            h.update(os.fsencode(path.relative_to(root)) + b"\0")
            if path.is_symlink():
                h.update(b"L" + os.fsencode(os.readlink(path)))
            elif path.is_file():
                h.update(b"F" + path.read_bytes())
            else:
                h.update(b"O")
    return h.hexdigest()


def check_output(case: Case, output: str, what: str) -> None:
    lines = output.splitlines()
    for path, line, code in case.expects:
        where = printable(path) + (f":{line}:" if line is not None else ": ")
        hits = [ln for ln in lines if ln.startswith(where) and ln.endswith(f"[{code}]")]
        assert hits, f"{case.name} ({what}): no '{where}… [{code}]' in:\n{output[-3000:]}"
        assert all(": error: " in ln or case.exit == 0 for ln in hits)
    assert "Traceback" not in output and "recursion" not in output, output[-3000:]


ALL = sorted(CASES.glob("*.case"))


def test_corpus_is_large() -> None:
    assert len(ALL) >= 100


@pytest.fixture
def broken(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Case, Path, Path]:
    case = parse_case(request.param)
    data = tmp_path / "data"
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copytree(FIXTURES / "upstream", data)
    apply(case, data, outside)
    return case, data, outside


@pytest.mark.parametrize("broken", ALL, ids=[p.stem for p in ALL], indirect=True)
def test_bad_input(broken: tuple[Case, Path, Path]) -> None:
    case, data, outside = broken
    before = tree_digest(data), tree_digest(outside)
    runner = CliRunner()
    common = ["-d", str(data), "--now", NOW]
    result = runner.invoke(cli, ["validate", *common], catch_exceptions=False)
    assert result.exit_code == case.exit, result.output[-3000:]
    check_output(case, result.output, "validate")
    assert (tree_digest(data), tree_digest(outside)) == before, "validate changed files"

    result = runner.invoke(cli, ["run", "--offline", *common], catch_exceptions=False)
    assert result.exit_code == case.exit, result.output[-3000:]
    check_output(case, result.output, "run")
    assert (tree_digest(data), tree_digest(outside)) == before, "run changed files"


SAMPLE = ALL[::10]


@pytest.mark.parametrize("broken", SAMPLE, ids=[p.stem for p in SAMPLE], indirect=True)
def test_bad_input_subprocess(broken: tuple[Case, Path, Path]) -> None:
    case, data, outside = broken
    before = tree_digest(data), tree_digest(outside)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LEADERBOARD_NOW": NOW}
    for command in (["validate"], ["run", "--offline"]):
        proc = subprocess.run(
            [sys.executable, "-m", "leaderboard", *command, "-d", str(data)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert proc.returncode == case.exit, proc.stdout[-2000:] + proc.stderr[-2000:]
        check_output(case, proc.stdout + proc.stderr, " ".join(command))
        assert (tree_digest(data), tree_digest(outside)) == before
