"""Helpers for hand-built query-layer test DBs: rows are inserted directly with SQL."""

from __future__ import annotations

from typing import Any

from leaderboard.db import Database
from leaderboard.publicdb import PUBLIC_INDEXES, PUBLIC_SCHEMA

__all__ = ["PUBLIC_INDEXES", "PUBLIC_SCHEMA"]


def add_contributor(db: Database, username: str, role: str = "member", **cols: Any) -> None:
    names = ["username", "role", *cols]
    db.execute(
        f"INSERT INTO contributor ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        (username, role, *cols.values()),
    )


def add_definition(db: Database, slug: str, points: int | None = None, name: str = "") -> None:
    db.execute(
        "INSERT INTO activity_definition (slug, name, description, points) VALUES (?, ?, ?, ?)",
        (slug, name or slug.title(), f"{slug} description", points),
    )


def add_activity(
    db: Database,
    slug: str,
    contributor: str,
    definition: str,
    occurred_at: str,
    points: int | None = None,
    **cols: Any,
) -> None:
    names = ["slug", "contributor", "activity_definition", "occurred_at", "points", *cols]
    db.execute(
        f"INSERT INTO activity ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        (slug, contributor, definition, occurred_at, points, *cols.values()),
    )


def add_public_activity(db: Database, **cols: Any) -> None:
    """An activity in a public DB, whose `activity` is a view: the row goes to `_activity` with
    the rowids of its contributor and definition (NEW-05, CORE-80)."""
    who, definition = cols.pop("contributor"), cols.pop("activity_definition")
    names = ["contributor", "activity_definition", *cols]
    keys = (
        "(SELECT rowid FROM contributor WHERE username = ?), "
        "(SELECT rowid FROM activity_definition WHERE slug = ?)"
    )
    db.execute(
        f"INSERT INTO _activity ({', '.join(names)}) VALUES ({keys}{''.join(', ?' for _ in cols)})",
        (who, definition, *cols.values()),
    )
