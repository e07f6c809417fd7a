"""NEW-03: `leaderboard merge-contributors FROM INTO` on a real data repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from scaffoldkit import ORG_FLAGS, run_cli

from leaderboard.config.model import IdentityConfig
from leaderboard.db import Database
from leaderboard.merge import apply_merge, plan_merge


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git/" not in p.as_posix()
    }


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("merge") / "data"
    out = run_cli("init", str(root), "--no-input", *ORG_FLAGS, "--plugin", "dummy", "--no-git")
    assert out.returncode == 0, out.stderr
    out = run_cli("run", "-d", str(root))
    assert out.returncode == 0, out.stderr
    return root


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(base_repo, target)
    return target


def two_people(repo: Path) -> tuple[str, str]:
    names = sorted(p.stem for p in (repo / "contributors").glob("*.md"))
    return names[1], names[2]


def activity_count(repo: Path, username: str) -> int:
    path = repo / "activities" / "contributors" / f"{username}.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_new_03_merge_moves_everything_and_deletes_from(repo: Path) -> None:
    source, target = two_people(repo)
    before = activity_count(repo, source) + activity_count(repo, target)
    out = run_cli("merge-contributors", source, target, "-d", str(repo))
    assert out.returncode == 0, out.stderr
    assert f"Merged {source} into {target}" in out.stdout
    assert not (repo / "contributors" / f"{source}.md").exists()
    assert not (repo / "activities" / "contributors" / f"{source}.jsonl").exists()
    assert activity_count(repo, target) == before
    profile = (repo / "contributors" / f"{target}.md").read_text()
    assert f"- {source}" in profile  # FROM's username kept as a github identity of INTO
    check = run_cli("validate", "-d", str(repo), "--format", "json")
    assert json.loads(check.stdout)["errors"] == 0, check.stdout


def test_new_03_dry_run_writes_nothing(repo: Path) -> None:
    source, target = two_people(repo)
    before = snapshot(repo)
    out = run_cli("merge-contributors", source, target, "--dry-run", "-d", str(repo))
    assert out.returncode == 0, out.stderr
    assert f"Merge {source} into {target}:" in out.stdout and "Dry run" in out.stdout
    assert snapshot(repo) == before


@pytest.mark.parametrize("case", ["self", "self-case", "missing-from", "missing-into"])
def test_new_03_bad_input_exit_codes_and_nothing_written(repo: Path, case: str) -> None:
    source, target = two_people(repo)
    args = {
        "self": (source, source),
        "self-case": (source, source.upper()),
        "missing-from": ("nobody-by-this-name", target),
        "missing-into": (source, "nobody-by-this-name"),
    }[case]
    before = snapshot(repo)
    out = run_cli("merge-contributors", *args, "-d", str(repo))
    if case.startswith("self"):
        assert out.returncode == 2 and "into itself" in out.stderr
    else:
        assert out.returncode == 3 and "Contributor not found: nobody-by-this-name" in out.stderr
    assert snapshot(repo) == before


def test_new_03_badge_conflict_keeps_the_earlier_award() -> None:
    db = Database.memory()
    db.execute(
        "INSERT INTO badge_definition(slug, name, description, variants) VALUES "
        "('streak', 'Streak', 'd', '{}')"
    )
    for user in ("mei-lin-old", "mei-lin"):
        db.execute(
            "INSERT INTO contributor(username, role, identities) VALUES (?, 'core', ?)",
            (user, json.dumps({"email": ["mei@example.org"]} if user == "mei-lin-old" else None)),
        )
    db.execute(
        "INSERT INTO contributor_badge(slug, badge, contributor, variant, achieved_on) "
        "VALUES ('streak__mei-lin-old__gold', 'streak', 'mei-lin-old', 'gold', "
        "'2024-01-02'), ('streak__mei-lin__gold', 'streak', 'mei-lin', 'gold', "
        "'2024-03-01'), ('streak__mei-lin-old__bronze', 'streak', 'mei-lin-old', "
        "'bronze', '2023-12-01')"
    )
    identity = IdentityConfig(primary="github", from_social_profiles=True)
    plan = plan_merge(db, "mei-lin-old", "mei-lin", identity)
    assert plan.badges_merged == ["streak/gold"]
    assert plan.badges_moved == ["streak__mei-lin-old__bronze"]
    assert plan.identities_added == ["email:mei@example.org", "github:mei-lin-old"]
    apply_merge(db, "mei-lin-old", "mei-lin", identity)
    rows = db.execute("SELECT slug, achieved_on FROM contributor_badge ORDER BY slug").fetchall()
    assert [tuple(r) for r in rows] == [
        ("streak__mei-lin__bronze", "2023-12-01"),
        ("streak__mei-lin__gold", "2024-01-02"),
    ]
    assert db.scalar("SELECT COUNT(*) FROM contributor WHERE username = 'mei-lin-old'") == 0
    owner = db.scalar(
        "SELECT contributor FROM contributor_identity WHERE namespace = 'github' "
        "AND value = 'mei-lin-old'"
    )
    assert owner == "mei-lin"


def test_scaffoldkit_git_is_available() -> None:
    assert subprocess.run(["git", "--version"], capture_output=True).returncode == 0
