"""Shared fixtures of the site-component tests: a tiny hand-made public DB (NEW-05 schema)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from leaderboard.db import Database
from leaderboard.publicdb import PUBLIC_SCHEMA


def make_public_db() -> Database:
    """Five contributors: alice (core), bob (comma and quotes in the name), carol (hidden role
    `alumni`), dave (no activity), dependabot[bot] (bot); one badge with three variants."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(PUBLIC_SCHEMA)
    conn.executemany(
        "INSERT INTO contributor (username, name, role, avatar_url, bio, social_profiles, is_bot) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("alice", "Alice", "core", "https://img.example/a.png", "# Hi\n<script>x</script>",
             '{"github":"https://github.com/alice"}', 0),
            ("bob", 'Bob "The Builder", Jr.', "contributor", None, None, None, 0),
            ("carol", "Carol", "alumni", None, None, None, 0),
            ("dave", None, "contributor", None, None, None, 0),
            ("dependabot[bot]", None, "bot", None, None, None, 1),
        ],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO activity_definition VALUES (?, ?, ?, ?, ?)",
        [
            ("comment", "Comment", "Commented", None, "message-circle"),
            ("issue_opened", "Issue Opened", "Opened an issue", 2, None),
            ("pr_merged", "PR Merged", "Merged a PR", 10, "git-merge"),
        ],
    )
    conn.executemany(  # `activity` is a view: rows go to `_activity` with integer keys
        "INSERT INTO _activity (slug, contributor, activity_definition, title, occurred_at, link, "
        "text, points, meta, effective_points) VALUES (?, "
        "(SELECT rowid FROM contributor WHERE username = ?), "
        "(SELECT rowid FROM activity_definition WHERE slug = ?), ?, ?, ?, ?, ?, ?, ?)",
        [
            ("a1", "alice", "pr_merged", "Fix", "2026-04-14T10:00:00.000Z", "https://x/1", None, None, '{"n":1}', 10),
            ("a2", "alice", "issue_opened", "Bug", "2026-03-01T10:00:00.000Z", None, None, None, None, 2),
            ("b1", "bob", "issue_opened", "Idea", "2026-04-13T10:00:00.000Z", None, "<b>t</b>", None, None, 2),
            ("b2", "bob", "comment", None, "2026-04-13T11:00:00.000Z", None, None, None, None, 0),
            ("c1", "carol", "pr_merged", "Old", "2026-04-14T09:00:00.000Z", None, None, None, None, 10),
            ("d1", "dependabot[bot]", "pr_merged", "Bump", "2026-04-14T08:00:00.000Z", None, None, None, None, 10),
            ("f1", "alice", "pr_merged", "Future", "2026-05-01T00:00:00.000Z", None, None, None, None, 10),
        ],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO contributor_aggregate_definition VALUES (?, ?, ?, ?)",
        [
            ("secret", "Secret", None, 1),
            ("total_activity_points", "Total Activity Points", "Sum", 0),
        ],
    )
    conn.executemany(
        "INSERT INTO contributor_aggregate (aggregate, contributor, value) VALUES (?, ?, ?)",
        [
            ("total_activity_points", "alice", '{"type":"number","value":1234,"format":"integer"}'),
            ("secret", "alice", '{"type":"string","value":"s"}'),
        ],
    )
    variants = (
        '{"gold":{"description":"Gold","order":3},"bronze":{"description":"Bronze","order":1,'
        '"svg_url":"/assets/b.svg"},"silver":{"description":"Silver","order":2}}'
    )
    conn.execute(
        "INSERT INTO badge_definition VALUES ('streak', 'Streak', 'Be active', ?)", (variants,)
    )
    conn.executemany(
        "INSERT INTO contributor_badge (slug, badge, contributor, variant, achieved_on) VALUES (?, ?, ?, ?, ?)",
        [
            ("streak__alice__bronze", "streak", "alice", "bronze", "2026-04-01"),
            ("streak__carol__silver", "streak", "carol", "silver", "2026-04-02"),
        ],
    )
    conn.executemany(
        "INSERT INTO _leaderboard_public VALUES (?, ?)",
        [
            ("bot_roles", '["bot"]'),
            ("data_updated_at", "2026-04-15T06:00:00.000Z"),
            ("hidden_roles", '["alumni"]'),
            ("timezone", "UTC"),
        ],
    )
    return Database(conn, ":memory:")


@pytest.fixture
def public_db_factory() -> Callable[[], Database]:
    return make_public_db
