"""Packaging: `python -m build` gives an sdist and a wheel that install into clean virtual
environments and run `leaderboard demo`; a `new-plugin` project's own tests pass with plain
`pytest` where only our wheel and that project are installed.

Slow (a build and fresh venvs), but part of `make test`: nothing here is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LEADERBOARD_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    full.update(env or {})
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    wheels = list(out.glob("*.whl"))
    sdists = list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    run(sys.executable, "-m", "twine", "check", "--strict", wheels[0], sdists[0])
    return {"wheel": wheels[0], "sdist": sdists[0]}


def fresh_venv(path: Path) -> Path:
    venv.create(path, with_pip=True, clear=True)
    return path / "bin"


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_built_distribution_installs_and_runs_the_demo(
    dist: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", dist[kind])
    data = tmp_path / "demo-data"
    done = run(
        bin_dir / "leaderboard",
        "demo",
        data,
        "--contributors",
        "6",
        "--days",
        "14",
        env={"LEADERBOARD_NOW": "2025-01-15T12:00:00Z", "LEADERBOARD_OFFLINE": "1"},
        cwd=tmp_path,
    )
    assert f"Built site: {data / '_site'}" in done.stdout
    assert (data / "_site" / "index.html").is_file()
    assert (data / "_site" / "docs" / "index.html").is_file()  # docs shipped in the package
    # The installed copy is the one that ran (not this checkout).
    where = run(bin_dir / "python", "-c", "import leaderboard; print(leaderboard.__file__)")
    assert str(tmp_path / "venv") in where.stdout


def test_new_plugin_project_tests_pass_with_only_our_wheel(
    dist: dict[str, Path], tmp_path: Path
) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", dist["wheel"])
    project = tmp_path / "leaderboard-plugin-standup-notes"
    run(
        bin_dir / "leaderboard",
        "new-plugin",
        project,
        "--name",
        "standup-notes",
        "--description",
        'Counts "stand-up" notes posted in chat',
        "--author",
        "Ops Team",
        "--no-input",
    )
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", f"{project}[test]")
    done = run(bin_dir / "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert "3 passed" in done.stdout
    listed = run(bin_dir / "python", "-m", "pip", "list", "--format=freeze").stdout
    assert "leaderboard-plugin-standup-notes==0.1.0" in listed
    assert "contributor-leaderboard==" in listed
