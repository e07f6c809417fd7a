"""YAML loading with YAML 1.2 scalar semantics and line numbers (CORE-13, CORE-41).

PyYAML implements YAML 1.1 resolution (`yes` is a boolean, `2020-03-08` a date). We keep its
parser and composer, replace the implicit resolvers with the YAML 1.2 rules the spec lists, refuse
object construction and unknown tags, reject duplicate keys, and record the line of every node so
that config and front-matter problems can say `file:line`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PathKey = tuple[str | int, ...]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}

_BOOL_TRUE = {"true", "True", "TRUE"}
_BOOL_FALSE = {"false", "False", "FALSE"}
_NULLS = {"null", "Null", "NULL", "~", ""}
_INT_DEC = re.compile(r"^[-+]?[0-9][0-9_]*$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F_]+$")
_INT_OCT = re.compile(r"^0o[0-7_]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"^\.(nan|NaN|NAN)$")


class YamlError(ValueError):
    """A YAML document could not be loaded; `line`/`column` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Loaded:
    """A loaded document and the 1-based line of every node, keyed by its path from the root."""

    value: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]


def resolve_scalar(text: str, plain: bool = True) -> Any:
    """Resolve one plain scalar the YAML 1.2 way of CORE-13; quoted scalars stay strings."""
    if not plain:
        return text
    if text in _NULLS:
        return None
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    if _INT_DEC.match(text):
        return int(text.replace("_", ""), 10)
    if _INT_HEX.match(text):
        return int(text[2:].replace("_", ""), 16)
    if _INT_OCT.match(text):
        return int(text[2:].replace("_", ""), 8)
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text.replace("_", ""))
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


_PLAIN = "tag:leaderboard,2026:plain"


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer we use; resolution and construction are ours."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        # Untagged plain scalars get a private tag so that we, not YAML 1.1, decide their type;
        # quoted ones are strings; collections get the standard tags.
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else "tag:yaml.org,2002:str"
        if kind is SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"


_CSafeLoader = getattr(yaml, "CSafeLoader", None)


if _CSafeLoader is not None:

    class _CLoader(_CSafeLoader):  # type: ignore[valid-type, misc]
        """libyaml's composer with our resolution: the same node tree, several times faster.

        Used only for documents it loads without error; anything it refuses is loaded again by
        `_Loader`, so every error message and position stays the pure-Python one.
        """

        resolve = _Loader.resolve


def _compose(text: str) -> Node | None:
    if _CSafeLoader is not None:
        fast = _CLoader(text)
        try:
            return fast.get_single_node()
        except yaml.YAMLError:
            pass
        finally:
            fast.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _construct(node: Node, path: PathKey, lines: dict[PathKey, int], depth: int = 0) -> Any:
    if depth > 200:
        raise YamlError("document nests too deeply", node.start_mark.line + 1)
    lines[path] = node.start_mark.line + 1
    tag = node.tag
    if tag != _PLAIN and tag not in _STANDARD_TAGS:
        raise YamlError(
            f"unsupported tag {tag}", node.start_mark.line + 1, node.start_mark.column + 1
        )
    if isinstance(node, ScalarNode):
        if tag == _PLAIN:
            return resolve_scalar(node.value, plain=True)
        return _apply_tag(tag, node)
    if isinstance(node, SequenceNode):
        return [
            _construct(child, (*path, i), lines, depth + 1) for i, child in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in _flatten_merge(node):
            key = _construct(key_node, (*path, "\0key"), lines, depth + 1)
            if isinstance(key, (dict, list)):
                raise YamlError(
                    "mapping keys must be scalars",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            skey = _key_text(key)
            if skey in result:
                raise YamlError(
                    f"duplicate key '{skey}' (first at line {key_lines[skey]})",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            key_lines[skey] = key_node.start_mark.line + 1
            result[skey] = _construct(value_node, (*path, skey), lines, depth + 1)
            # A key's own line is the most useful place to point at for its value.
            lines[(*path, skey)] = key_node.start_mark.line + 1
        lines.pop((*path, "\0key"), None)
        return result
    raise YamlError("unsupported YAML node", node.start_mark.line + 1)


def _apply_tag(tag: str, node: ScalarNode) -> Any:
    text = node.value
    line = node.start_mark.line + 1
    if tag == "tag:yaml.org,2002:str":
        return text
    value = resolve_scalar(text, plain=True)
    expected = {
        "tag:yaml.org,2002:int": int,
        "tag:yaml.org,2002:float": float,
        "tag:yaml.org,2002:bool": bool,
        "tag:yaml.org,2002:null": type(None),
    }.get(tag)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is None or type(value) is not expected:
        raise YamlError(f"value {text!r} does not match tag {tag.rsplit(':', 1)[-1]}", line)
    return value


def _flatten_merge(node: MappingNode) -> list[tuple[Node, Node]]:
    """Resolve `<<` merge keys (anchors and aliases are allowed by CORE-13)."""
    pairs: list[tuple[Node, Node]] = []
    merged: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == "<<" and key_node.tag == _PLAIN:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for src in sources:
                if not isinstance(src, MappingNode):
                    raise YamlError("merge key needs a mapping", src.start_mark.line + 1)
                for pair in _flatten_merge(src):
                    merged.append(pair)
        else:
            pairs.append((key_node, value_node))
    own = {k.value for k, _ in pairs if isinstance(k, ScalarNode)}
    seen: set[str] = set()
    for k, v in merged:
        if isinstance(k, ScalarNode) and (k.value in own or k.value in seen):
            continue
        if isinstance(k, ScalarNode):
            seen.add(k.value)
        pairs.append((k, v))
    return pairs


def _key_text(key: Any) -> str:
    if key is None:
        return "null"
    if key is True:
        return "true"
    if key is False:
        return "false"
    return str(key)


def load(text: str) -> Loaded:
    """Load one YAML document. An empty document loads as `None`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = exc.problem or str(exc)
        if exc.context:
            msg = f"{msg} ({exc.context})"
        raise YamlError(
            f"invalid YAML: {msg}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    lines: dict[PathKey, int] = {}
    if node is None:
        return Loaded(None, lines)
    return Loaded(_construct(node, (), lines), lines)
