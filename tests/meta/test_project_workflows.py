"""This project's own GitHub workflows (CI and release) pass the workflow schema and zizmor, pin
every action by SHA, and CI runs the same entry point as a developer's machine."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run `pip install -e '.[dev]'`")
    return found


def test_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "release.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_schema_zizmor_and_pins(path: Path) -> None:
    schema = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", "--min-severity", "high", str(path)],
        capture_output=True,
        text=True,
    )
    assert json.loads(audit.stdout or "[]") == [], audit.stdout
    for line in path.read_text().splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d", line), line
    data = yaml.safe_load(path.read_text())
    assert data["permissions"] == {}


def test_ci_runs_the_ci_entry_point_and_release_publishes_with_oidc() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert ci["jobs"]["test"]["steps"][-1]["run"] == ".ci/run"
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert release[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads `on` as True
    publish = release["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert "gh-action-pypi-publish" in publish["steps"][-1]["uses"]
    build_steps = " ".join(str(s.get("run", "")) for s in release["jobs"]["build"]["steps"])
    assert "python -m build" in build_steps and "twine check" in build_steps
