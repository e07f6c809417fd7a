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

from leaderboard.jsonfmt import is_plain as plain
from leaderboard.jsonfmt import orjson_compact

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


def compact_or_none(value: Any) -> str | None:
    """CORE-40 compact text of `value` via orjson, or None when only `jsonfmt` may write it."""
    return orjson_compact(value)


def is_canonical_text(text: str) -> bool:
    """True when a stored JSON column text is already exactly its CORE-40 compact form.

    `parse_line` proves orjson reads it exactly and writes it back unchanged; without floats
    orjson's form is `jsonfmt.dumps_compact`'s, so the text can be written as it is.
    """
    value = parse_line(text.encode("utf-8"))
    return value is not None and plain(value)
