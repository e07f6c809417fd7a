"""Database handle and migrations (CORE-31, CORE-35)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from leaderboard.db import SCHEMA_VERSION, Database
from leaderboard.db.migrations import PAGE_SIZE
from leaderboard.errors import SchemaTooNewError

UPSTREAM_SCHEMA = """
CREATE TABLE contributor (username TEXT PRIMARY KEY, name TEXT, role TEXT, title TEXT, avatar_url TEXT,
  bio TEXT, social_profiles JSON, joining_date TEXT, meta JSON);
CREATE TABLE activity_definition (slug TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
  points INTEGER, icon TEXT);
CREATE TABLE activity (slug TEXT PRIMARY KEY, contributor TEXT REFERENCES contributor(username),
  activity_definition TEXT REFERENCES activity_definition(slug), title TEXT, occured_at TEXT, link TEXT,
  text TEXT, points INTEGER, meta JSON, occurred_at TEXT);
CREATE TABLE global_aggregate (slug TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, value JSON,
  hidden INTEGER DEFAULT 0, meta JSON);
CREATE TABLE contributor_aggregate_definition (slug TEXT PRIMARY KEY, name TEXT NOT NULL,
  description TEXT, hidden INTEGER DEFAULT 0);
CREATE TABLE contributor_aggregate (aggregate TEXT REFERENCES contributor_aggregate_definition(slug),
  contributor TEXT REFERENCES contributor(username), value JSON, meta JSON, PRIMARY KEY (aggregate, contributor));
CREATE TABLE badge_definition (slug TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, variants JSON);
CREATE TABLE contributor_badge (slug TEXT PRIMARY KEY, badge TEXT REFERENCES badge_definition(slug),
  contributor TEXT REFERENCES contributor(username), variant TEXT, achieved_on TEXT, meta JSON);
"""


def test_core_35_fresh_db_is_migrated(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "sub" / "x.db")
    assert db.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert db.scalar("PRAGMA foreign_keys") == 1
    assert db.scalar("PRAGMA busy_timeout") == 5000
    assert db.scalar("PRAGMA page_size") == PAGE_SIZE != 4096  # cheaper bulk import (CORE-80)
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {
        "idx_activity_occurred_at",
        "idx_contributor_badge_unique",
        "idx_contributor_identity_contributor",
    } <= names


def test_core_35_newer_schema_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    Database.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE _leaderboard_meta SET value='999' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(
        SchemaTooNewError, match="Database schema 999 is newer than this version supports"
    ):
        Database.open(path)


def test_core_35_upstream_db_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "upstream.db"
    conn = sqlite3.connect(path)
    conn.executescript(UPSTREAM_SCHEMA)
    conn.execute(
        "INSERT INTO contributor(username, role, joining_date) VALUES ('Alice', 'core', '1700000000000')"
    )
    conn.execute("INSERT INTO activity_definition VALUES ('pr', 'PR', 'd', 5, NULL)")
    conn.execute(
        "INSERT INTO activity(slug, contributor, activity_definition, occurred_at) VALUES ('a1', 'alice', 'pr', '2024-01-02T03:04:05+02:00')"
    )
    conn.execute(
        "INSERT INTO global_aggregate(slug, name, value, hidden) VALUES ('g', 'G', '{}', 'true')"
    )
    conn.commit()
    conn.close()
    db = Database.open(path)
    assert db.scalar("PRAGMA page_size") == 4096  # an existing file keeps its page size
    row = db.query_one("SELECT contributor, occurred_at FROM activity")
    assert row == {"contributor": "Alice", "occurred_at": "2024-01-02T01:04:05.000Z"}
    assert db.scalar("SELECT joining_date FROM contributor") == "2023-11-14"
    assert db.scalar("SELECT hidden FROM global_aggregate") == 1
    # ON UPDATE CASCADE now follows renames. (SQLite skips the cascade for a case-only change,
    # because NOCASE compares the keys equal: the importer rewrites references itself.)
    db.execute("UPDATE contributor SET username = 'alice2'")
    assert db.scalar("SELECT contributor FROM activity") == "alice2"


def test_transaction_and_savepoint_rollback() -> None:
    db = Database.memory()
    with db.transaction():
        db.execute("INSERT INTO _leaderboard_meta VALUES ('a', '1')")
        with pytest.raises(RuntimeError), db.savepoint("plugin_1"):
            db.execute("INSERT INTO _leaderboard_meta VALUES ('b', '2')")
            raise RuntimeError
    assert db.get_meta("a") == "1" and db.get_meta("b") is None
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO _leaderboard_meta VALUES ('c', '3')")
        raise RuntimeError
    assert db.get_meta("c") is None


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 2), (16, 4)])
def test_sorter_threads_follow_the_usable_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int, threads: int
) -> None:
    """CORE-80: every connection lets SQLite's sorter use a helper per usable core (at most 4),
    for index builds and large ordered reads; a read-only handle sorts too."""
    from leaderboard import forkmap

    monkeypatch.setattr(forkmap, "usable_cores", lambda: cores)
    path = tmp_path / "w.db"
    db = Database.open(path)
    assert db.scalar("PRAGMA threads") == threads
    db.close()
    assert Database.open(path, readonly=True).scalar("PRAGMA threads") == threads
