"""CORE-57 / WEB-04 usernames, NEW-01 identities, CORE-56 report format."""

from __future__ import annotations

import json

import pytest

from leaderboard.config.model import IdentityConfig
from leaderboard.datarepo.report import render_json, render_text
from leaderboard.db import Database
from leaderboard.identities import (
    ProfileIdentities,
    claims_of,
    lookup,
    normalise,
    rebuild_index,
    resolve,
)
from leaderboard.problems import Problem
from leaderboard.usernames import is_reserved, profile_path, url_segment, username_problem


@pytest.mark.parametrize("name", ["alice", "dependabot[bot]", "José", "a-b_c.d", "x" * 100])
def test_core_57_valid_usernames(name: str) -> None:
    assert username_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "..",
        ".x",
        "a b",
        "a\tb",
        "a\x01",
        "a/b",
        "a\\b",
        "a:b",
        "a*b",
        "a?b",
        'a"b',
        "a<b",
        "a>b",
        "a|b",
        "x" * 101,
    ],
)
def test_core_57_invalid_usernames(name: str) -> None:
    assert username_problem(name) is not None


def test_web_04_reserved_names_and_paths() -> None:
    assert is_reserved("Docs") and is_reserved("data.db") and is_reserved("404.HTML")
    assert not is_reserved("alice")
    assert is_reserved("explore", explorer_source="/explore/db.sqlite")
    assert not is_reserved("cdn", explorer_source="https://cdn.example.org/x.db")
    assert url_segment("dependabot[bot]") == "dependabot%5Bbot%5D"
    assert url_segment("José") == "Jos%C3%A9"
    assert url_segment("a-b.c_d~") == "a-b.c_d~"
    assert profile_path("docs", True) == "/people/docs/"
    assert profile_path("dependabot[bot]", False) == "/dependabot%5Bbot%5D/"


def test_new_01_normalisation() -> None:
    assert normalise("github", " Alice ") == "alice"
    assert normalise("slack", "u07ab") == "U07AB"
    assert normalise("email", "A@Example.ORG ") == "a@example.org"
    assert normalise("git", "Me@Laptop") == "me@laptop"
    assert normalise("custom", " CaSe ") == "CaSe"


def test_new_01_implicit_identities() -> None:
    profile = ProfileIdentities(
        "Alice",
        social_profiles={"github": "https://github.com/alice-gh/"},
        meta={"slack_user_id": "u1"},
        identities={"email": ["a@x.org"]},
    )
    claims = [(c.namespace, c.value, c.explicit) for c in claims_of(profile, IdentityConfig())]
    assert claims == [
        ("email", "a@x.org", True),
        ("github", "alice", False),
        ("slack", "U1", False),
        ("github", "alice-gh", False),
    ]
    none = IdentityConfig(primary="none", from_social_profiles=False)
    assert [c.namespace for c in claims_of(profile, none)] == ["email", "slack"]


def test_new_01_implicit_tie_resolves_to_named_contributor() -> None:
    profiles = [
        ProfileIdentities("alice", social_profiles={"github": "https://github.com/shared"}),
        ProfileIdentities("shared"),
        ProfileIdentities("carol", social_profiles={"github": "https://github.com/shared"}),
    ]
    result = resolve(profiles, IdentityConfig())
    assert result.owners[("github", "shared")] == ("shared", False)
    assert {p.code for p in result.problems} == {"identity-ambiguous"}


def test_new_01_rebuild_index_and_lookup() -> None:
    db = Database.memory()
    db.executemany(
        "INSERT INTO contributor(username, role, identities) VALUES (?, 'core', ?)",
        [("alice", '{"github":["ali-work"]}'), ("bob", '{"github":"ali-work"}'), ("carol", None)],
    )
    rebuild_index(db, IdentityConfig())
    assert lookup(db, "github", "ALICE") == "alice"
    assert lookup(db, "github", "ali-work") is None  # explicit conflict: resolves to nobody
    assert lookup(db, "github", "carol") == "carol"


def test_core_56_text_report() -> None:
    problems = [
        Problem("b.md", None, None, "warning", "reserved-username", "w"),
        Problem("a.jsonl", 3, 2, "error", "json-syntax", "bad"),
        Problem("a.jsonl", 1, None, "error", "missing-key", "m"),
    ]
    assert render_text(problems, 5) == (
        "a.jsonl:1: error: m [missing-key]\n"
        "a.jsonl:3:2: error: bad [json-syntax]\n"
        "b.md: warning: w [reserved-username]\n"
        "2 error(s), 1 warning(s) in 5 file(s)\n"
    )
    assert render_text([], 7) == "OK: 7 files checked, no problems\n"


def test_core_56_json_report() -> None:
    problems = [Problem("a.md", 2, None, "warning", "username-mismatch", "x")]
    doc = json.loads(render_json(problems, 3))
    assert doc == {
        "ok": True,
        "errors": 0,
        "warnings": 1,
        "files_checked": 3,
        "problems": [
            {
                "path": "a.md",
                "line": 2,
                "column": None,
                "severity": "warning",
                "code": "username-mismatch",
                "message": "x",
            }
        ],
    }
