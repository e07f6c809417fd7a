"""Resource limits on input (issue 15 items 3-5): hostile YAML and JSON end in a problem naming
file and line, never in a RecursionError, a MemoryError or a codec error at import."""

from __future__ import annotations

import pytest

from leaderboard.config.loader import validate_text
from leaderboard.datarepo.contributors import parse_profile
from leaderboard.datarepo.definitions import parse_array_file
from leaderboard.inputlimits import MAX_DEPTH, MAX_YAML_BYTES
from leaderboard.jsonfmt import JsonError, loads
from leaderboard.problems import Problem
from leaderboard.yaml12 import YamlError, load

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(8)
)


def _profile(front: str) -> list[Problem]:
    from zoneinfo import ZoneInfo

    text = f"---\n{front}---\nbio\n"
    return parse_profile(
        "contributors/x.md", "x", text, tz=ZoneInfo("UTC"), default_role="member"
    ).problems


def test_billion_laughs_is_refused_quickly_with_line() -> None:
    with pytest.raises(YamlError) as info:
        load(LAUGHS)
    assert info.value.code == "too-large"
    assert info.value.line is not None and 2 <= info.value.line <= 9
    assert "aliases" in info.value.message


def test_billion_laughs_in_config_and_profile() -> None:
    result = validate_text(LAUGHS, env={})
    assert [p.code for p in result.problems] == ["too-large"]
    assert result.problems.errors[0].line is not None
    problems = _profile("role: core\n" + LAUGHS)
    assert [p.code for p in problems] == ["too-large"]
    # Lines are file lines: the front matter starts on line 2, `role` is line 2.
    assert problems[0].line is not None and problems[0].line >= 4


def test_modest_aliases_still_work() -> None:
    loaded = load("base: &b {points: 3, name: x}\nother:\n  <<: *b\n  name: y\nlist: [*b, *b]\n")
    assert loaded.value["other"] == {"name": "y", "points": 3}
    assert loaded.value["list"] == [{"points": 3, "name": "x"}] * 2


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 2500 + "]" * 2500 + "\n",
        "x: " + "[" * 400 + "]" * 400 + "\n",
        "x: " + "{a: " * 2500 + "1" + "}" * 2500 + "\n",
        "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)),
    ],
    ids=["flow-2500", "flow-400", "flow-map-2500", "block-200"],
)
def test_deep_yaml_is_refused_with_line(text: str) -> None:
    with pytest.raises(YamlError) as info:
        load(text)
    assert info.value.code == "too-deep"
    assert info.value.line is not None


def test_nesting_at_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1
    assert load("x: " + "[" * depth + "]" * depth + "\n").value is not None
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


def test_yaml_document_size_is_bounded() -> None:
    with pytest.raises(YamlError) as info:
        load("a: " + "b" * MAX_YAML_BYTES + "\n")
    assert info.value.code == "too-large"


def test_yaml_lone_surrogate_and_nul_and_duplicate_key_lines() -> None:
    problems = _profile('role: core\ntitle: "\\ud800x"\n')
    assert [(p.line, p.code) for p in problems] == [(3, "invalid-string")]
    problems = _profile("role: core\nname: a\x00b\n")
    assert [(p.line, p.code) for p in problems] == [(3, "yaml-syntax")]
    problems = _profile("role: core\nname: a\nname: b\n")
    assert [(p.line, p.code) for p in problems] == [(4, "duplicate-key")]
    assert "first at line 3" in problems[0].message


def test_json_depth_and_surrogates() -> None:
    with pytest.raises(JsonError) as info:
        loads('{"meta":' + "[" * 400 + "]" * 400 + "}")
    assert info.value.code == "too-deep"
    with pytest.raises(JsonError) as info:
        loads('{"title":"\\ud800x"}')
    assert info.value.code == "invalid-string"
    # A proper pair is one code point; brackets inside strings do not count as nesting.
    assert loads('{"t":"\\ud83d\\ude00"}') == {"t": "\U0001f600"}
    assert loads('{"t":"' + "[" * 500 + '"}') == {"t": "[" * 500}


def test_definitions_file_surrogate_names_the_element_line() -> None:
    text = (
        '[\n  {"slug": "a", "name": "A", "description": "d"},\n'
        '  {"slug": "b", "name": "\\udc00", "description": "d"}\n]'
    )
    units, problems, complete = parse_array_file(
        "activity_definition", "activities/definitions.json", text
    )
    assert complete
    assert [(p.line, p.code) for p in problems] == [(3, "invalid-string")]
    assert [(u.key, u.valid) for u in units] == [("a", True), ("b", False)]


def test_lone_surrogate_found_beside_huge_integers() -> None:
    from leaderboard.inputlimits import has_lone_surrogate

    assert has_lone_surrogate({"n": 2**70, "s": ["\ud800"]})
    assert not has_lone_surrogate({"n": 2**70, "s": ["\U0001f600"]})
    assert has_lone_surrogate({"\udc00": 1})
