"""CORE-42: each rule of the exported front-matter YAML style."""

from __future__ import annotations

import pytest

from leaderboard.datarepo.contributors import render_profile
from leaderboard.datarepo.yamlstyle import dump_mapping
from leaderboard.yaml12 import load


def one(value: object) -> str:
    return dump_mapping({"k": value})


def roundtrips(mapping: dict[str, object]) -> bool:
    return load(dump_mapping(mapping)).value == mapping


def test_block_style_nested_mapping_indented_two_spaces() -> None:
    assert dump_mapping({"a": {"b": {"c": 1}}}) == "a:\n  b:\n    c: 1\n"


def test_sequences_are_dash_items_two_spaces_in() -> None:
    assert dump_mapping({"a": ["x", "z"]}) == "a:\n  - x\n  - z\n"
    assert dump_mapping({"a": [{"b": 1, "c": 2}]}) == "a:\n  - b: 1\n    c: 2\n"


def test_empty_mapping_and_sequence_inline() -> None:
    assert dump_mapping({"a": {}, "b": []}) == "a: {}\nb: []\n"


@pytest.mark.parametrize("key", ["name", "_x", "a-b", "A1"])
def test_plain_keys(key: str) -> None:
    assert dump_mapping({key: 1}) == f"{key}: 1\n"


@pytest.mark.parametrize("key", ["yes", "Null", "1a", "a b", "a:b", "~", "é"])
def test_other_keys_single_quoted(key: str) -> None:
    assert dump_mapping({key: 1}) == f"'{key}': 1\n"
    assert roundtrips({key: 1})


@pytest.mark.parametrize("text", ["alice", "Alice Müller", "a.b-c d", "José", "x_1"])
def test_plain_strings(text: str) -> None:
    assert one(text) == f"k: {text}\n"


@pytest.mark.parametrize(
    "text",
    ["null", "TRUE", "yes", "No", "on", "off", "y", "N", "~"],
)
def test_special_words_quoted(text: str) -> None:
    assert one(text) == f"k: '{text}'\n"


@pytest.mark.parametrize(
    "text", ["123", "-1", "+5", "1.5", "1e3", ".5", "1_000", "0x1F", "0o17", "0xyz"]
)
def test_number_like_strings_quoted(text: str) -> None:
    assert one(text) == f"k: '{text}'\n"
    assert roundtrips({"k": text})


@pytest.mark.parametrize("text", ["2020-01-01", "2020-1-1T10:00", "2024-05-01 extra"])
def test_date_like_strings_quoted(text: str) -> None:
    assert one(text) == f"k: '{text}'\n"


@pytest.mark.parametrize(
    "text",
    [
        "https://github.com/alice",
        ": x",
        "#",
        "- a",
        "a ",
        " a",
        "it's",
        "[x]",
        "{y}",
        "a: b",
        "*x",
        "&a",
        "!t",
        "%p",
        "@u",
        "`b`",
        "|",
        ">",
    ],
)
def test_other_strings_single_quoted(text: str) -> None:
    assert one(text) == "k: '" + text.replace("'", "''") + "'\n"
    assert roundtrips({"k": text})


def test_literal_block_clip_strip_keep() -> None:
    assert one("a\nb\n") == "k: |\n  a\n  b\n"
    assert one("a\nb") == "k: |-\n  a\n  b\n"
    assert one("a\n\n") == "k: |+\n  a\n\n"
    for text in ("a\nb\n", "a\nb", "a\n\n", "a\n\n\n"):
        assert roundtrips({"k": text})


def test_literal_block_indentation_indicator_for_leading_space() -> None:
    assert one("  lead\nx") == "k: |2-\n    lead\n  x\n"
    assert roundtrips({"k": "  lead\nx"})
    assert roundtrips({"k": "\n  lead\n"})


def test_control_characters_double_quoted() -> None:
    assert one("a\tb") == 'k: "a\\tb"\n'
    assert one("a\x01") == 'k: "a\\u0001"\n'
    assert one("a\r\nb") == 'k: "a\\r\\nb"\n'
    assert one("line\u2028sep") == 'k: "line\\u2028sep"\n'
    for text in ("a\tb", "a\x01", "a\r\nb", "x\u2028y\x85", "\x7f", "\n", "\n\n"):
        assert roundtrips({"k": text})


def test_numbers_booleans_nulls() -> None:
    assert dump_mapping({"a": 3.0, "b": 0.000001, "c": 1e21, "d": 1.5e-7, "e": 2**70}) == (
        "a: 3\nb: 0.000001\nc: 1e+21\nd: 1.5e-7\ne: 1180591620717411303424\n"
    )
    assert dump_mapping({"t": True, "f": False, "n": None}) == "t: true\nf: false\n'n': null\n"


def test_long_lines_never_folded() -> None:
    text = "word " * 100 + "end"
    assert one(text) == f"k: {text}\n"


def test_profile_layout_key_order_and_empty_bio() -> None:
    row = (
        "alice",
        "Alice",
        "core",
        None,
        None,
        None,
        '{"github":"https://github.com/alice"}',
        "2020-03-15",
        '{"a":1}',
        "public",
        None,
        1,
        '{"github":["alice"]}',
        '{"pronouns":"she/her"}',
    )
    assert render_profile(row) == (
        "---\nname: Alice\nrole: core\nsocial_profiles:\n  github: 'https://github.com/alice'\n"
        "joining_date: '2020-03-15'\nmeta:\n  a: 1\nvisibility: public\nbot: true\n"
        "identities:\n  github:\n    - alice\npronouns: 'she/her'\n---\n\n"
    )


def test_trailing_newline_is_never_plain() -> None:
    # `$` in a regex matches before a final newline; plain style must not swallow it.
    assert one("A\n") == "k: |\n  A\n"
    assert dump_mapping({"k\n": 1}) == "k\\n: 1\n".replace("k\\n", '"k\\n"')
    assert roundtrips({"k": "A\n", "k\n": "x"})
