"""Value checks shared by every data file parser: type names, JSON encoding, aggregate values.

Parsers turn values into the exact column values stored (JSON columns as compact CORE-40 text), so
the importer inserts them as they are and the exporter can compare rows by equality.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from leaderboard.jsonfmt import (
    STRICT_DECODER,
    DuplicateKey,
    JsonError,
    check_limits,
    dumps_compact,
    loads,
)

INT64_MAX = 2**63 - 1


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def describe(value: Any) -> str:
    """`number 0`, `string 'x'`, `list` … for messages."""
    name = type_name(value)
    if isinstance(value, (bool, int, float)) or value is None:
        text = (
            json.dumps(value)
            if not isinstance(value, float) or math.isfinite(value)
            else str(value)
        )
        return f"{name} {text}" if value is not None else "null"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"string {short!r}"
    return name


def encode_json(value: Any) -> str:
    """Compact JSON text of a JSON-compatible value; ValueError for NaN/Infinity or odd types."""
    try:
        return dumps_compact(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a JSON value: {exc}") from None


def encode_optional(value: Any) -> str | None:
    return None if value is None else encode_json(value)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_points(value: Any) -> int | None:
    """Integer or integral float within SQLite's range; raises ValueError otherwise."""
    if value is None:
        return None
    if is_int(value) or (isinstance(value, float) and math.isfinite(value) and value.is_integer()):
        result = int(value)
    else:
        raise ValueError(f"must be an integer or null (got {describe(value)})")
    if abs(result) > INT64_MAX:
        raise ValueError(f"is out of range (got {result})")
    return result


# --- aggregate values (CORE-63) -------------------------------------------------------------

_FORMATS = {"integer", "decimal", "percentage", "duration", "bytes", "currency"}
_METRICS = ("min", "max", "mean", "median", "variance", "sum", "count")


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (not isinstance(value, float) or math.isfinite(value))
    )


def aggregate_value_problem(value: Any) -> tuple[str, str] | None:
    """(severity, message) when `value` is not a valid aggregate value, else None."""
    if not isinstance(value, dict):
        return "error", f"value must be an object with a 'type' (got {describe(value)})"
    kind = value.get("type")
    if not isinstance(kind, str):
        return "error", "value needs a string 'type' (number, statistics/number or string)"
    if kind == "string":
        if not isinstance(value.get("value"), str):
            return "error", "a string value needs 'value' to be a string"
        return None
    if kind not in ("number", "statistics/number"):
        return "warning", f"unknown aggregate value type '{kind}' (kept and shown as JSON)"
    if kind == "number" and not _is_number(value.get("value")):
        return "error", "a number value needs 'value' to be a number"
    if kind == "statistics/number":
        for metric in _METRICS:
            if metric in value and value[metric] is not None and not _is_number(value[metric]):
                return "error", f"'{metric}' must be a number"
        hm = value.get("highlightMetric")
        if hm is not None and hm not in _METRICS:
            return "error", f"'highlightMetric' must be one of {', '.join(_METRICS)}"
    if "unit" in value and value["unit"] is not None and not isinstance(value["unit"], str):
        return "error", "'unit' must be a string"
    fmt = value.get("format")
    if fmt is not None and fmt not in _FORMATS:
        return (
            "error",
            f"'format' must be one of {', '.join(sorted(_FORMATS))} (got {describe(fmt)})",
        )
    dec = value.get("decimals")
    if dec is not None and not (is_int(dec) and dec >= 0):
        return "error", "'decimals' must be an integer >= 0"
    return None


# --- JSON array files -----------------------------------------------------------------------


_WS = " \t\n\r"


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def iter_array(text: str) -> Iterator[tuple[Any, int]]:
    """Elements of a top-level JSON array with the line each starts on.

    Raises JsonError (with line and column) for invalid JSON, duplicate keys and a top level
    that is not an array (message `not-an-array`).
    """
    check_limits(text)
    i = 0
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    if i >= n or text[i] != "[":
        # Distinguish "valid JSON but not an array" from a syntax error.
        try:
            STRICT_DECODER.decode(text)
        except (json.JSONDecodeError, ValueError):
            pass
        else:
            raise JsonError("not-an-array", *_position(text, i))
        yield from _decode_whole(text)
        return
    i += 1
    expect_value = True
    first = True
    while True:
        while i < n and text[i] in _WS:
            i += 1
        if i >= n:
            raise JsonError("invalid JSON: unterminated array", *_position(text, i))
        if text[i] == "]" and (first or not expect_value):
            i += 1
            break
        if not expect_value:
            if text[i] != ",":
                raise JsonError("invalid JSON: expected ',' or ']'", *_position(text, i))
            i += 1
            expect_value = True
            continue
        line, column = _position(text, i)
        try:
            value, i = STRICT_DECODER.raw_decode(text, i)
        except DuplicateKey as exc:
            raise JsonError(
                f"duplicate key '{exc.key}' in the element starting here", line, column
            ) from None
        except json.JSONDecodeError as exc:
            raise JsonError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except ValueError as exc:
            raise JsonError(f"invalid JSON: {exc}", line, column) from None
        yield value, line
        expect_value = False
        first = False
    while i < n and text[i] in _WS:
        i += 1
    if i < n:
        raise JsonError("invalid JSON: extra data after the array", *_position(text, i))


def _decode_whole(text: str) -> Iterator[tuple[Any, int]]:
    try:
        STRICT_DECODER.decode(text)
    except DuplicateKey as exc:
        raise JsonError(f"duplicate key '{exc.key}'", 1, 1) from None
    except json.JSONDecodeError as exc:
        raise JsonError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise JsonError(f"invalid JSON: {exc}", 1, 1) from None
    raise JsonError("not-an-array", 1, 1)
    yield  # pragma: no cover - makes this a generator


# One JSONL line: the strict JSON reading of `jsonfmt.loads` (duplicate keys, NaN/Infinity,
# nesting beyond the input limit and lone surrogates are errors; big integers stay exact).
loads_line = loads


def parse_column(value: Any) -> Any:
    """The JSON value of a JSON column as SQLite returns it.

    The `JSON` declared type has NUMERIC affinity, so a bare number stored as text comes back as
    an int or float (beyond 15 significant digits SQLite keeps only a double); objects, arrays
    and strings come back as the text we stored.
    """
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return loads(value)


def column_text(value: Any) -> str | None:
    """A JSON column value as canonical compact text (None stays None)."""
    return None if value is None else dumps_compact(parse_column(value))
