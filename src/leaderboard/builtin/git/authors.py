"""Who a git author is (ECO-57): e-mail → contributor through `ctx.identities` (NEW-01).

The chain is `git:<email>`, then `email:<email>`, then, for a GitHub no-reply address,
`github:<login>` — so a person whose profile lists the address under `identities`, or whose GitHub
login is their username, is one contributor whatever tool made the commit. Answers are cached per
address for the run; contributors created here are remembered the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leaderboard.errors import IdentityConflict
from leaderboard.plugins.context import PluginContext

_NOREPLY = re.compile(
    r"^(?:\d+\+)?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?)@users\.noreply\.github\.com$",
    re.IGNORECASE,
)
_OUTSIDE = re.compile(r"[^a-z0-9-]+")
BOT_SUFFIX = "[bot]@users.noreply.github.com"


def noreply_login(email: str) -> str | None:
    """The GitHub login of a no-reply address (`<id>+<login>@…` or `<login>@…`), else None."""
    match = _NOREPLY.match(email.strip())
    return match.group(1) if match else None


def is_bot_email(email: str) -> bool:
    return email.strip().lower().endswith(BOT_SUFFIX)


def username_for(email: str) -> str:
    """The username a created contributor gets: the no-reply login, else the lower-cased local
    part with runs of characters outside `[a-z0-9-]` replaced by `-`."""
    login = noreply_login(email)
    if login:
        return login
    local = email.strip().rsplit("@", 1)[0].lower()
    return _OUTSIDE.sub("-", local) or "git-author"


@dataclass
class Authors:
    """Resolution with a per-address cache and the list of addresses nobody owns."""

    ctx: PluginContext
    create: bool
    default_role: str
    cache: dict[str, str | None] = field(default_factory=dict)
    unresolved: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)

    def lookup(self, email: str) -> str | None:
        """The owner of `email` through the NEW-01 chain, without creating anyone."""
        ids = self.ctx.identities
        found = ids.resolve("git", email) or ids.resolve("email", email)
        if found is None:
            login = noreply_login(email)
            if login:
                found = ids.resolve("github", login)
        return found

    def resolve(self, name: str, email: str) -> str | None:
        """The contributor for (name, email); None (reported as unresolved) when nobody owns the
        address and `createContributors` is off."""
        key = email.strip().lower()
        if key in self.cache:
            return self.cache[key]
        found = self.lookup(email) if key else None
        if found is None and key and self.create:
            found = self._create(name, email)
        if found is None:
            self.unresolved.add(key)
            self.ctx.identities.report_unresolved("email", email, hint=name or None)
        elif is_bot_email(email):
            self.ctx.identities.mark_bot(found)
        self.cache[key] = found
        return found

    def _create(self, name: str, email: str) -> str:
        base = username_for(email)
        bot = is_bot_email(email)
        defaults = {
            "name": name or None,
            "role": "bot" if bot else self.default_role,
            "bot": True if bot else None,
        }
        for n in range(1, 1000):
            candidate = base if n == 1 else f"{base}-{n}"
            try:
                username = self.ctx.identities.resolve_or_create(
                    "email", email, username=candidate, defaults=defaults
                )
            except IdentityConflict:
                continue
            self.created.append(username)
            return username
        raise IdentityConflict(f"no free username for {email} (tried {base} … {base}-999)")
