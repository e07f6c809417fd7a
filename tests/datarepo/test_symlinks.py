"""CORE-82 (issue 15 item 7): a data directory that is a symlink leading outside the data dir is
neither read nor written through, and `run` never writes outside the data dir."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datarepo.helpers import FIXTURES


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        h.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            h.update(path.read_bytes())
    return h.hexdigest()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LEADERBOARD_NOW": "2024-06-01"},
    )


@pytest.mark.parametrize("link", ["contributors", "badges/contributors", "activities"])
@pytest.mark.parametrize("skip_invalid", [False, True])
def test_symlinked_dir_out_of_data_dir_is_refused(
    tmp_path: Path, link: str, skip_invalid: bool
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "upstream", data)
    outside = tmp_path / "outside"
    # The outside directory holds what the data dir had, plus a file export would delete.
    shutil.move(str(data / link), outside)
    (outside / "stale.jsonl").write_text('{"keep": "me"}\n')
    (data / link).symlink_to(outside, target_is_directory=True)
    before = _tree_digest(outside)

    checked = _cli("validate", "-d", str(data))
    assert checked.returncode == 3
    assert f"{link}: error: {link} leads outside the data dir" in checked.stdout
    assert "[unsafe-path]" in checked.stdout

    args = ["run", "-d", str(data), "import", "export"]
    ran = _cli(*args, *(["--skip-invalid"] if skip_invalid else []))
    assert ran.returncode != 0 or skip_invalid
    assert _tree_digest(outside) == before, ran.stderr[-2000:]


def test_symlink_inside_the_data_dir_is_fine(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "upstream", data)
    (data / "real-badges").mkdir()
    shutil.move(str(data / "badges" / "contributors"), data / "real-badges" / "contributors")
    (data / "badges" / "contributors").symlink_to(
        data / "real-badges" / "contributors", target_is_directory=True
    )
    checked = _cli("validate", "-d", str(data))
    assert checked.returncode == 0, checked.stdout
