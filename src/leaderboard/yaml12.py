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
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    NodeEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from leaderboard.inputlimits import (
    CODE_INVALID_STRING,
    CODE_TOO_DEEP,
    CODE_TOO_LARGE,
    MAX_DEPTH,
    MAX_YAML_BYTES,
    MAX_YAML_NODES,
    surrogate_message,
    too_deep_message,
    yaml_too_large_message,
)

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
    """A YAML document could not be loaded; `line`/`column` are 1-based when known.

    `code` is set when the problem has its own validation code (a resource limit, a duplicate
    key); otherwise callers report it as a syntax error.
    """

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


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


_SURROGATE = re.compile("[\ud800-\udfff]")
_INDICATORS = re.compile(r"[-:?\[{*&]")


def _prescan(text: str) -> None:
    """Bound nesting depth and alias expansion before anything recursive runs (inputlimits).

    PyYAML's composer and our `_construct` recurse per level, and aliases are expanded by
    construction; so a few KB can exhaust the stack or memory. The event stream is produced
    without recursion, so walking it first is safe: depth is the open collections, and the size
    of each anchored node is known when it closes, so every alias adds its expanded size.
    Skipped when the text cannot nest deeply or use aliases: each level needs one of
    `- : ? [ {` and an alias needs `*`.
    """
    if "*" not in text and len(_INDICATORS.findall(text)) <= MAX_DEPTH:
        return
    if _CSafeLoader is not None:
        try:
            _walk_events(_CLoader(text))
            return
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if "nesting depth" in str(exc.problem) and mark is not None:
                # libyaml's own limit (1000) is met while scanning ahead, before it emits the
                # events we count; walking again in Python would cost seconds per document.
                raise YamlError(too_deep_message(), mark.line + 1, None, CODE_TOO_DEEP) from None
        except yaml.YAMLError:
            pass
    try:
        _walk_events(_Loader(text))
    except yaml.YAMLError:
        return  # a syntax error before any limit: composing reports it with its position


def _position(event: Any) -> tuple[int | None, int | None]:
    mark = event.start_mark
    return (None, None) if mark is None else (mark.line + 1, mark.column + 1)


def _walk_events(loader: Any) -> None:
    """The walk of `_prescan` over one loader's events; raises YamlError at a limit."""
    # Open collections: (anchor, node count when it opened).
    stack: list[tuple[str | None, int]] = []
    sizes: dict[str, int] = {}
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, AliasEvent):
                count += sizes.get(event.anchor or "", 1)
                if count > MAX_YAML_NODES:
                    raise YamlError(
                        f"aliases expand the document to more than {MAX_YAML_NODES} values "
                        f"(at alias *{event.anchor}); write the values out or use fewer aliases",
                        *_position(event),
                        CODE_TOO_LARGE,
                    )
            elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                count += 1
                stack.append((event.anchor, count))
                if len(stack) > MAX_DEPTH:
                    raise YamlError(
                        too_deep_message(),
                        *_position(event),
                        CODE_TOO_DEEP,
                    )
            elif isinstance(event, CollectionEndEvent):
                anchor, opened = stack.pop()
                if anchor:
                    sizes[anchor] = count - opened + 1
            elif isinstance(event, NodeEvent):  # a scalar
                count += 1
                if event.anchor:
                    sizes[event.anchor] = 1
    finally:
        loader.dispose()


def _construct(node: Node, path: PathKey, lines: dict[PathKey, int], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        # Defence in depth: `_prescan` refuses such documents first.
        raise YamlError(too_deep_message(), node.start_mark.line + 1, None, CODE_TOO_DEEP)
    lines[path] = node.start_mark.line + 1
    tag = node.tag
    if tag != _PLAIN and tag not in _STANDARD_TAGS:
        raise YamlError(
            f"unsupported tag {tag}", node.start_mark.line + 1, node.start_mark.column + 1
        )
    if isinstance(node, ScalarNode):
        if _SURROGATE.search(node.value):
            # `"\ud800"` in a double-quoted scalar: not text, cannot be stored as UTF-8.
            raise YamlError(
                surrogate_message(),
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                CODE_INVALID_STRING,
            )
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
        for key_node, value_node in _flatten_merge(node, depth):
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
                    "duplicate-key",
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


def _flatten_merge(node: MappingNode, depth: int = 0) -> list[tuple[Node, Node]]:
    """Resolve `<<` merge keys (anchors and aliases are allowed by CORE-13)."""
    if depth > MAX_DEPTH:
        raise YamlError(too_deep_message(), node.start_mark.line + 1, None, CODE_TOO_DEEP)
    pairs: list[tuple[Node, Node]] = []
    merged: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == "<<" and key_node.tag == _PLAIN:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for src in sources:
                if not isinstance(src, MappingNode):
                    raise YamlError("merge key needs a mapping", src.start_mark.line + 1)
                for pair in _flatten_merge(src, depth + 1):
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


def load(text: str, line_offset: int = 0) -> Loaded:
    """Load one YAML document. An empty document loads as `None`.

    `line_offset` is added to every line a YamlError reports, in its message too (front matter
    starts on line 2 of its file); the lines of `Loaded` stay relative to `text`.
    """
    try:
        return _load(text)
    except YamlError as exc:
        if not line_offset:
            raise
        message = _FIRST_AT.sub(
            lambda m: f"(first at line {int(m.group(1)) + line_offset})", exc.message
        )
        line = exc.line + line_offset if exc.line is not None else None
        raise YamlError(message, line, exc.column, exc.code) from None


_FIRST_AT = re.compile(r"\(first at line (\d+)\)")


def _load(text: str) -> Loaded:
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_YAML_BYTES // 4:
        # Characters ≤ bytes: only a text of at most the limit in characters needs encoding.
        size = len(text) if len(text) > MAX_YAML_BYTES else len(text.encode("utf-8", "replace"))
        if size > MAX_YAML_BYTES:
            raise YamlError(yaml_too_large_message(size), 1, None, CODE_TOO_LARGE)
    try:
        _prescan(text)
        node = _compose(text)
    except yaml.reader.ReaderError as exc:
        # A NUL or other control character: PyYAML gives a character index, not a mark.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise YamlError(
            f"invalid YAML: control character U+{exc.character:04X} is not allowed",
            line,
            column,
        ) from None
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
