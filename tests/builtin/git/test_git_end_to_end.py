"""ECO-55…57, NEW-12, NEW-01: the git plugin through `leaderboard run` (a real subprocess) against
real repositories made with `git init` — mailmap, a merge, co-author trailers, a bot, a renamed
author, two refs — compared with hand-checked expected files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import gitrepo
from gitrepo import log_records, run_cli, tree

EXPECTED = Path(__file__).resolve().parent / "expected"


def _activity_dump(data: Path) -> str:
    out = []
    for path in sorted((data / "activities" / "contributors").glob("*.jsonl")):
        out.append(f"# activities/contributors/{path.name}\n")
        out.append(path.read_text(encoding="utf-8"))
    return "".join(out)


def _reads(stderr: str) -> dict[str, dict[str, object]]:
    return {
        str(r["repo"]): r
        for r in log_records(stderr)
        if r.get("plugin") == "git" and "commits_read" in r
    }


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr
    return done


def test_first_run_matches_the_hand_checked_files(tmp_path: Path) -> None:
    data = gitrepo.build_org(tmp_path)
    done = _ok(run_cli("run", "-d", str(data), "--log-format", "json"))
    assert _activity_dump(data) == (EXPECTED / "activities.txt").read_text(encoding="utf-8")
    created = "".join(
        f"# contributors/{name}\n" + (data / "contributors" / name).read_text(encoding="utf-8")
        for name in ("dave.md", "dave-2.md", "dependabot[bot].md")
    )
    assert created == (EXPECTED / "created_profiles.txt").read_text(encoding="utf-8")
    # The built-in definitions land in the data repo exactly as ECO-57 declares them.
    definitions = json.loads((data / "activities" / "definitions.json").read_text())
    assert {d["slug"]: d for d in definitions}["git_coauthor"] == {
        "slug": "git_coauthor",
        "name": "Co-authored Commit",
        "description": "Co-authored a commit",
        "points": 1,
        "icon": "users",
    }
    reads = _reads(done.stderr)
    assert reads["api"]["commits_read"] == 9  # ten commits, the merge left out
    assert reads["docs"]["commits_read"] == 3  # main and release share the first commit
    # Unknown people were created (createContributors), nobody is left unresolved.
    assert sorted(p.name for p in (data / "contributors").iterdir()) == [
        "alice-wonderland-example.md",
        "bob-the-builder.md",
        "carol-long-username-example.md",
        "dave-2.md",
        "dave.md",
        "dependabot[bot].md",
    ]


def test_same_email_and_linked_github_login_are_one_contributor(tmp_path: Path) -> None:
    """Carol commits as carolgh@users.noreply.github.com and as Carol@Corp.Example; her profile
    links github: carolgh and the e-mail. Her GitHub pull request and all her commits end up in
    one file, and no second contributor appears for either address."""
    data = gitrepo.build_org(tmp_path)
    _ok(run_cli("run", "-d", str(data)))
    lines = [
        json.loads(line)
        for line in (data / "activities" / "contributors" / "carol-long-username-example.jsonl")
        .read_text()
        .splitlines()
    ]
    assert [(a["activity_definition"], a["title"]) for a in lines] == [
        ("git_coauthor", "Co-authored: Add the parser"),
        ("git_commit", "Fix a parser edge case"),
        ("pr_merged", "Merged PR #7"),
        ("git_commit", "Fix a typo in the README"),
        ("git_commit", "Document the parser"),
    ]
    names = {p.stem for p in (data / "contributors").iterdir()}
    assert not any(
        n.startswith(("carol", "carolgh")) for n in names - {"carol-long-username-example"}
    )


def test_second_run_changes_nothing_and_reads_nothing(tmp_path: Path) -> None:
    data = gitrepo.build_org(tmp_path)
    _ok(run_cli("run", "-d", str(data)))
    before = tree(data)
    done = _ok(run_cli("run", "-d", str(data), "--log-format", "json"))
    assert tree(data) == before  # same bytes, same modification times
    reads = _reads(done.stderr)
    assert reads["api"]["commits_read"] == 0 and reads["docs"]["commits_read"] == 0
    assert "no new commits" in str(reads["api"]["msg"])


def test_one_new_commit_reads_only_that_commit(tmp_path: Path) -> None:
    data = gitrepo.build_org(tmp_path)
    _ok(run_cli("run", "-d", str(data)))
    api = tmp_path / "repos" / "api"
    old_head = gitrepo.git(api, "rev-parse", "HEAD")
    new = gitrepo.commit(
        api, gitrepo.BOB, "2024-01-20T10:00:00Z", "Handle empty input", {"src/empty.py": "e\n"}
    )
    before = tree(data)
    done = _ok(run_cli("run", "-d", str(data), "--log-format", "json"))
    reads = _reads(done.stderr)
    assert reads["api"]["commits_read"] == 1
    assert reads["api"]["range"] == f"{new} --not {old_head}"
    assert reads["api"]["full"] is False
    assert reads["docs"]["commits_read"] == 0
    after = tree(data)
    changed = sorted(k for k in after if before.get(k) != after[k])
    assert "activities/contributors/bob-the-builder.jsonl" in changed
    assert all(not k.startswith("activities/contributors/") or "bob" in k for k in changed)
    bob = (data / "activities" / "contributors" / "bob-the-builder.jsonl").read_text()
    assert f'"slug":"git_commit_api_{new}"' in bob and bob.count("\n") == 3


def test_missing_path_and_non_repository_fail_the_plugin_not_the_run(tmp_path: Path) -> None:
    """A second git plugin pointing at a moved checkout and a plain directory fails in setup with
    both repositories named; the first plugin still runs, and nothing stored is lost."""
    data = gitrepo.build_org(tmp_path)
    _ok(run_cli("run", "-d", str(data)))
    before = tree(data)
    (tmp_path / "plain").mkdir()
    config = (data / "config.yaml").read_text()
    config += (
        "    archive:\n      source: git\n      config:\n        repositories:\n"
        "          - ../gone\n          - path: ../plain\n            name: plain-dir\n"
    )
    (data / "config.yaml").write_text(config)
    done = run_cli("run", "-d", str(data), "--log-format", "json")
    assert done.returncode == 1, done.stderr
    errors = [r for r in log_records(done.stderr) if r["level"] == "ERROR"]
    text = " ".join(str(r.get("error", "")) + str(r["msg"]) for r in errors)
    assert "repository gone" in text and "path does not exist" in text
    assert "repository plain-dir" in text and "not a git work tree" in text
    assert _reads(done.stderr)["api"]["commits_read"] == 0  # the other plugin went on
    after = tree(data)
    assert {k: v for k, v in after.items() if k != "config.yaml"} == {
        k: v for k, v in before.items() if k != "config.yaml"
    }


def test_shallow_clone_is_refused_with_the_repository_named(tmp_path: Path) -> None:
    data = gitrepo.build_org(tmp_path)
    _ok(run_cli("run", "-d", str(data)))
    activities_before = _activity_dump(data)
    shallow = tmp_path / "repos" / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            f"file://{tmp_path / 'repos' / 'api'}",
            str(shallow),
        ],
        check=True,
        env={**gitrepo.BASE_ENV, "PATH": "/usr/bin:/bin"},
    )
    config = (
        (data / "config.yaml")
        .read_text()
        .replace("          - path: ../repos/api\n", "          - path: ../repos/shallow\n")
    )
    (data / "config.yaml").write_text(config)
    done = run_cli("run", "-d", str(data), "--log-format", "json")
    assert done.returncode == 1
    errors = " ".join(
        str(r.get("error", "")) for r in log_records(done.stderr) if r["level"] == "ERROR"
    )
    assert "repository shallow" in errors and "shallow clone" in errors
    assert "git fetch --unshallow" in errors
    assert _activity_dump(data) == activities_before
