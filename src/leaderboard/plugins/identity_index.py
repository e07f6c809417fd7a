"""`index_contributor`: a new contributor's identities in the identity index (NEW-01).

Used by the record writer (contributors a plugin returns) and by the identity resolver
(contributors it creates); it lives apart from both so neither imports the other's module back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leaderboard.db import Database
from leaderboard.identities import normalise


def index_contributor(
    db: Database, username: str, identities: Mapping[str, Any] | None, primary: str
) -> None:
    """Add a new contributor's implicit primary identity and explicit identities to the index."""
    rows: list[tuple[str, str, str, int]] = []
    if primary and primary != "none":
        rows.append((primary, normalise(primary, username), username, 0))
    for namespace, values in (identities or {}).items():
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and value.strip():
                rows.append((namespace, normalise(namespace, value), username, 1))
    for row in rows:
        if row[3]:  # explicit wins over an implicit claim of someone else
            db.execute(
                "INSERT INTO contributor_identity(namespace, value, contributor, explicit) "
                "VALUES(?,?,?,1) ON CONFLICT(namespace, value) DO UPDATE SET "
                "contributor=excluded.contributor, explicit=1 WHERE explicit = 0",
                row[:3],
            )
        else:
            db.execute(
                "INSERT OR IGNORE INTO contributor_identity(namespace, value, contributor, explicit) "
                "VALUES(?,?,?,0)",
                row[:3],
            )
