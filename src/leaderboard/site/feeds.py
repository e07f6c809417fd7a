"""Atom feeds (NEW-22): `feeds/achievements.xml` and `feeds/new-contributors.xml`.

Feed readers are how many maintainers follow a community without visiting the site. Entries
come from the public DB's ranked population only (CORE-74); ids are `tag:` URIs built from
stable data (award slugs, usernames), so a rebuild never makes readers see duplicates, and the
feed's `updated` is the newest entry's time, not the build time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from markupsafe import escape

from leaderboard import jsonfmt
from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.site.markdown import plain_text
from leaderboard.site.urls import Urls
from leaderboard.timeutil import canonical

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState

FEED_LIMIT = 50
ACHIEVEMENTS = "feeds/achievements.xml"
NEW_CONTRIBUTORS = "feeds/new-contributors.xml"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    title: str
    link: str
    updated: str  # RFC 3339
    summary: str | None = None


def atom_time(value: str) -> str:
    """A canonical timestamp or a `YYYY-MM-DD` date as RFC 3339 (`…T00:00:00Z` for dates)."""
    return f"{value}T00:00:00Z" if len(value) == 10 else value


def atom_feed(
    *,
    feed_url: str,
    title: str,
    alternate_url: str,
    author: str,
    updated: str,
    entries: Sequence[FeedEntry],
) -> bytes:
    """An Atom 1.0 document (UTF-8, trailing newline)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <id>{escape(feed_url)}</id>",
        f"  <title>{escape(title)}</title>",
        f"  <updated>{escape(updated)}</updated>",
        f'  <link rel="self" type="application/atom+xml" href="{escape(feed_url)}"/>',
        f'  <link rel="alternate" type="text/html" href="{escape(alternate_url)}"/>',
        f"  <author><name>{escape(author)}</name></author>",
    ]
    for e in entries:
        lines += [
            "  <entry>",
            f"    <id>{escape(e.id)}</id>",
            f"    <title>{escape(e.title)}</title>",
            f'    <link rel="alternate" type="text/html" href="{escape(e.link)}"/>',
            f"    <updated>{escape(e.updated)}</updated>",
        ]
        if e.summary:
            lines.append(f"    <summary>{escape(e.summary)}</summary>")
        lines.append("  </entry>")
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _display(name: str | None, username: str) -> str:
    return name or username


def _tag(urls: Urls, day: str, specific: str) -> str:
    return f"tag:{urlsplit(urls.site_url).hostname},{day}:{specific}"


def achievement_entries(db: Database, urls: Urls, population: Population) -> list[FeedEntry]:
    """The 50 most recent awards of ranked contributors (`achieved_on` desc, then slug)."""
    where = population.ranked.sql("c", public=True)
    rows = db.query(
        "SELECT b.slug, b.badge, b.contributor, b.variant, b.achieved_on, c.name AS person, "
        "d.name AS badge_name, d.variants FROM contributor_badge b "
        "JOIN contributor c ON c.username = b.contributor "
        f"LEFT JOIN badge_definition d ON d.slug = b.badge WHERE {where} "
        "ORDER BY b.achieved_on DESC, b.slug LIMIT ?",
        (FEED_LIMIT,),
    )
    entries = []
    for r in rows:
        variants = jsonfmt.loads(r["variants"]) if r["variants"] else {}
        spec = variants.get(r["variant"]) if isinstance(variants, dict) else None
        description = spec.get("description") if isinstance(spec, dict) else None
        variant = r["variant"][:1].upper() + r["variant"][1:]
        entries.append(
            FeedEntry(
                id=_tag(urls, r["achieved_on"], r["slug"]),
                title=f"{_display(r['person'], r['contributor'])} earned {r['badge_name'] or r['badge']} ({variant})",
                link=urls.profile_absolute(r["contributor"]),
                updated=atom_time(r["achieved_on"]),
                summary=description if isinstance(description, str) else None,
            )
        )
    return entries


def new_contributor_entries(
    db: Database, urls: Urls, population: Population, now: datetime
) -> list[FeedEntry]:
    """The 50 most recent first activities of ranked contributors (newest first)."""
    where = population.ranked.sql("c", public=True)
    rows = db.query(
        "WITH firsts AS (SELECT a.contributor, MIN(a.occurred_at) AS first FROM activity a "
        f"JOIN contributor c ON c.username = a.contributor WHERE {where} GROUP BY a.contributor) "
        "SELECT f.contributor, f.first, c.name AS person, "
        "(SELECT COALESCE(x.title, d.name, x.activity_definition) FROM activity x "
        " LEFT JOIN activity_definition d ON d.slug = x.activity_definition "
        " WHERE x.contributor = f.contributor AND x.occurred_at = f.first ORDER BY x.slug LIMIT 1) AS title "
        "FROM firsts f JOIN contributor c ON c.username = f.contributor "
        "WHERE f.first <= ? ORDER BY f.first DESC, f.contributor LIMIT ?",
        (canonical(now), FEED_LIMIT),
    )
    return [
        FeedEntry(
            id=_tag(urls, r["first"][:10], f"first-activity/{r['contributor']}"),
            title=f"{_display(r['person'], r['contributor'])} made their first contribution",
            link=urls.profile_absolute(r["contributor"]),
            updated=r["first"],
            summary=plain_text(r["title"]) or None,
        )
        for r in rows
    ]


def build_feeds(
    db: Database, *, urls: Urls, org_name: str, now: datetime, data_updated_at: str | None = None
) -> dict[str, bytes]:
    """Both feeds keyed by output path. An empty feed's `updated` is `data_updated_at` (or now)."""
    population = Population.from_db(db)
    fallback = data_updated_at or canonical(now)
    out: dict[str, bytes] = {}
    for path, title, alternate, entries in (
        (
            ACHIEVEMENTS,
            f"{org_name} — Achievements",
            urls.absolute("badges/"),
            achievement_entries(db, urls, population),
        ),
        (
            NEW_CONTRIBUTORS,
            f"{org_name} — New contributors",
            urls.absolute("people/"),
            new_contributor_entries(db, urls, population, now),
        ),
    ):
        updated = max((e.updated for e in entries), default=fallback)
        out[path] = atom_feed(
            feed_url=urls.absolute(path),
            title=title,
            alternate_url=alternate,
            author=org_name,
            updated=updated,
            entries=entries,
        )
    return out


def build_stage(state: BuildState) -> None:
    """Builder step (WEB-02 step 9): write `feeds/*.xml` from the build's public DB."""
    assert state.public is not None and state.urls is not None and state.writer is not None
    db = state.public
    updated = db.scalar("SELECT value FROM _leaderboard_public WHERE key = 'data_updated_at'")
    files = build_feeds(
        db,
        urls=state.urls,
        org_name=state.options.config.org.name,
        now=state.options.now,
        data_updated_at=updated,
    )
    for path, data in files.items():
        state.writer.write(path, data)
