"""`run_sql` (NEW-28): one read-only `SELECT`/`WITH` statement on the served DB.

Four independent fences, so a mistake in one does not open the database:
1. the text check: exactly one statement, starting (after comments and whitespace) with SELECT
   or WITH (`sqlite3.complete_statement` finds statement ends, quotes and comments included);
2. the connection: opened read-only (`mode=ro`) with `PRAGMA query_only = 1`;
3. an authorizer that allows reading and nothing else (no ATTACH, PRAGMA, writes, DDL,
   transactions, and no function that reaches outside the DB such as `load_extension`);
4. a progress handler that stops the query after 5 seconds, and a row cap.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any

from leaderboard.db import Database
from leaderboard.mcp.envelope import ToolError
from leaderboard.mcp.params import Param

TIME_LIMIT = 5.0
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_LEAD = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)
_FIRST_WORD = re.compile(r"\A([A-Za-z]+)")
_ALLOWED_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),  # WITH RECURSIVE
}
_FORBIDDEN_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}

PARAMS = (
    Param("sql", "string", "One SELECT or WITH statement.", required=True, non_empty=True),
    Param("limit", "integer", f"Maximum rows (1-{MAX_LIMIT}).", default=DEFAULT_LIMIT, maximum=MAX_LIMIT),
)  # fmt: skip


def check_statement(sql: str) -> str:
    """The single statement (without a trailing `;`), or ToolError saying what is wrong."""
    body = sql[_LEAD.match(sql).end() :]  # type: ignore[union-attr]
    word = _FIRST_WORD.match(body)
    if word is None or word.group(1).upper() not in ("SELECT", "WITH"):
        raise ToolError("Only a single SELECT or WITH statement is allowed")
    # Find the end of the first complete statement; anything but comments after it is a
    # second statement.
    for index, char in enumerate(body):
        if char == ";" and sqlite3.complete_statement(body[: index + 1]):
            rest = body[index + 1 :]
            if rest[_LEAD.match(rest).end() :].strip():  # type: ignore[union-attr]
                raise ToolError("Only a single statement is allowed")
            return body[:index]
    return body


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action not in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _FORBIDDEN_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def run_sql(
    db: Database, sql: str, limit: int, *, time_limit: float = TIME_LIMIT
) -> dict[str, Any]:
    """`{columns, rows, row_count, truncated}`; errors as ToolError with SQLite's message."""
    return execute_readonly(db, check_statement(sql), limit, time_limit=time_limit)


def execute_readonly(
    db: Database, statement: str, limit: int, *, time_limit: float = TIME_LIMIT
) -> dict[str, Any]:
    """Fences 2-4 alone (tests show they hold even when the text check is bypassed)."""
    conn = db.conn
    deadline = time.monotonic() + time_limit
    stopped = False

    def progress() -> int:
        nonlocal stopped
        if time.monotonic() > deadline:
            stopped = True
            return 1
        return 0

    conn.execute("PRAGMA query_only = 1")
    conn.set_authorizer(_authorizer)
    conn.set_progress_handler(progress, 10_000)
    try:
        cursor = conn.execute(statement)
        rows = cursor.fetchmany(limit + 1)
        columns = [d[0] for d in cursor.description or ()]
    except (sqlite3.Warning, sqlite3.ProgrammingError):
        raise ToolError("Only a single statement is allowed") from None
    except sqlite3.DatabaseError as exc:
        if stopped:
            raise ToolError(f"Query stopped after {time_limit:g} seconds") from None
        message = str(exc)
        if "not authorized" in message or "prohibited" in message:
            message = "not allowed: run_sql can only read (no ATTACH, PRAGMA or writes)"
        raise ToolError(f"SQL error: {message}") from None
    finally:
        conn.set_progress_handler(None, 0)
        conn.set_authorizer(None)
    truncated = len(rows) > limit
    rows = rows[:limit]
    return {
        "columns": columns,
        "rows": [[_value(v) for v in row] for row in rows],
        "row_count": len(rows),
        "truncated": truncated,
    }


def _value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value
