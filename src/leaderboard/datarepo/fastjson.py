"""orjson where it is provably the same as the exact stdlib path (CORE-80 hot paths).

orjson is several times faster than the stdlib, but differs from what CORE-40 and CORE-82 need in
three ways: it keeps the last of duplicate keys instead of refusing them, it reads integers beyond
64 bits as floats, and it writes floats its own way (`1.0`, `1e16`) instead of JavaScript's (`1`,
`10000000000000000`). Each helper here uses orjson only where none of these can matter and returns
None otherwise, so callers fall back to `leaderboard.jsonfmt` and get the exact behaviour,
including its error messages.
"""

from __future__ import annotations

from typing import Any

import orjson

_loads = orjson.loads
_dumps = orjson.dumps
_OrjsonError = (orjson.JSONDecodeError, orjson.JSONEncodeError, TypeError, ValueError)


def parse_line(raw: bytes) -> Any:
    """The value of one JSON text, or None when orjson cannot prove it reads it exactly.

    The proof: orjson writes the parsed value back to exactly the input bytes. orjson never
    writes a duplicate key, so equal bytes mean the input had none; an integer that orjson read
    as a float is written with `.` or `e`, so equal bytes mean there was none. Non-compact input
    (spaces, escapes such as `\\u00e9`, `1E5`) simply takes the slow path.
    """
    try:
        value = _loads(raw)
    except _OrjsonError:
        return None
    try:
        if _dumps(value) != raw:
            return None
    except _OrjsonError:
        return None
    return value


def float_free(value: Any) -> bool:
    """True when no float occurs anywhere in `value` (floats need JavaScript formatting)."""
    kind = type(value)
    if kind is dict:
        for item in value.values():
            t = type(item)
            if t is float or ((t is dict or t is list) and not float_free(item)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            t = type(item)
            if t is float or ((t is dict or t is list or t is tuple) and not float_free(item)):
                return False
        return True
    return kind is not float


def compact_or_none(value: Any) -> str | None:
    """CORE-40 compact text of `value` via orjson, or None when only `jsonfmt` may write it.

    Without floats, orjson and `jsonfmt.dumps_compact` write the same text: the same escapes
    (`\\"`, `\\\\`, `\\n`-style short forms, `\\u001f` otherwise), raw non-ASCII, exact integers.
    Lone surrogates, integers beyond 64 bits and non-string keys make orjson raise: None.
    """
    if not float_free(value):
        return None
    try:
        return _dumps(value).decode("utf-8")
    except _OrjsonError:
        return None
