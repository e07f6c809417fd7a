"""Resource limits on input (CORE-55, CORE-82): every bound on hostile data in one place.

Data files and `config.yaml` come from pull requests by strangers. Without bounds, a few hundred
bytes can exhaust the stack (deeply nested JSON/YAML: "maximum recursion depth exceeded", no file,
no line) or memory (YAML aliases expanding to a billion nodes). Each bound here is far above
anything a real organisation writes, is checked before the expensive work, and turns into a
problem that names the file and line like every other validation problem.

The checks are cheap on the hot path: a JSONL line with at most `MAX_DEPTH` brackets cannot nest
deeper than that, so only lines with many brackets are scanned exactly.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

# Nesting of arrays/objects (JSON) or sequences/mappings (YAML), counted from the top level.
MAX_DEPTH = 64
# Bytes in one line of a JSONL file (one activity, aggregate or award per line).
MAX_LINE_BYTES = 1 << 20
# Bytes of one YAML document (config.yaml, or the front matter of one profile).
MAX_YAML_BYTES = 1 << 20
# Values one YAML document may expand to through aliases (`*name`): a "billion laughs" document
# of a few hundred bytes otherwise expands to 10^9 values.
MAX_YAML_NODES = 100_000

CODE_TOO_DEEP = "too-deep"
CODE_TOO_LARGE = "too-large"
CODE_INVALID_STRING = "invalid-string"

# A JSON string (skipped whole, so brackets inside strings do not count) or a bracket.
_JSON_STRUCT = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
# A `\u` escape of a UTF-16 surrogate; only then can a decoded string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_depth_exceeded(text: str) -> int | None:
    """The index of the bracket that nests deeper than `MAX_DEPTH`, or None.

    Fast when the text has few brackets (the usual case): counting them bounds the depth.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _JSON_STRUCT.finditer(text):
        char = match.group()
        if char == "[" or char == "{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif char == "]" or char == "}":
            depth -= 1
    return None


def bytes_may_nest_too_deep(raw: bytes) -> bool:
    """Cheap pre-check for a JSONL line still in bytes (the orjson hot path)."""
    return raw.count(b"[") + raw.count(b"{") > MAX_DEPTH


def may_hold_surrogate(text: str) -> bool:
    """True when JSON text has a surrogate escape, so its decoded strings must be checked."""
    return "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None


def has_lone_surrogate(value: Any) -> bool:
    """True when a decoded JSON/YAML value holds a lone UTF-16 surrogate in a key or string.

    Such text cannot be stored as UTF-8 (SQLite, the exported files, the site), so it is refused
    at validation rather than failing later at import with a codec error naming no file. A
    proper surrogate pair decodes to one code point and is fine. `value` is depth-checked.
    """
    try:
        orjson.dumps(value)  # C speed: refuses exactly strings that are not valid UTF-8
        return False
    except orjson.JSONEncodeError as exc:
        if "surrogates not allowed" in str(exc):
            return True
    return _walk_for_surrogate(value)  # orjson refused something else (e.g. a huge integer)


def _walk_for_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_walk_for_surrogate(k) or _walk_for_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_walk_for_surrogate(v) for v in value)
    return False


def too_deep_message() -> str:
    return f"nested more than {MAX_DEPTH} levels deep; flatten the value"


def surrogate_message() -> str:
    return "a string holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text; remove it"


def line_too_long_message(size: int) -> str:
    return f"line is {size} bytes long, more than the limit of {MAX_LINE_BYTES} bytes"


def yaml_too_large_message(size: int) -> str:
    return f"YAML document is at least {size} bytes long, more than the limit of {MAX_YAML_BYTES}"
