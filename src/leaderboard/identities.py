"""Identity linking (NEW-01): which contributor owns an account such as `github:alice`.

Claims come from profiles: explicit ones from `identities:` front matter, implicit ones from the
username (primary namespace), `meta.slack_user_id` and a GitHub URL in `social_profiles`. Explicit
claims beat implicit ones; ties never merge silently — conflicts are reported and the account
resolves to nobody (or, for implicit ties, to the contributor whose username is the account).
The derived index is the `contributor_identity` table, rebuilt on every import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from leaderboard.config.model import IdentityConfig
from leaderboard.db import Database
from leaderboard.problems import Problem

_GITHUB_URL = re.compile(r"^https://github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/?$")
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def normalise(namespace: str, value: str) -> str:
    """The comparison form of an account: github lower-case, slack upper-case, e-mail lower."""
    text = value.strip()
    if namespace == "github":
        return text.translate(_ASCII_LOWER)
    if namespace == "slack":
        return text.upper()
    if namespace in ("email", "git"):
        return text.lower()
    return text


@dataclass(frozen=True, slots=True)
class Claim:
    namespace: str
    value: str  # normalised
    contributor: str
    explicit: bool


@dataclass(frozen=True, slots=True)
class ProfileIdentities:
    """The identity-relevant parts of one profile (parsed JSON values)."""

    username: str
    social_profiles: Any = None
    meta: Any = None
    identities: Any = None
    path: str | None = None
    line: int | None = None  # line of the `identities` key, for messages


def claims_of(profile: ProfileIdentities, config: IdentityConfig) -> list[Claim]:
    """Every account `profile` claims, explicit first."""
    out: list[Claim] = []
    if isinstance(profile.identities, dict):
        for ns, accounts in profile.identities.items():
            for account in accounts if isinstance(accounts, list) else [accounts]:
                if isinstance(account, str) and account.strip():
                    out.append(Claim(ns, normalise(ns, account), profile.username, True))
    if config.primary and config.primary != "none":
        out.append(
            Claim(
                config.primary, normalise(config.primary, profile.username), profile.username, False
            )
        )
    meta = profile.meta
    if (
        isinstance(meta, dict)
        and isinstance(meta.get("slack_user_id"), str)
        and meta["slack_user_id"].strip()
    ):
        out.append(
            Claim("slack", normalise("slack", meta["slack_user_id"]), profile.username, False)
        )
    social = profile.social_profiles
    if (
        config.from_social_profiles
        and isinstance(social, dict)
        and isinstance(social.get("github"), str)
    ):
        m = _GITHUB_URL.match(social["github"].strip())
        if m:
            out.append(Claim("github", normalise("github", m.group(1)), profile.username, False))
    return out


@dataclass
class Resolution:
    """Who owns each account, and the conflicts found on the way."""

    owners: dict[tuple[str, str], tuple[str, bool]]  # (ns, value) → (contributor, explicit)
    problems: list[Problem]


def resolve(profiles: Iterable[ProfileIdentities], config: IdentityConfig) -> Resolution:
    """Apply the precedence and conflict rules of NEW-01 to all profiles at once."""
    by_name: dict[str, ProfileIdentities] = {}
    claims: dict[tuple[str, str], list[Claim]] = {}
    for profile in profiles:
        by_name[profile.username] = profile
        for claim in claims_of(profile, config):
            claims.setdefault((claim.namespace, claim.value), []).append(claim)
    owners: dict[tuple[str, str], tuple[str, bool]] = {}
    problems: list[Problem] = []

    def where(username: str) -> tuple[str, int | None]:
        p = by_name[username]
        return p.path or f"contributors/{username}.md", p.line

    def file_name(username: str) -> str:
        return where(username)[0].rsplit("/", 1)[-1]

    for key in sorted(claims):
        ns, value = key
        group = claims[key]
        explicit = sorted({c.contributor for c in group if c.explicit})
        implicit = sorted({c.contributor for c in group if not c.explicit} - set(explicit))
        account = f"{ns}:{value}"
        if len(explicit) > 1:
            names = " and ".join(file_name(u) for u in explicit)
            for u in explicit:
                path, line = where(u)
                problems.append(
                    Problem(
                        path,
                        line,
                        None,
                        "error",
                        "identity-conflict",
                        f"identity {account} is claimed by {names}",
                    )
                )
            continue
        if len(explicit) == 1:
            owner = explicit[0]
            owners[key] = (owner, True)
            for other in implicit:
                path, line = where(owner)
                problems.append(
                    Problem(
                        path,
                        line,
                        None,
                        "warning",
                        "identity-shadowed",
                        f"identity {account} of {other} (implicit) is claimed explicitly here; "
                        f"if they are one person run `leaderboard merge-contributors {other} {owner}`",
                    )
                )
            continue
        if len(implicit) == 1:
            owners[key] = (implicit[0], False)
            continue
        named = [u for u in implicit if normalise(ns, u) == value]
        for u in implicit:
            path, _ = where(u)
            problems.append(
                Problem(
                    path,
                    None,
                    None,
                    "warning",
                    "identity-ambiguous",
                    f"identity {account} is implied by {' and '.join(file_name(x) for x in implicit)}; "
                    "list it under `identities:` of the right profile",
                )
            )
        if len(named) == 1:
            owners[key] = (named[0], False)
    return Resolution(owners, problems)


def find_conflicts(profiles: Iterable[ProfileIdentities], config: IdentityConfig) -> list[Problem]:
    """Validation problems of NEW-01 (explicit ties: errors; implicit ones: warnings)."""
    return resolve(profiles, config).problems


def _parse(text: Any) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def profiles_from_db(db: Database) -> list[ProfileIdentities]:
    rows = db.execute(
        "SELECT username, social_profiles, meta, identities FROM contributor ORDER BY username"
    ).fetchall()
    return [ProfileIdentities(r[0], _parse(r[1]), _parse(r[2]), _parse(r[3])) for r in rows]


def rebuild_index(db: Database, identity: IdentityConfig) -> None:
    """Recompute `contributor_identity` from every contributor row.

    Only differing rows are written, so an unchanged index costs no write and SQLite's change
    counter keeps meaning "data changed" (CORE-62).
    """
    resolution = resolve(profiles_from_db(db), identity)
    wanted = {
        (ns, value): (owner, 1 if explicit else 0)
        for (ns, value), (owner, explicit) in resolution.owners.items()
    }
    stored = {
        (r[0], r[1]): (r[2], r[3])
        for r in db.execute(
            "SELECT namespace, value, contributor, explicit FROM contributor_identity"
        )
    }
    stale = sorted(k for k in stored if k not in wanted)
    changed = sorted((k, v) for k, v in wanted.items() if stored.get(k) != v)
    with db.transaction():
        db.executemany("DELETE FROM contributor_identity WHERE namespace = ? AND value = ?", stale)
        db.executemany(
            "INSERT INTO contributor_identity(namespace, value, contributor, explicit) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(namespace, value) DO UPDATE SET "
            "contributor = excluded.contributor, explicit = excluded.explicit",
            [(ns, value, owner, explicit) for (ns, value), (owner, explicit) in changed],
        )


def lookup(db: Database, namespace: str, value: str) -> str | None:
    """The contributor owning an account, or None."""
    found = db.scalar(
        "SELECT contributor FROM contributor_identity WHERE namespace = ? AND value = ?",
        (namespace, normalise(namespace, value)),
    )
    return None if found is None else str(found)
