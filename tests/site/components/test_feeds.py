"""NEW-22: Atom feeds of achievements and new contributors (ranked population only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from leaderboard.db import Database
from leaderboard.site import feeds
from leaderboard.site.urls import Urls

NOW = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
A = "{http://www.w3.org/2005/Atom}"


def _build(db: Database) -> dict[str, bytes]:
    return feeds.build_feeds(
        db, urls=Urls.create("https://org.example/lb"), org_name="Org", now=NOW
    )


def test_new_22_achievements_feed(public_db_factory: Callable[[], Database]) -> None:
    out = _build(public_db_factory())
    assert list(out) == ["feeds/achievements.xml", "feeds/new-contributors.xml"]
    root = ET.fromstring(out["feeds/achievements.xml"])
    assert root.findtext(f"{A}id") == "https://org.example/lb/feeds/achievements.xml"
    assert root.findtext(f"{A}title") == "Org — Achievements"
    assert root.findtext(f"{A}updated") == "2026-04-01T00:00:00Z"
    links = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{A}link")}
    assert links == {
        "self": "https://org.example/lb/feeds/achievements.xml",
        "alternate": "https://org.example/lb/badges/",
    }
    assert root.findtext(f"{A}author/{A}name") == "Org"
    entries = root.findall(f"{A}entry")
    assert len(entries) == 1  # carol's award is in a hidden role
    e = entries[0]
    assert e.findtext(f"{A}id") == "tag:org.example,2026-04-01:streak__alice__bronze"
    assert e.findtext(f"{A}title") == "Alice earned Streak (Bronze)"
    assert e.find(f"{A}link").get("href") == "https://org.example/lb/alice/"  # type: ignore[union-attr]
    assert e.findtext(f"{A}updated") == "2026-04-01T00:00:00Z"
    assert e.findtext(f"{A}summary") == "Bronze"


def test_new_22_new_contributors_feed(public_db_factory: Callable[[], Database]) -> None:
    root = ET.fromstring(_build(public_db_factory())["feeds/new-contributors.xml"])
    entries = root.findall(f"{A}entry")
    # ranked only: bob (Apr 13) then alice (Mar 1); carol (hidden role) and the bot are left out
    assert [e.findtext(f"{A}title") for e in entries] == [
        'Bob "The Builder", Jr. made their first contribution',
        "Alice made their first contribution",
    ]
    assert entries[0].findtext(f"{A}id") == "tag:org.example,2026-04-13:first-activity/bob"
    assert entries[0].findtext(f"{A}updated") == "2026-04-13T10:00:00.000Z"
    assert entries[0].findtext(f"{A}summary") == "Idea"
    assert root.findtext(f"{A}updated") == "2026-04-13T10:00:00.000Z"


def test_new_22_empty_feed_uses_data_updated_at() -> None:
    body = feeds.atom_feed(
        feed_url="https://x/f.xml", title="T & U", alternate_url="https://x/", author="Org",
        updated="2026-01-01T00:00:00.000Z", entries=[],
    )  # fmt: skip
    root = ET.fromstring(body)
    assert root.findtext(f"{A}title") == "T & U" and root.find(f"{A}entry") is None
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n') and body.endswith(
        b"</feed>\n"
    )


def test_new_22_deterministic(public_db_factory: Callable[[], Database]) -> None:
    assert _build(public_db_factory()) == _build(public_db_factory())
