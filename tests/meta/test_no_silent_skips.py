"""`.ci/run` sets LEADERBOARD_FORBID_SKIPS=1: a skipped test then fails the session, and the
suite has no skips for missing prerequisites (they fail with a fix instead)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def run_pytest(tmp_path: Path, forbid: bool) -> subprocess.CompletedProcess[str]:
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_x.py").write_text(
        "import pytest\n\ndef test_ok():\n    pass\n\n"
        "def test_missing_tool():\n    pytest.skip('tool missing')\n"
    )
    env = {**os.environ, "LEADERBOARD_FORBID_SKIPS": "1" if forbid else "0"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )


def test_a_skip_fails_the_session_when_forbidden(tmp_path: Path) -> None:
    forbidden = run_pytest(tmp_path, forbid=True)
    assert forbidden.returncode == 1, forbidden.stdout
    assert "skipped while LEADERBOARD_FORBID_SKIPS=1" in forbidden.stdout
    assert run_pytest(tmp_path, forbid=False).returncode == 0


def test_ci_entry_point_forbids_skips() -> None:
    assert "export LEADERBOARD_FORBID_SKIPS=1" in (TESTS.parent / ".ci" / "run").read_text()


def test_no_skip_for_missing_prerequisites_in_the_suite() -> None:
    pattern = re.compile(r"pytest\.(skip\(|importorskip\()|mark\.skipif\(")
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if path == Path(__file__):
            continue
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            # Platform facts (no fork on this OS) are not missing prerequisites.
            nearby = line + (lines[number] if number < len(lines) else "")
            if pattern.search(line) and "fork" not in nearby:
                offenders.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert offenders == []
