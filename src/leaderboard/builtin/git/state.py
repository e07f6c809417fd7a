"""Where each repository was read up to (incremental reads), kept in plugin tables.

`git_ref_state` remembers, per repository name and ref, the commit the last successful read
reached and a fingerprint of the settings it was read with; the next run asks git only for commits
reachable from the new tips and not from the remembered ones. `git_unresolved` remembers addresses
that resolved to nobody, so that once someone links one of them (an `identities` entry), the
repository is read again from the start and the skipped commits are credited.

Both tables belong to the working DB only (plugin tables are never exported or published): with a
fresh DB the plugin simply reads everything again, and activities are upserted on their slug.
They are created by `setup` (as the Slack plugin creates its queue table, ECO-51), so no schema
migration is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

from leaderboard.db import Database

TABLES = (
    "CREATE TABLE IF NOT EXISTS git_ref_state (repo TEXT NOT NULL, ref TEXT NOT NULL, "
    "sha TEXT NOT NULL, settings TEXT NOT NULL, PRIMARY KEY (repo, ref))",
    "CREATE TABLE IF NOT EXISTS git_unresolved (repo TEXT NOT NULL, email TEXT NOT NULL, "
    "PRIMARY KEY (repo, email))",
)


@dataclass(frozen=True)
class RefState:
    sha: str
    settings: str


def create_tables(db: Database) -> None:
    for statement in TABLES:
        db.execute(statement)


def load(db: Database, repo: str) -> dict[str, RefState]:
    rows = db.query("SELECT ref, sha, settings FROM git_ref_state WHERE repo = ?", (repo,))
    return {str(r["ref"]): RefState(str(r["sha"]), str(r["settings"])) for r in rows}


def save(db: Database, repo: str, tips: dict[str, str], settings: str) -> None:
    """Remember the tips just read; refs no longer configured are forgotten."""
    db.execute(
        f"DELETE FROM git_ref_state WHERE repo = ? AND ref NOT IN ({','.join('?' * len(tips))})",
        (repo, *tips),
    )
    db.executemany(
        "INSERT INTO git_ref_state(repo, ref, sha, settings) VALUES(?,?,?,?) "
        "ON CONFLICT(repo, ref) DO UPDATE SET sha = excluded.sha, settings = excluded.settings "
        "WHERE git_ref_state.sha != excluded.sha OR git_ref_state.settings != excluded.settings",
        [(repo, ref, sha, settings) for ref, sha in tips.items()],
    )


def pending(db: Database, repo: str) -> list[str]:
    rows = db.query("SELECT email FROM git_unresolved WHERE repo = ? ORDER BY email", (repo,))
    return [str(r["email"]) for r in rows]


def set_pending(db: Database, repo: str, emails: set[str], *, replace: bool) -> None:
    if replace:
        db.execute("DELETE FROM git_unresolved WHERE repo = ?", (repo,))
    db.executemany(
        "INSERT OR IGNORE INTO git_unresolved(repo, email) VALUES(?,?)",
        [(repo, e) for e in sorted(emails)],
    )
