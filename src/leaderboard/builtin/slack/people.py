"""Who wrote a Slack message: the identity resolver, then (NEW-26) the user's e-mail.

`ctx.identities.resolve("slack", id)` covers explicit `identities: {slack: …}` and upstream's
`meta.slack_user_id`. With `resolveByEmail`, an id nobody claims is looked up once with
`users.info`; its `profile.email` is resolved in the `email` namespace. Answers (an e-mail or
none) are cached in `slack_user_cache` for 30 days, so a daily run asks Slack about a person at
most once a month. A `missing_scope` answer means the app lacks `users:read`/`users:read.email`:
one WARN, and no more lookups in this run.
"""

from __future__ import annotations

from datetime import timedelta

from leaderboard.builtin.slack.client import SlackApiError, SlackClient
from leaderboard.plugins.api import canonical
from leaderboard.plugins.context import PluginContext

CACHE_TABLE = "slack_user_cache"
CACHE_DAYS = 30


class EmailLookup:
    """users.info → profile.email, cached; disabled for the run after `missing_scope`."""

    def __init__(self, ctx: PluginContext, client: SlackClient) -> None:
        self.ctx = ctx
        self.client = client
        self.enabled = True
        self.lookups = 0
        self.linked: dict[str, str] = {}  # slack id → username, found through e-mail

    def _cached(self, user_id: str) -> tuple[bool, str | None]:
        row = self.ctx.db.query_one(
            f"SELECT email, fetched_at FROM {CACHE_TABLE} WHERE user_id = ?", (user_id,)
        )
        fresh_after = canonical(self.ctx.now - timedelta(days=CACHE_DAYS))
        if row is None or str(row["fetched_at"]) < fresh_after:
            return False, None
        return True, row["email"]

    def _store(self, user_id: str, email: str | None) -> None:
        self.ctx.db.execute(
            f"INSERT INTO {CACHE_TABLE}(user_id, email, fetched_at) VALUES(?,?,?) "
            "ON CONFLICT(user_id) DO UPDATE SET email = excluded.email, fetched_at = excluded.fetched_at",
            (user_id, email, canonical(self.ctx.now)),
        )

    async def email_of(self, user_id: str) -> str | None:
        hit, email = self._cached(user_id)
        if hit or not self.enabled:
            return email
        self.lookups += 1
        try:
            user = await self.client.user_info(user_id)
        except SlackApiError as exc:
            if exc.error == "missing_scope":
                self.enabled = False
                self.ctx.logger.warning(
                    "Slack e-mail lookup disabled for this run: the app lacks the users:read "
                    f"and users:read.email scopes ({exc})"
                )
                return None
            if exc.error in ("user_not_found", "users_not_found"):
                self._store(user_id, None)
                return None
            self.ctx.logger.warning(f"Slack e-mail lookup for {user_id} failed: {exc}")
            return None
        profile = user.get("profile")
        found = profile.get("email") if isinstance(profile, dict) else None
        email = found.strip() if isinstance(found, str) and found.strip() else None
        self._store(user_id, email)
        return email


class People:
    """Slack user id → contributor username (or None), memoised for one hook call."""

    def __init__(self, ctx: PluginContext, lookup: EmailLookup | None) -> None:
        self.ctx = ctx
        self.lookup = lookup
        self._known: dict[str, str | None] = {}

    def known(self, user_id: str) -> str | None:
        """Through the identity index only (no network): used for `<@U…>` mentions."""
        if user_id not in self._known:
            self._known[user_id] = self.ctx.identities.resolve("slack", user_id)
        return self._known[user_id]

    async def resolve(self, user_id: str) -> str | None:
        username = self.known(user_id)
        if username is None and self.lookup is not None:
            email = await self.lookup.email_of(user_id)
            if email:
                username = self.ctx.identities.resolve("email", email)
                if username is not None:
                    self.lookup.linked[user_id] = username
                    self._known[user_id] = username
                    self.ctx.logger.info(
                        f"Slack user {user_id} linked to {username} via Slack e-mail; add "
                        f"`identities: {{slack: {user_id}}}` to contributors/{username}.md"
                    )
        return username
