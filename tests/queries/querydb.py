"""Helpers for hand-built query-layer test DBs: rows are inserted directly with SQL."""

from __future__ import annotations

from typing import Any

from leaderboard.db import Database


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


PUBLIC_SCHEMA = """
CREATE TABLE contributor (username TEXT PRIMARY KEY COLLATE NOCASE, name TEXT, role TEXT NOT NULL,
  title TEXT, avatar_url TEXT, bio TEXT, social_profiles JSON, joining_date TEXT, meta JSON,
  is_bot INTEGER NOT NULL DEFAULT 0);
CREATE TABLE activity_definition (slug TEXT PRIMARY KEY, name TEXT NOT NULL,
  description TEXT NOT NULL, points INTEGER, icon TEXT);
CREATE TABLE activity (slug TEXT PRIMARY KEY, contributor TEXT NOT NULL REFERENCES
  contributor(username), activity_definition TEXT NOT NULL REFERENCES activity_definition(slug),
  title TEXT, occurred_at TEXT NOT NULL, link TEXT, text TEXT, points INTEGER, meta JSON,
  effective_points INTEGER NOT NULL);
CREATE TABLE global_aggregate (slug TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT,
  value JSON NOT NULL, hidden INTEGER NOT NULL DEFAULT 0, meta JSON);
CREATE TABLE contributor_aggregate_definition (slug TEXT PRIMARY KEY, name TEXT NOT NULL,
  description TEXT, hidden INTEGER NOT NULL DEFAULT 0);
CREATE TABLE contributor_aggregate (aggregate TEXT NOT NULL, contributor TEXT NOT NULL,
  value JSON NOT NULL, meta JSON, PRIMARY KEY (aggregate, contributor));
CREATE TABLE badge_definition (slug TEXT PRIMARY KEY, name TEXT NOT NULL,
  description TEXT NOT NULL, variants JSON NOT NULL);
CREATE TABLE contributor_badge (slug TEXT PRIMARY KEY, badge TEXT NOT NULL, contributor TEXT NOT
  NULL, variant TEXT NOT NULL, achieved_on TEXT NOT NULL, meta JSON);
CREATE TABLE _leaderboard_public (key TEXT PRIMARY KEY, value TEXT);
CREATE INDEX idx_activity_occurred_at ON activity(occurred_at);
CREATE INDEX idx_activity_contributor ON activity(contributor);
"""
