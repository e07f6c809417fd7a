"""Rows out of SQLite into plain dicts: JSON columns parsed, flags as bools (CORE-30, CORE-36)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from leaderboard.db.schema import JSON_COLUMNS
from leaderboard.jsonfmt import loads
from leaderboard.usernames import ascii_lower

_BOOL_COLUMNS = frozenset({"hidden", "is_bot"})


def username_key(username: str) -> tuple[str, str]:
    """Username order everywhere: ASCII-case-insensitive, then byte order (CORE-76)."""
    return (ascii_lower(username), username)


def decode(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """Parse the JSON columns of one row of `table` in place and return it."""
    for column in JSON_COLUMNS.get(table, ()):
        value = row.get(column)
        if isinstance(value, str):
            row[column] = loads(value)
    for column in _BOOL_COLUMNS:
        if column in row and row[column] is not None:
            row[column] = bool(row[column])
    if table == "contributor" and row.get("bot") is not None:
        row["bot"] = bool(row["bot"])
    return row


def decode_all(table: str, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [decode(table, row) for row in rows]


def columns(db_columns: Iterable[str], alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in db_columns)
