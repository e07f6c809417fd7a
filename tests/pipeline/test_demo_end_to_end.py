"""`leaderboard demo` (CORE-78, CORE-81, NEW-11): reproducible data and site."""

from __future__ import annotations

from pathlib import Path

from e2e import Runner, tree


def test_core_78_same_seed_and_now_give_identical_files_and_site(
    tmp_path: Path, cli: Runner
) -> None:
    args = ["--contributors", "6", "--days", "20", "--now", "2026-03-01T12:00:00Z", "--offline"]
    one, two = tmp_path / "one", tmp_path / "two"
    for target in (one, two):
        out = cli("demo", str(target), *args, timeout=300)
        assert out.returncode == 0, out.stderr
        assert f"Built site: {target / '_site'}" in out.stdout
    a = {k: v[0] for k, v in tree(one).items()}
    b = {k: v[0] for k, v in tree(two).items()}
    assert a == b
    assert "config.yaml" in a and "theme.css" in a and "_site/index.html" in a
    assert any(k.startswith("activities/contributors/") for k in a)
    # A different seed gives different data.
    out = cli("demo", str(tmp_path / "three"), *args, "--seed", "7", "--no-build")
    assert out.returncode == 0, out.stderr
    c = {k: v[0] for k, v in tree(tmp_path / "three").items() if k.startswith("activities/")}
    assert c != {k: v for k, v in a.items() if k.startswith("activities/")}


def test_core_78_refuses_non_empty_dirs(tmp_path: Path, cli: Runner) -> None:
    target = tmp_path / "stuff"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    out = cli("demo", str(target), "--no-build")
    assert out.returncode == 1 and "is not empty (use --force to replace it)" in out.stderr
    out = cli("demo", str(target), "--no-build", "--force")
    assert (
        out.returncode == 1
        and f"Refusing to delete {target}: it does not look like a data dir" in out.stderr
    )
    assert (target / "precious.txt").read_text() == "keep me"
