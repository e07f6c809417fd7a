"""YAML 1.2 scalar semantics and line numbers (CORE-13)."""

from __future__ import annotations

import math

import pytest

from leaderboard.yaml12 import YamlError, load


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FALSE", False),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("~", None),
        ("", None),
        ("1_000", 1000),
        ("+5", 5),
        ("-7", -7),
        ("0x1F", 31),
        ("0o17", 15),
        ("012", 12),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("-.5", -0.5),
        ("2020-03-08", "2020-03-08"),
        ("2020-03-08T10:00:00Z", "2020-03-08T10:00:00Z"),
        ("'5'", "5"),
        ('"true"', "true"),
        ("!!str 12", "12"),
        ("!!float 3", 3.0),
    ],
)
def test_core_13_scalar_resolution(text: str, expected: object) -> None:
    value = load(f"k: {text}\n").value["k"]
    assert value == expected and type(value) is type(expected)


def test_core_13_special_floats() -> None:
    data = load("a: .inf\nb: -.inf\nc: .nan\n").value
    assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])


def test_core_13_duplicate_keys_are_errors_with_line() -> None:
    with pytest.raises(YamlError) as info:
        load("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert info.value.line == 4 and "duplicate key 'c'" in info.value.message


@pytest.mark.parametrize(
    "text", ["a: !!python/object:os.system x\n", "a: !custom x\n", "a: !!binary eA==\n"]
)
def test_core_13_unknown_tags_are_errors(text: str) -> None:
    with pytest.raises(YamlError, match="unsupported tag"):
        load(text)


def test_core_13_anchors_aliases_and_merge() -> None:
    data = load("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: [*b]\n").value
    assert data["use"] == {"y": 3, "x": 1}
    assert data["list"] == [{"x": 1, "y": 2}]


def test_lines_of_nested_nodes() -> None:
    loaded = load("a:\n  b:\n    - 1\n    - c: 2\n")
    assert loaded.line_of(("a", "b", 1, "c")) == 4
    assert loaded.line_of(("a", "b", 0)) == 3
    assert loaded.line_of(("a", "missing")) == 1


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(YamlError) as info:
        load("a: [1, 2\nb: 3\n")
    assert info.value.line is not None and info.value.message.startswith("invalid YAML")


def test_bom_and_empty_document() -> None:
    assert load("\ufeffa: 1\n").value == {"a": 1}
    assert load("").value is None
