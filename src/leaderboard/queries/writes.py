"""Shared write helpers: insert-or-ignore and upsert of normalised column dicts (CORE-30)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leaderboard.db import Database
from leaderboard.errors import ValidationError


def insert(db: Database, table: str, columns: dict[str, Any], *, ignore: bool = False) -> bool:
    """INSERT OR IGNORE (`ignore`) or plain INSERT; returns whether a row was inserted."""
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    cur = db.execute(f"{verb} INTO {table} ({names}) VALUES ({marks})", tuple(columns.values()))
    return cur.rowcount > 0


def upsert(db: Database, table: str, columns: dict[str, Any], key: Sequence[str]) -> None:
    """Insert, or update every non-key column of the row with the same key."""
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    db.execute(
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "
        f"ON CONFLICT({', '.join(key)}) DO UPDATE SET {updates}",
        tuple(columns.values()),
    )


def canonical_username(db: Database, username: str) -> str | None:
    """The stored spelling of a contributor (ASCII-case-insensitive match), or None."""
    if not isinstance(username, str):
        return None
    value = db.scalar("SELECT username FROM contributor WHERE username = ?", (username,))
    return None if value is None else str(value)


def require_contributor(db: Database, username: str, what: str) -> str:
    found = canonical_username(db, username)
    if found is None:
        raise ValidationError(
            f"{what}: unknown contributor '{username}'; create the contributor first"
        )
    return found


def require_row(db: Database, table: str, slug: str, what: str, kind: str) -> None:
    if db.scalar(f"SELECT 1 FROM {table} WHERE slug = ?", (slug,)) is None:
        raise ValidationError(f"{what}: unknown {kind} '{slug}'; define it first")


# SQL fragment resolving a username parameter to the stored spelling.
CANONICAL = "(SELECT username FROM contributor WHERE username = ?)"
