"""Setting a table's secondary indexes and triggers aside during a bulk write (CORE-80).

Building an index once over all rows is several times cheaper than updating it row by row, and a
row trigger makes SQLite open a statement journal for every row an `executemany` inserts (one
per statement, each copying the pages that row touches: for 105,000 activities about 1 s of CPU,
more than the insert itself). A bulk writer therefore drops them, writes, applies what the
triggers would have done once, and creates them again before anything is committed.

Both run inside the writer's transaction: a rollback, or a process killed before the commit,
restores every dropped object with the rest of the schema, so a committed DB always has its
indexes and triggers. `restore` must run before the enclosing transaction or outermost savepoint
is released; it creates only what is missing (a rollback to a savepoint in between may already
have restored some).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leaderboard.db.database import Database


@dataclass(frozen=True, slots=True)
class SchemaObject:
    """An index or trigger as `sqlite_master` holds it."""

    type: str  # "index" | "trigger"
    name: str
    sql: str


def drop_schema(
    db: Database,
    table: str,
    *,
    indexes: bool = True,
    triggers: bool | Callable[[str], bool] = True,
) -> list[SchemaObject]:
    """Drop `table`'s secondary indexes (not the implicit ones of its keys, which have no SQL)
    and its triggers in the main schema (all, or those whose name `triggers` accepts); returns
    them, in (type, name) order, for `restore_schema`."""
    rows = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        "AND tbl_name = ? AND sql IS NOT NULL ORDER BY type, name",
        (table,),
    ).fetchall()
    dropped: list[SchemaObject] = []
    for type_, name, sql in rows:
        if type_ == "index" and not indexes:
            continue
        if type_ == "trigger" and not (triggers(name) if callable(triggers) else triggers):
            continue
        db.execute(f'DROP {type_.upper()} "{name}"')
        dropped.append(SchemaObject(type_, name, sql))
    return dropped


def restore_schema(db: Database, dropped: list[SchemaObject]) -> None:
    """Create again, in order, the objects of `dropped` that do not exist now."""
    if not dropped:
        return
    present = {
        (type_, name)
        for type_, name in db.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')"
        )
    }
    for obj in dropped:
        if (obj.type, obj.name) not in present:
            db.execute(obj.sql)
