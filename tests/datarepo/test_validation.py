"""CORE-55/CORE-56: bad input is reported as exact `path:line` problems with stable codes."""

from __future__ import annotations

from pathlib import Path

from datarepo.helpers import make_config, snapshot_of
from leaderboard.declarations import Declarations

DEFS = '[\n  {\n    "slug": "pr",\n    "name": "PR",\n    "description": "d",\n    "points": 1,\n    "icon": null\n  }\n]'


def repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def formatted(data_dir: Path, **kwargs: object) -> list[str]:
    snap = snapshot_of(data_dir, **kwargs)  # type: ignore[arg-type]
    return sorted(p.format() for p in snap.problems)


def act(
    slug: str,
    contributor: str = "alice",
    definition: str = "pr",
    when: str = "2024-01-01T00:00:00Z",
) -> str:
    return (
        f'{{"slug":"{slug}","contributor":"{contributor}","activity_definition":"{definition}",'
        f'"occurred_at":"{when}"}}'
    )


def test_core_44_broken_json_line(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "activities/definitions.json": DEFS,
            "activities/contributors/alice.jsonl": act("a1") + "\n\n{broken\n" + act("a2") + "\n",
        },
    )
    assert formatted(d) == [
        "activities/contributors/alice.jsonl:3:2: error: invalid JSON: Expecting property name "
        "enclosed in double quotes [json-syntax]"
    ]


def test_core_41_unclosed_front_matter(tmp_path: Path) -> None:
    d = repo(tmp_path, {"contributors/alice.md": "---\nrole: core\nname: A\n"})
    assert formatted(d) == [
        "contributors/alice.md:1: error: unterminated front matter: add a closing line '---' "
        "[front-matter-unterminated]"
    ]


def test_core_41_missing_front_matter_and_role(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/a.md": "just text\n",
            "contributors/b.md": "---\nname: B\n---\n",
        },
    )
    assert formatted(d) == [
        "contributors/a.md:1: error: missing front matter: the file must start with a line '---' "
        "[front-matter-missing]",
        "contributors/b.md:2: error: missing required key 'role' (or set leaderboard.default_role) "
        "[missing-key]",
    ]


def test_core_41_default_role_fills_missing_role(tmp_path: Path) -> None:
    d = repo(tmp_path, {"contributors/b.md": "---\nname: B\n---\n"})
    snap = snapshot_of(d, make_config(default_role="member"))
    assert snap.problems == []
    assert next(snap.rows("contributor"))[2] == "member"


def test_core_41_wrong_type_names_key_and_line(tmp_path: Path) -> None:
    d = repo(tmp_path, {"contributors/a.md": "---\nname: A\nrole: 0\n---\n"})
    assert formatted(d) == [
        "contributors/a.md:3: error: role must be a non-empty string (got number 0); quote it "
        "[wrong-type]"
    ]


def test_core_41_yaml_syntax_and_duplicate_key_lines(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/a.md": "---\nrole: core\nrole: other\n---\n",
            "contributors/b.md": "---\nrole: [core\n---\n",
        },
    )
    problems = formatted(d)
    assert problems[0].startswith("contributors/a.md:3:1: error: duplicate key 'role'")
    assert problems[0].endswith("[duplicate-key]")
    assert problems[1].startswith("contributors/b.md:")
    assert problems[1].endswith("[yaml-syntax]")


def test_core_44_unknown_contributor_and_definition(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "activities/definitions.json": DEFS,
            "activities/contributors/alice.jsonl": "\n".join(
                [
                    act("a1", contributor="../x"),
                    act("a2", definition="nope"),
                    act("a3", contributor="ALICE"),
                ]
            )
            + "\n",
        },
    )
    assert formatted(d) == [
        "activities/contributors/alice.jsonl:1: error: unknown contributor '../x': add "
        "contributors/../x.md or fix the name [unknown-contributor]",
        "activities/contributors/alice.jsonl:2: error: unknown activity definition 'nope': add it "
        "to activities/definitions.json [unknown-definition]",
    ]
    snap = snapshot_of(d)
    assert [r[1] for r in snap.rows("activity")] == ["alice"]  # canonical spelling


def test_core_44_plugin_declared_definition_is_known(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "activities/contributors/alice.jsonl": act("a1", definition="plugin_def") + "\n",
        },
    )
    decl = Declarations(
        activity_definitions=[{"slug": "plugin_def", "name": "P", "description": "d"}]
    )
    assert formatted(d, declarations=decl) == []


def test_core_44_duplicate_slugs(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "activities/definitions.json": DEFS,
            "activities/contributors/alice.jsonl": act("same") + "\n" + act("diff") + "\n",
            "activities/alice.jsonl": act("same") + "\n" + act("diff", when="2024-02-02") + "\n",
        },
    )
    assert formatted(d) == [
        "activities/alice.jsonl:1: warning: duplicate activity same (identical to "
        "activities/contributors/alice.jsonl:1) [duplicate-identical]",
        "activities/alice.jsonl:2: error: conflicting duplicate activity diff (also at "
        "activities/contributors/alice.jsonl:2); keep one of them [duplicate-slug]",
        "activities/contributors/alice.jsonl:2: error: conflicting duplicate activity diff (also at "
        "activities/alice.jsonl:2); keep one of them [duplicate-slug]",
    ]


def test_core_43_duplicate_slug_in_definitions_file(tmp_path: Path) -> None:
    text = '[\n  {"slug": "a", "name": "A", "description": "d"},\n  {"slug": "a", "name": "B", "description": "d"}\n]'
    d = repo(tmp_path, {"activities/definitions.json": text})
    assert formatted(d) == [
        "activities/definitions.json:3: error: duplicate slug 'a' (also at line 2) [duplicate-slug]"
    ]


def test_core_40_duplicate_key_in_json_line(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "activities/definitions.json": DEFS,
            "activities/contributors/alice.jsonl": '{"slug":"a","slug":"b"}\n',
        },
    )
    assert formatted(d) == [
        "activities/contributors/alice.jsonl:1: error: duplicate key 'slug' [duplicate-key]"
    ]


def test_core_57_hostile_file_names(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/a:b.md": "---\nrole: core\n---\n",
            "contributors/Bob.md": "---\nrole: core\n---\n",
            "contributors/bob.md": "---\nrole: core\n---\n",
            "contributors/Alice.MD": "---\nrole: core\n---\n",
            "contributors/.hidden.md": "---\nrole: core\n---\n",
            "contributors/docs.md": "---\nrole: core\n---\n",
        },
    )
    assert formatted(d) == [
        "contributors/Alice.MD: warning: ignored file: only *.md files are read in contributors/ "
        "[ignored-file]",
        "contributors/Bob.md: error: contributors/Bob.md and contributors/bob.md name the same "
        "contributor (usernames differ only in case or "
        "Unicode normalisation); merge them into one file [duplicate-username]",
        "contributors/a:b.md: error: invalid username 'a:b': username must not contain ':' "
        '(forbidden: / \\ : * ? " < > |); rename the file [invalid-username]',
        "contributors/bob.md: error: contributors/Bob.md and contributors/bob.md name the same "
        "contributor (usernames differ only in case or "
        "Unicode normalisation); merge them into one file [duplicate-username]",
        "contributors/docs.md: warning: username 'docs' collides with a site page; its profile is "
        "published under /people/docs/ [reserved-username]",
    ]


def test_core_39_invalid_utf8_and_bom_and_crlf(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/a.md": b"---\nrole: core\nname: \xff\n---\n",
            "contributors/b.md": "\ufeff---\r\nrole: core\r\n---\r\nBio\r\n".encode(),
        },
    )
    assert formatted(d) == [
        "contributors/a.md:3:7: error: file is not valid UTF-8; re-save it as UTF-8 [invalid-utf8]"
    ]
    snap = snapshot_of(d)
    assert next(snap.rows("contributor"))[5] == "Bio"


def test_core_44_occured_at_alias_and_timestamps(tmp_path: Path) -> None:
    lines = [
        '{"slug":"a","contributor":"alice","activity_definition":"pr","occured_at":"2024-01-01 10:00"}',
        '{"slug":"b","contributor":"alice","activity_definition":"pr","occurred_at":"2024-01-01T10:00:00.123456Z"}',
        '{"slug":"c","contributor":"alice","activity_definition":"pr","occurred_at":"yesterday"}',
        '{"slug":"d","contributor":"alice","activity_definition":"pr","occurred_at":"2030-01-01"}',
        '{"slug":"e","contributor":"alice","activity_definition":"pr","occurred_at":"2024-01-01","occured_at":"2024-01-02"}',
    ]
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "activities/definitions.json": DEFS,
            "activities/contributors/alice.jsonl": "\n".join(lines) + "\n",
        },
    )
    codes = [
        (p.line, p.severity, p.code)
        for p in sorted(
            snapshot_of(d, make_config(timezone="Asia/Kolkata")).problems,
            key=lambda p: p.sort_key(),
        )
    ]
    assert codes == [
        (1, "warning", "legacy-occured-at"),
        (2, "warning", "fraction-truncated"),
        (3, "error", "invalid-timestamp"),
        (4, "warning", "future-activity"),
        (5, "error", "conflicting-occured-at"),
    ]
    rows = {r[0]: r for r in snapshot_of(d, make_config(timezone="Asia/Kolkata")).rows("activity")}
    assert rows["a"][4] == "2024-01-01T04:30:00.000Z"  # local time in tz
    assert rows["b"][4] == "2024-01-01T10:00:00.123Z"


def test_core_48_50_aggregates_and_badges(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\n---\n",
            "aggregates/contributors/alice.jsonl": "\n".join(
                [
                    '{"aggregate":"nope","contributor":"alice","value":{"type":"number","value":1}}',
                    '{"aggregate":"activity_count","contributor":"alice","value":{"type":"number","value":"x"}}',
                    '{"aggregate":"active_days","contributor":"alice","value":{"type":"fancy"}}',
                ]
            )
            + "\n",
            "badges/definitions.json": '[{"slug":"b","name":"B","description":"d","variants":{"gold":{"description":"g","svg_url":"u"}}}]',
            "badges/contributors/alice.jsonl": "\n".join(
                [
                    '{"slug":"s1","badge":"b","contributor":"alice","variant":"silver","achieved_on":"2024-01-01"}',
                    '{"slug":"s2","badge":"x","contributor":"alice","variant":"gold","achieved_on":"2024-01-01"}',
                    '{"slug":"s3","badge":"b","contributor":"alice","variant":"gold","achieved_on":"01/02/2024"}',
                    '{"slug":"s4","badge":"b","contributor":"alice","variant":"gold","achieved_on":"2024-01-01T23:00:00Z"}',
                ]
            )
            + "\n",
        },
    )
    codes = [
        (p.path.split("/")[0], p.line, p.severity, p.code)
        for p in sorted(snapshot_of(d).problems, key=lambda p: p.sort_key())
    ]
    assert codes == [
        ("aggregates", 1, "error", "unknown-aggregate"),
        ("aggregates", 2, "error", "invalid-value"),
        ("aggregates", 3, "warning", "unknown-value-type"),
        ("badges", 1, "warning", "unknown-variant"),
        ("badges", 2, "error", "unknown-badge"),
        ("badges", 3, "error", "invalid-date"),
        ("badges", 4, "warning", "achieved-on-reduced"),
    ]


def test_new_01_identity_conflicts(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\nidentities:\n  github: [shared]\n---\n",
            "contributors/bob.md": "---\nrole: core\nidentities:\n  github: Shared\n---\n",
            "contributors/carol.md": "---\nrole: core\nidentities:\n  github: dave\n---\n",
            "contributors/dave.md": "---\nrole: core\n---\n",
        },
    )
    assert formatted(d) == [
        "contributors/alice.md:3: error: identity github:shared is claimed by alice.md and bob.md "
        "[identity-conflict]",
        "contributors/bob.md:3: error: identity github:shared is claimed by alice.md and bob.md "
        "[identity-conflict]",
        "contributors/carol.md:3: warning: identity github:dave of dave (implicit) is claimed "
        "explicitly here; if they are one person run `leaderboard merge-contributors dave carol` "
        "[identity-shadowed]",
    ]


def test_core_55_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    d = repo(tmp_path, {"contributors/docs.md": "---\nrole: core\n---\n"})
    snap = snapshot_of(d, strict=True)
    assert [p.severity for p in snap.problems] == ["error"]
    assert snap.protected_files() == {"contributors/docs.md"}


def test_core_41_front_matter_username_mismatch_and_joining_timestamp(tmp_path: Path) -> None:
    d = repo(
        tmp_path,
        {
            "contributors/alice.md": "---\nrole: core\nusername: bob\njoining_date: 2020-03-15T20:00:00Z\n---\n",
        },
    )
    assert formatted(d, config=make_config(timezone="Asia/Kolkata")) == [
        "contributors/alice.md:3: warning: front-matter username 'bob' ignored; the file name "
        "decides [username-mismatch]",
        "contributors/alice.md:4: warning: joining_date reduced to a date [joining-date-reduced]",
    ]
    row = next(snapshot_of(d).rows("contributor"))
    assert row[7] == "2020-03-16"  # the date in Asia/Kolkata
