"""ECO-55…57: the git plugin's hooks in process (real repositories, real SQLite), for the rules
the end-to-end tests do not reach: unresolved authors and re-linking, merges, options, parsing,
rewritten history, config checks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gitrepo
import pytest

from leaderboard.builtin.git import log as gitlog
from leaderboard.builtin.git import plugin
from leaderboard.builtin.git.authors import noreply_login, username_for
from leaderboard.builtin.git.log import log_args, parse_records, read_commits, read_dated
from leaderboard.config.model import IdentityConfig
from leaderboard.db import Database
from leaderboard.errors import PluginError
from leaderboard.identities import rebuild_index
from leaderboard.plugins.hooks import HookResult, run_hook
from leaderboard.plugins.records import insert_contributor, normalise_contributor
from leaderboard.plugins.static import apply_plugin_definitions
from leaderboard.plugins.validate import contract_problem, declaration_problems
from leaderboard.testing import make_context, memory_db


class _Loaded:
    id = "git"
    index = 0
    plugin = plugin


def _profile(db: Database, username: str, **fields: Any) -> None:
    insert_contributor(db, normalise_contributor({"username": username, "role": "core", **fields}))
    rebuild_index(db, IdentityConfig())


def _hook(db: Database, hook: str, config: dict[str, Any], data: Path) -> HookResult:
    ctx = make_context("git", config=config, db=db, data_dir=data, now="2024-02-01T12:00:00Z")
    result = run_hook(db, _Loaded(), hook, ctx)
    assert result.status in ("ok", "failed")
    return result


def _run(db: Database, config: dict[str, Any], data: Path) -> HookResult:
    setup = _hook(db, "setup", config, data)
    assert setup.status == "ok", setup.error
    return _hook(db, "scrape", config, data)


def _activities(db: Database) -> list[tuple[str, str, str]]:
    rows = db.query(
        "SELECT slug, contributor, activity_definition FROM activity ORDER BY occurred_at, slug"
    )
    return [(r["slug"], r["contributor"], r["activity_definition"]) for r in rows]


@pytest.fixture
def db() -> Database:
    database = memory_db()
    apply_plugin_definitions(database, plugin)
    return database


def test_unresolved_authors_are_reported_then_credited_once_linked(
    tmp_path: Path, db: Database
) -> None:
    repo = gitrepo.build_api(tmp_path / "api")
    _profile(db, "alice-wonderland-example", identities={"email": ["alice@example.org"]})
    config = {"repositories": [str(repo)]}
    result = _run(db, config, tmp_path)
    assert result.status == "ok", result.error
    owners = {c for _, c, _ in _activities(db)}
    assert owners == {"alice-wonderland-example"}  # nobody is created without createContributors
    unresolved = {
        r["value"]: (r["hint"], r["plugin"])
        for r in db.query("SELECT value, hint, plugin FROM unresolved_identity")
    }
    assert unresolved["dave@random.example"] == ("Dave Random", "git")
    assert unresolved["carol@corp.example"] == ("Carol Danvers", "git")
    assert "12345+bob-the-builder@users.noreply.github.com" in unresolved
    # Nothing new in git; Bob's GitHub login now has a profile: his commits are read again.
    _profile(db, "bob-the-builder")
    again = _run(db, config, tmp_path)
    assert again.status == "ok", again.error
    assert again.activities_inserted == 1
    assert ("bob-the-builder", "git_commit") in {(c, d) for _, c, d in _activities(db)}
    # And a third run with nothing new reads nothing.
    assert _run(db, config, tmp_path).activities_inserted == 0


def test_bots_are_marked_and_merges_included_on_request(tmp_path: Path, db: Database) -> None:
    repo = gitrepo.build_api(tmp_path / "api")
    _profile(db, "alice-wonderland-example", identities={"email": ["alice@example.org"]})
    _profile(db, "dependabot[bot]")  # a profile without `bot:` is marked by the plugin (NEW-06)
    config = {"repositories": [{"path": str(repo), "name": "api"}], "includeMerges": True}
    assert _run(db, config, tmp_path).status == "ok"
    titles = {
        r["title"]: r["meta"]
        for r in db.query("SELECT title, meta FROM activity WHERE contributor LIKE 'alice%'")
    }
    assert "Merge branch 'feature'" in titles  # merges have no numstat of their own
    assert '"files_changed":0' in titles["Merge branch 'feature'"]
    assert db.scalar("SELECT bot FROM contributor WHERE username = 'dependabot[bot]'") == 1


def test_options_coauthors_off_since_and_disabled_definition(tmp_path: Path, db: Database) -> None:
    repo = gitrepo.build_api(tmp_path / "api")
    config = {
        "repositories": [str(repo)],
        "createContributors": True,
        "defaultRole": "community",
        "coAuthors": False,
        "since": "2024-01-06",
        "activityDefinition": {"git_commit": {"points": 3, "name": "Commit (local)"}},
    }
    assert _run(db, config, tmp_path).status == "ok"
    acts = _activities(db)
    assert {d for _, _, d in acts} == {"git_commit"}
    dates = [r["occurred_at"] for r in db.query("SELECT occurred_at FROM activity")]
    assert min(dates) >= "2024-01-06T00:00:00.000Z" and len(dates) == 4
    assert db.scalar("SELECT role FROM contributor WHERE username = 'dave'") == "community"
    row = db.query("SELECT name, points FROM activity_definition WHERE slug = 'git_commit'")[0]
    assert (row["name"], row["points"]) == ("Commit (local)", 3)
    off = memory_db()
    apply_plugin_definitions(off, plugin)
    config = {
        "repositories": [str(repo)],
        "createContributors": True,
        "activityDefinition": {"git_commit": {"disabled": True}},
    }
    assert _run(off, config, tmp_path).status == "ok"
    assert {d for _, _, d in _activities(off)} == {"git_coauthor"}


def test_rewritten_history_is_read_again_without_losing_rows(tmp_path: Path, db: Database) -> None:
    repo = gitrepo.build_docs(tmp_path / "docs")
    config = {"repositories": [str(repo)], "createContributors": True}
    assert _run(db, config, tmp_path).activities_inserted == 2
    gitrepo.git(repo, "reset", "-q", "--hard", "HEAD~1")
    gitrepo.git(repo, "reflog", "expire", "--expire=now", "--all")
    gitrepo.git(repo, "gc", "-q", "--prune=now")
    amended = gitrepo.commit(repo, gitrepo.CAROL, "2024-01-13T10:00:00Z", "Document it again")
    result = _run(db, config, tmp_path)
    assert result.status == "ok", result.error
    slugs = [s for s, _, _ in _activities(db)]
    assert f"git_commit_docs_{amended}" in slugs and len(slugs) == 3  # the old row is kept


def test_unknown_ref_fails_setup_naming_repository_and_ref(tmp_path: Path, db: Database) -> None:
    repo = gitrepo.build_docs(tmp_path / "docs")
    config = {"repositories": [{"path": str(repo), "refs": ["main", "nope"]}]}
    result = _hook(db, "setup", config, tmp_path)
    assert result.status == "failed"
    assert result.error is not None and "repository docs" in result.error
    assert "nope" in result.error


def test_parse_records_numstat_binary_and_trailers() -> None:
    data = (
        b"\x1eabc123\x1f2024-01-01T10:00:00+05:30\x1fA\x1fa@x.org\x1fSubject\x1f"
        b"Carol <c@x.org>\x1dnot a contact\x1dD <d@x.org>\x1f\n\n"
        b"3\t1\tsrc/a.py\n-\t-\timg.png\n10\t0\tdocs/{old => new}.md\n"
        b"\x1edef456\x1f2024-01-02T10:00:00Z\x1fB\x1fb@x.org\x1fEmpty\x1f\x1f\n"
    )
    first, second = list(parse_records(data))
    assert (first.insertions, first.deletions, first.files_changed) == (13, 1, 3)
    assert first.co_authors == (("Carol", "c@x.org"), ("D", "d@x.org"))
    assert (second.files_changed, second.co_authors) == (0, ())


def test_log_args_follow_eco_56() -> None:
    args = log_args(["aaa", "bbb"], ["ccc"], merges=False, since="2024-01-01T00:00:00.000Z")
    assert args[0] == "log" and args[-7:] == [
        "--no-textconv",
        "aaa",
        "bbb",
        "--no-merges",
        "--since=2024-01-01T00:00:00.000Z",
        "--not",
        "ccc",
    ]
    assert "--date=iso-strict" in args and "--numstat" in args
    fmt = next(a for a in args if a.startswith("--format="))
    assert fmt.startswith("--format=%x1e%H%x1f%aI%x1f%aN%x1f%aE%x1f%s%x1f")
    assert "%(trailers:key=Co-authored-by,valueonly,separator=%x1d)%x1f" in fmt


def test_parallel_slices_read_exactly_what_one_git_log_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = gitrepo.build_api(tmp_path / "api")
    for merges, since in ((True, None), (False, None), (True, "2024-01-05T00:00:00.000Z")):
        args = log_args(["HEAD"], [], merges=merges, since=None)
        total, chunks = read_dated(repo, args, since=since, workers=1)
        single = [pair for chunk in chunks for pair in chunk]
        assert total == len(single) and single == sorted(single, key=lambda d: (d[0], d[1].sha))
        with monkeypatch.context() as patch:
            patch.setattr(gitlog, "PARALLEL_FROM", 2)
            patch.setattr(gitlog, "SLICE_MIN", 1)
            patch.setattr(gitlog, "SLICE_MAX", 3)
            for workers, in_flight in ((2, 3), (3, 3), (4, 3), (2, 1)):
                patch.setattr(gitlog, "IN_FLIGHT", in_flight)  # 1: more slices than in flight
                total, chunks = read_dated(repo, args, since=since, workers=workers)
                sliced = list(chunks)
                assert len(sliced) > 1 and total == len(single)  # several slices, in order
                assert [pair for chunk in sliced for pair in chunk] == single
    assert len(read_commits(repo, log_args(["HEAD"], [], merges=True, since=None))) == 10


def test_read_ahead_while_listing_takes_the_newest_listed_commits_in_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = gitrepo.build_api(tmp_path / "api")
    args = log_args(["HEAD"], [], merges=True, since=None)
    cut = args.index("--no-textconv") + 1
    monkeypatch.setattr(gitlog, "SLICE_MAX", 3)
    monkeypatch.setattr(gitlog, "PARALLEL_FROM", 6)
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        listed, early = gitlog._list(repo, args[:cut], args[cut:], pool, 1)
        newest_first = gitrepo.git(repo, "rev-list", "HEAD").split()
        assert [sha for sha, _ in listed] == newest_first
        # The listing is long enough (6 commits): the commits printed so far are read ahead,
        # three at a time, in the order rev-list printed them.
        assert early and all(len(part) == 3 for part, _ in early)
        assert [sha for part, _ in early for sha in part] == newest_first[: 3 * len(early)]
        for part, output in early:
            assert [c.sha for c in output.result()] == part
        with pytest.raises(PluginError, match=r"git rev-list failed in .*api"):
            gitlog._list(repo, args[:cut], ["no-such-ref"], pool, 1)
    finally:
        pool.shutdown()


def test_slices_put_together_from_commits_read_ahead_in_any_grouping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read-ahead parts need not match the slices: a slice takes each commit from wherever it
    was read, and the result is still exactly one `git log` in (occurred_at, sha) order."""
    monkeypatch.setattr(gitlog, "SLICE_MIN", 1)
    monkeypatch.setattr(gitlog, "SLICE_MAX", 3)
    repo = gitrepo.build_api(tmp_path / "api")
    args = log_args(["HEAD"], [], merges=True, since=None)
    cut = args.index("--no-textconv") + 1
    _, chunks = read_dated(repo, args, workers=1)
    single = [pair for chunk in chunks for pair in chunk]
    order = [(when, c.sha) for when, c in single]
    shas = [sha for _, sha in order]
    groupings = [
        [[shas[7], shas[2], shas[5]], [shas[9]]],  # scattered over several slices
        [shas[:4], shas[4:]],  # everything read ahead: no slice runs git again
        [],
    ]
    for grouping in groupings:
        pool = ThreadPoolExecutor(max_workers=2)
        early: gitlog.Early = [
            (part, pool.submit(gitlog._read, repo, args[:cut], part)) for part in grouping
        ]
        sliced = list(gitlog._sliced(repo, args[:cut], order, 2, pool, early))
        assert len(sliced) > 1
        assert [pair for chunk in sliced for pair in chunk] == single


@pytest.mark.parametrize(
    ("email", "login", "username"),
    [
        ("12345+bob-the-builder@users.noreply.github.com", "bob-the-builder", "bob-the-builder"),
        ("carolgh@users.noreply.github.com", "carolgh", "carolgh"),
        ("49699333+dependabot[bot]@users.noreply.github.com", "dependabot[bot]", "dependabot[bot]"),
        ("First.Last+tag@Example.org", None, "first-last-tag"),
        ("a__b..c@example.org", None, "a-b-c"),
    ],
)
def test_noreply_logins_and_created_usernames(email: str, login: str | None, username: str) -> None:
    assert noreply_login(email) == login
    assert username_for(email) == username


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({}, "repositories: must be a non-empty list"),
        ({"repositories": [{"name": "x"}]}, "repositories[0].path: must be a non-empty string"),
        ({"repositories": [{"path": "a", "refs": "main"}]}, "repositories[0].refs"),
        ({"repositories": ["a/x", "b/x"]}, "two repositories are named x"),
        ({"repositories": ["a"], "days": 0}, "days: must be a positive integer"),
        ({"repositories": ["a"], "since": "last tuesday"}, "since: must be a date"),
        ({"repositories": ["a"], "coAuthors": "yes"}, "coAuthors: must be true or false"),
        ({"repositories": ["a"], "activityDefinition": {"pr_merged": {}}}, "unknown definition"),
    ],
)
def test_config_schema(config: dict[str, Any], fragment: str) -> None:
    problems = plugin.config_schema(config)
    assert any(fragment in p for p in problems), problems


def test_plugin_contract_and_declarations() -> None:
    assert contract_problem(plugin) is None and plugin.name == "git"
    assert [f for f in declaration_problems("git", plugin) if f[0] == "error"] == []
    assert plugin.config_schema({"repositories": ["repos/api"]}) == []
