"""`ctx.identities`: attributing accounts to contributors (CORE-29, NEW-01, NEW-06).

Lookups use the `contributor_identity` index that import rebuilds (`leaderboard.identities`);
contributors created here are added to that index at once, so later lookups in the same run see
them. Normalisation per namespace is `leaderboard.identities.normalise` (NEW-01).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leaderboard.config.model import IdentityConfig
from leaderboard.db import Database
from leaderboard.errors import IdentityConflict, ValidationError
from leaderboard.identities import normalise
from leaderboard.plugins.identity_index import index_contributor
from leaderboard.plugins.records import insert_contributor, normalise_contributor
from leaderboard.timeutil import canonical


class IdentityResolver:
    """resolve / resolve_or_create / report_unresolved / mark_bot for one plugin's hook call."""

    def __init__(
        self, db: Database, *, plugin_id: str, now: datetime, identity: IdentityConfig | None = None
    ) -> None:
        self.db = db
        self.plugin_id = plugin_id
        self.now = now
        self.identity = identity or IdentityConfig()

    def resolve(self, namespace: str, value: str) -> str | None:
        """The canonical username owning `namespace:value`, or None."""
        key = normalise(namespace, value)
        found = self.db.scalar(
            "SELECT contributor FROM contributor_identity WHERE namespace = ? AND value = ?",
            (namespace, key),
        )
        if found is not None:
            return str(found)
        if namespace == self.identity.primary:
            # A contributor written directly to the DB since the last index rebuild.
            row = self.db.scalar(
                "SELECT username FROM contributor WHERE username = ? COLLATE NOCASE AND NOT EXISTS "
                "(SELECT 1 FROM contributor_identity WHERE namespace = ? AND value = ?)",
                (value.strip(), namespace, key),
            )
            if row is not None and normalise(namespace, str(row)) == key:
                return str(row)
        return None

    def resolve_or_create(
        self,
        namespace: str,
        value: str,
        *,
        username: str,
        defaults: Mapping[str, Any] | None = None,
    ) -> str:
        """Resolve, else create contributor `username` owning the account; IdentityConflict when
        `username` exists without owning it (the plugin should choose another name)."""
        found = self.resolve(namespace, value)
        if found is not None:
            return found
        existing = self.db.scalar(
            "SELECT username FROM contributor WHERE username = ? COLLATE NOCASE", (username,)
        )
        if existing is not None:
            raise IdentityConflict(
                f"contributor '{existing}' exists but does not own {namespace}:{value}",
                hint="choose another username, or link the account in the profile's identities",
            )
        fields = dict(defaults or {})
        fields["username"] = username
        fields.setdefault("role", None)
        implicit = namespace == self.identity.primary and normalise(
            namespace, username
        ) == normalise(namespace, value)
        if not implicit:
            ids = dict(fields.get("identities") or {})
            current = ids.get(namespace)
            listed = current if isinstance(current, list) else ([current] if current else [])
            if value not in listed:
                listed.append(value)
            ids[namespace] = listed
            fields["identities"] = ids
        try:
            row = normalise_contributor(fields)
        except ValidationError as exc:
            raise ValidationError(
                f"resolve_or_create({namespace}:{value}): {exc.message}"
            ) from None
        insert_contributor(self.db, row)
        index_contributor(self.db, username, row["identities"], self.identity.primary)
        return username

    def report_unresolved(self, namespace: str, value: str, *, hint: str | None = None) -> None:
        """Record an account no contributor owns (shown by `leaderboard identities` and doctor)."""
        now = canonical(self.now)
        self.db.execute(
            "INSERT INTO unresolved_identity(namespace, value, plugin, hint, first_seen, last_seen, count) "
            "VALUES(?,?,?,?,?,?,1) ON CONFLICT(namespace, value) DO UPDATE SET "
            "plugin=excluded.plugin, hint=COALESCE(excluded.hint, unresolved_identity.hint), "
            "last_seen=excluded.last_seen, count=unresolved_identity.count + 1",
            (namespace, normalise(namespace, value), self.plugin_id, hint, now, now),
        )

    def mark_bot(self, username: str) -> bool:
        """Set `bot = 1` unless the profile states `bot:` explicitly (NEW-06). True when changed."""
        cur = self.db.execute(
            "UPDATE contributor SET bot = 1 WHERE username = ? COLLATE NOCASE AND bot IS NULL",
            (username,),
        )
        return cur.rowcount > 0
