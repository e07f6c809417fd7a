"""The deterministic YAML style of exported contributor front matter (CORE-42).

The output must load back (with the YAML 1.2 rules of `yaml12`) to exactly the values written, and
look like a human wrote it: block style, plain scalars where safe, single quotes otherwise, literal
blocks for multi-line text, double quotes only for control characters.
"""

from __future__ import annotations

import re
from typing import Any

from leaderboard.jsonfmt import encode_string, format_number
from leaderboard.yaml12 import resolve_scalar

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_PLAIN_STRING = re.compile(r"^\w[\w .-]*$")
_SPECIAL_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}
_NUMBER_LIKE = (
    re.compile(r"^[-+]?(\.\d|\d)[\d_]*(\.\d*)?([eE][-+]?\d+)?$", re.IGNORECASE),
    re.compile(r"^0[xo]", re.IGNORECASE),
    re.compile(r"^[-+]?\.(inf|nan)$", re.IGNORECASE),
)
_DATE_LIKE = re.compile(r"^\d{4}-\d\d?-\d\d?")
# Characters YAML cannot carry raw inside a one-line scalar: C0/C1 controls, DEL, the Unicode line
# separators (PyYAML breaks lines at them), surrogates and non-characters.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_ESCAPE_AFTER_JSON = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def is_plain_safe(text: str) -> bool:
    """True when `text` may be written as a plain scalar and still load as this string."""
    if not _PLAIN_STRING.fullmatch(text) or text.endswith(" "):
        return False
    if text.lower() in _SPECIAL_WORDS:
        return False
    if any(p.match(text) for p in _NUMBER_LIKE) or _DATE_LIKE.match(text):
        return False
    # Belt and braces: the loader must resolve it to the same string (e.g. `1.5_5` is a float).
    return resolve_scalar(text) == text and isinstance(resolve_scalar(text), str)


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def double_quoted(text: str) -> str:
    """JSON escapes (CORE-40) plus `\\u` escapes with four hex digits for what YAML cannot carry raw."""
    out = encode_string(text)
    return _ESCAPE_AFTER_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def format_key(key: str) -> str:
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _SPECIAL_WORDS:
        return key
    if _UNSAFE.search(key) or "\n" in key:
        return double_quoted(key)
    return single_quoted(key)


def _is_block_candidate(text: str) -> bool:
    return "\n" in text and not _UNSAFE.search(text) and text.strip("\n") != ""


def format_scalar(value: Any) -> str:
    """A one-line scalar (strings that need a literal block are handled by the caller)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, str):
        if is_plain_safe(value):
            return value
        if _UNSAFE.search(value) or "\n" in value:
            return double_quoted(value)
        return single_quoted(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _block_lines(header: str, text: str, content_indent: int) -> list[str]:
    """`header |[2][-+]` followed by the text, `content_indent` spaces deep."""
    if text.endswith("\n\n"):
        chomp, body = "+", text[:-1]
    elif text.endswith("\n"):
        chomp, body = "", text[:-1]
    else:
        chomp, body = "-", text
    first_content = body.lstrip("\n")
    indicator = "2" if body.startswith(" ") or first_content.startswith(" ") else ""
    pad = " " * content_indent
    lines = [f"{header} |{indicator}{chomp}"]
    lines.extend(pad + line if line else "" for line in body.split("\n"))
    return lines


def _value_lines(header: str, value: Any, indent: int) -> list[str]:
    """Lines for `header` (`key:` or `-`) followed by `value`; `indent` is the header's column."""
    if isinstance(value, dict):
        if not value:
            return [f"{header} {{}}"]
        return [header, *_mapping_lines(value, indent + 2)]
    if isinstance(value, list):
        if not value:
            return [f"{header} []"]
        out = [header]
        for item in value:
            out.extend(_item_lines(item, indent + 2))
        return out
    if isinstance(value, str) and _is_block_candidate(value) and not is_plain_safe(value):
        return _block_lines(header, value, indent + 2)
    return [f"{header} {format_scalar(value)}"]


def _item_lines(item: Any, indent: int) -> list[str]:
    """One sequence item whose dash is at column `indent`."""
    pad = " " * indent
    if isinstance(item, dict) and item:
        lines = _mapping_lines(item, indent + 2)
        lines[0] = pad + "- " + lines[0][indent + 2 :]
        return lines
    if isinstance(item, list) and item:
        lines = []
        for sub in item:
            lines.extend(_item_lines(sub, indent + 2))
        lines[0] = pad + "- " + lines[0][indent + 2 :]
        return lines
    return _value_lines(pad + "-", item, indent)


def _mapping_lines(mapping: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for key, value in mapping.items():
        out.extend(_value_lines(f"{pad}{format_key(str(key))}:", value, indent))
    return out


def dump_mapping(mapping: dict[str, Any]) -> str:
    """A top-level block mapping, each line ending in `\\n` (`""` for an empty mapping)."""
    lines = _mapping_lines(mapping, 0)
    return "".join(line + "\n" for line in lines)
