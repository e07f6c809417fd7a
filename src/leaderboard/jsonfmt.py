"""JSON exactly as upstream writes it (CORE-40), and JSON reading that refuses duplicate keys.

Upstream serialises with JavaScript's `JSON.stringify`, so numbers follow ECMAScript
`Number.prototype.toString` and lone surrogates are escaped. Python's encoder differs only in
float formatting and surrogates, so we reuse the C encoder and patch those two cases.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from leaderboard.inputlimits import (
    CODE_INVALID_STRING,
    CODE_TOO_DEEP,
    has_lone_surrogate,
    json_depth_exceeded,
    may_hold_surrogate,
    surrogate_message,
    too_deep_message,
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_encode_string = json.encoder.encode_basestring


class JsonError(ValueError):
    """Invalid JSON; `line`/`column` are 1-based relative to the parsed text.

    `code` is the validation code (CORE-56): `json-syntax`, `duplicate-key`, or one of the
    input limits (`too-deep`, `invalid-string`, see inputlimits.py).
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
        self.code = code or (
            "duplicate-key" if message.startswith("duplicate key") else "json-syntax"
        )


def check_limits(text: str) -> None:
    """Raise JsonError when `text` nests deeper than the input limit (before decoding it: the
    decoders recurse per level and would die with "maximum recursion depth exceeded")."""
    index = json_depth_exceeded(text)
    if index is not None:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise JsonError(too_deep_message(), line, column, CODE_TOO_DEEP)


def check_strings(text: str, value: Any, line: int | None = None) -> None:
    """Raise JsonError when a decoded value holds a lone surrogate (see inputlimits)."""
    if may_hold_surrogate(text) and has_lone_surrogate(value):
        raise JsonError(surrogate_message(), line, None, CODE_INVALID_STRING)


def format_number(value: int | float) -> str:
    """ECMAScript Number::toString for a double; Python ints are written exactly as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError("NaN and Infinity cannot be written as JSON")
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    sign = "-" if value < 0 else ""
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text) if exp_text else 0
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    # n: position of the decimal point relative to the start of `digits`.
    n = (
        len(int_part.lstrip("0")) + exponent
        if int_part.strip("0")
        else exponent - (len(frac_part) - len(frac_part.lstrip("0")))
    )
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        esign = "+" if e >= 0 else "-"
        out = (digits if k == 1 else digits[0] + "." + digits[1:]) + "e" + esign + str(abs(e))
    return sign + out


def _needs_slow_path(value: Any) -> bool:
    """True when the C encoder would write something JavaScript would not."""
    if isinstance(value, float):
        return True
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_needs_slow_path(k) or _needs_slow_path(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_needs_slow_path(v) for v in value)
    return False


def encode_string(text: str) -> str:
    out: str = _encode_string(text)
    if _SURROGATE.search(out):
        out = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return out


def _write(value: Any, indent: str | None, level: int, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(encode_string(value))
    elif isinstance(value, (int, float)):
        out.append(format_number(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        first = True
        for k, v in value.items():
            if not first:
                out.append(",")
            first = False
            if indent is not None:
                out.append("\n" + indent * (level + 1))
            out.append(encode_string(str(k)))
            out.append(": " if indent is not None else ":")
            _write(v, indent, level + 1, out)
        if indent is not None:
            out.append("\n" + indent * level)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            if indent is not None:
                out.append("\n" + indent * (level + 1))
            _write(v, indent, level + 1, out)
        if indent is not None:
            out.append("\n" + indent * level)
        out.append("]")
    else:
        raise TypeError(f"cannot serialise {type(value).__name__} as JSON")


_PLAIN_SCALARS = frozenset((str, int, bool, type(None)))
_ORJSON_ERRORS = (orjson.JSONEncodeError, TypeError, ValueError)


def is_plain(value: Any) -> bool:
    """True when `value` holds only dicts, lists, tuples, strings, ints, bools and None (exact
    types, no subclasses): the values orjson writes exactly like the stdlib encoder."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind in _PLAIN_SCALARS
    for item in items:
        t = type(item)
        if t not in _PLAIN_SCALARS and not (
            (t is dict or t is list or t is tuple) and is_plain(item)
        ):
            return False
    return True


def orjson_compact(value: Any) -> str | None:
    """The compact form via orjson when that is provably the same text, else None.

    Without floats (JavaScript formatting), orjson writes what `json.dumps` does here: the same
    escapes, raw non-ASCII, exact integers. Lone surrogates, integers beyond 64 bits and
    non-string keys make orjson raise, and the caller takes the exact path.
    """
    if not is_plain(value):
        return None
    try:
        return orjson.dumps(value).decode("utf-8")
    except _ORJSON_ERRORS:
        return None


def dumps_compact(value: Any) -> str:
    """Compact form: no whitespace (JSONL lines, JSON columns)."""
    fast = orjson_compact(value)
    if fast is not None:
        return fast
    if not _needs_slow_path(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    out: list[str] = []
    _write_compact(value, out)
    return "".join(out)


def _write_compact(value: Any, out: list[str]) -> None:
    """`_write` without indent, taking orjson for every container that `orjson_compact` proves
    equal: one float in a document (an average, a share) no longer sends its thousands of
    plain rows through the Python writer (the JSON API of a build, CORE-80)."""
    kind = type(value)
    if kind not in (dict, list, tuple) or not value:
        _write(value, None, 0, out)
        return
    fast = orjson_compact(value)
    if fast is not None:
        out.append(fast)
    elif kind is dict:
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            out.append(("," if i else "") + encode_string(str(k)) + ":")
            _write_compact(v, out)
        out.append("}")
    else:
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _write_compact(v, out)
        out.append("]")


def dumps_pretty(value: Any) -> str:
    """Pretty form: two-space indent, no trailing newline (`*.json` files)."""
    if not _needs_slow_path(value):
        return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
    out: list[str] = []
    _write(value, "  ", 0, out)
    return "".join(out)


def _pairs_no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return result


class DuplicateKey(ValueError):
    """Raised by `STRICT_DECODER` for an object with a key twice (`key` names it)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# The one strict decoder (duplicate keys and NaN/Infinity refused); `datarepo.values` uses it
# for the element-by-element array reader, with its own positions in the messages.
STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs_no_duplicates, parse_constant=_reject_constant
)


def loads(text: str) -> Any:
    """Parse JSON; duplicate keys, NaN and Infinity, nesting beyond the input limit and lone
    surrogates are errors. Big integers stay exact."""
    check_limits(text)
    try:
        value = STRICT_DECODER.decode(text)
    except DuplicateKey as exc:
        raise JsonError(f"duplicate key '{exc.key}'") from None
    except json.JSONDecodeError as exc:
        raise JsonError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise JsonError(f"invalid JSON: {exc}") from None
    check_strings(text, value)
    return value
