"""Deterministic generation of contributors and activities (ECO-36).

Pure functions of (random.Random, settings, now, tz): no clock, no locale, no hash ordering. The
order of random draws is part of the output, so changing it changes every demo: do so only on
purpose.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import UTC, datetime, timedelta, tzinfo

from leaderboard.builtin.dummy import words
from leaderboard.builtin.dummy.definitions import ACTIVITY_TYPES, POINTS
from leaderboard.builtin.dummy.settings import DummySettings
from leaderboard.plugins.api import (
    Activity,
    Contributor,
    canonical,
    local_date,
    minus_days,
    minus_months,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Cumulative role weights (ECO-36); the remaining 0.02 falls back to contributor.
ROLE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("maintainer", 0.10),
    ("contributor", 0.70),
    ("intern", 0.15),
    ("bot", 0.03),
)


def slugify(text: str) -> str:
    """Lower-case `[a-z0-9-]` form of a name (`Van Dijk` → `van-dijk`, `Müller` → `muller`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def draw_role(rng: random.Random) -> str:
    r = rng.random()
    edge = 0.0
    for role, weight in ROLE_WEIGHTS:
        edge += weight
        if r < edge:
            return role
    return "contributor"


def _username(rng: random.Random, style: int) -> str:
    if style == 0:
        return f"{slugify(rng.choice(words.FIRST_NAMES))}-{slugify(rng.choice(words.LAST_NAMES))}"
    if style == 1:
        return f"{slugify(rng.choice(words.FIRST_NAMES))}{rng.randint(1, 999)}"
    return f"{rng.choice(words.ADJECTIVES)}-{rng.choice(words.NOUNS)}"


def generate_contributors(
    rng: random.Random, settings: DummySettings, now: datetime, tz: tzinfo
) -> list[Contributor]:
    """`settings.count` contributors with unique usernames, in generation order."""
    taken: set[str] = set()
    earliest = minus_months(now, 24, tz)
    latest = minus_months(now, 6, tz)
    span = (latest - earliest).total_seconds()
    out: list[Contributor] = []
    for _ in range(settings.count):
        role = draw_role(rng)
        attempt = 0
        while True:
            # Each retry redraws the style too: one style alone can run out of names.
            username = _username(rng, rng.randrange(3))
            if attempt >= 20:  # very large counts: a numeric suffix keeps it unique
                username += f"-{attempt}"
            if role == "bot":
                username += "-bot"
            if username not in taken:
                break
            attempt += 1
        taken.add(username)
        name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
        joined = earliest + timedelta(seconds=rng.random() * span)
        out.append(
            _profile(rng, settings, username, name, role, local_date(joined, tz).isoformat())
        )
    return out


def _profile(
    rng: random.Random, settings: DummySettings, username: str, name: str, role: str, joined: str
) -> Contributor:
    if role == "bot":
        avatar = _avatar(settings, "bottts", username)
        return Contributor(
            username=username,
            role="bot",
            name=name,
            title="Automation Bot",
            avatar_url=avatar,
            bio="🤖 Automated contributor",
            social_profiles=None,
            joining_date=joined,
            bot=True,
        )
    title = rng.choice(words.JOB_TITLES)
    bio = rng.choice(words.BIO_TEMPLATES).format(
        title=title,
        topic=rng.choice(words.TOPICS),
        org=settings.org_name,
        year=int(joined[:4]),
    )
    socials = {"github": f"https://github.com/{username}"}
    if rng.random() < 0.7:
        socials["twitter"] = f"https://twitter.com/{username}"
    if rng.random() < 0.5:
        socials["linkedin"] = f"https://www.linkedin.com/in/{username}"
    if rng.random() < 0.3:
        socials["website"] = f"https://{username}.dev"
    avatar = _avatar(settings, rng.choice(words.AVATAR_STYLES), username)
    return Contributor(
        username=username,
        role=role,
        name=name,
        title=title,
        avatar_url=avatar,
        bio=bio,
        social_profiles=socials,
        joining_date=joined,
    )


def _avatar(settings: DummySettings, style: str, username: str) -> str | None:
    if settings.avatars == "none":
        return None
    return f"https://api.dicebear.com/7.x/{style}/svg?seed={username}"


def _title(rng: random.Random, kind: str, version: str) -> str:
    thing, other = rng.choice(words.THINGS), rng.choice(words.THINGS)
    if kind.startswith("pr_"):
        template = rng.choice(words.PR_TEMPLATES)
    elif kind.startswith("issue_"):
        template = rng.choice(words.ISSUE_TEMPLATES)
    elif kind == "commit_pushed":
        template = rng.choice(words.COMMIT_TEMPLATES)
    elif kind == "docs_updated":
        template = rng.choice(words.DOCS_TEMPLATES)
    else:
        return f"v{version}"
    return template.format(thing=thing, other=other)


def _link(rng: random.Random, kind: str, base: str, version: str) -> str:
    number = rng.randint(1, 9999)
    if kind.startswith("pr_") or kind == "docs_updated":
        return f"{base}/pull/{number}"
    if kind.startswith("issue_"):
        return f"{base}/issues/{number}"
    if kind == "commit_pushed":
        return f"{base}/commit/{''.join(rng.choices(words.HEX, k=40))}"
    return f"{base}/releases/tag/v{version}"


def _meta(rng: random.Random, kind: str, repo: str) -> dict[str, object]:
    meta: dict[str, object] = {"repo": repo}
    if kind.startswith(("pr_", "issue_")):
        meta["labels"] = list(rng.choice(words.LABEL_SETS))
    if kind in ("pr_opened", "pr_merged"):
        meta["commits"] = rng.randint(1, 25)
        meta["additions"] = rng.randint(10, 500)
        meta["deletions"] = rng.randint(5, 200)
    if kind == "release_published":
        meta["releaseType"] = rng.choice(words.RELEASE_TYPES)
    return meta


def generate_activities(
    rng: random.Random,
    settings: DummySettings,
    usernames: list[str],
    now: datetime,
    tz: tzinfo,
) -> list[Activity]:
    """Per contributor a uniform count in [min, max]; sorted by time, then slug."""
    start = minus_days(now, settings.days_back, tz)
    span_ms = (now - start) // timedelta(milliseconds=1)
    start_ms = (start - EPOCH) // timedelta(milliseconds=1)
    out: list[Activity] = []
    for username in usernames:
        for _ in range(rng.randint(settings.min_activities, settings.max_activities)):
            epoch_ms = start_ms + int(span_ms * rng.random() ** 0.7)  # biased towards now
            kind = rng.choice(ACTIVITY_TYPES)
            repo = rng.choice(settings.repo_names)
            version = f"{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 50)}"
            base = f"https://github.com/{settings.org_name}/{repo}"
            title = _title(rng, kind, version)
            link = _link(rng, kind, base, version)
            meta = _meta(rng, kind, repo)
            suffix = "".join(rng.choices(words.LOWER_ALNUM, k=6))
            when = EPOCH + timedelta(milliseconds=epoch_ms)
            out.append(
                Activity(
                    slug=f"{username}-{kind}-{epoch_ms}-{suffix}",
                    contributor=username,
                    activity_definition=kind,
                    occurred_at=canonical(when),
                    title=title,
                    link=link,
                    text=None,
                    points=POINTS[kind],
                    meta=meta,
                )
            )
    out.sort(key=lambda a: (a.occurred_at, a.slug))
    return out
