"""NEW-02: `leaderboard identities` lists accounts, conflicts and unresolved accounts, and
suggests links without applying them."""

from __future__ import annotations

import json
from pathlib import Path

from scaffoldkit import run_cli

from leaderboard.db import Database

CONFIG = """org:
  name: Identity Org
  description: d
  url: https://example.org
  logo_url: /logo.svg
leaderboard:
  roles:
    core: {name: Core}
    bot: {name: Bot, hidden: true}
"""
PROFILES = {
    "priya-raghunathan": "---\nname: Priya Raghunathan\nrole: core\nidentities:\n"
    "  github: [priya-r, PriyaR-Work]\n  email: priya@example.org\n---\n",
    "jonas-weber": "---\nname: Jonas Weber\nrole: core\nsocial_profiles:\n"
    "  github: https://github.com/jweber\n---\n",
    "dependabot[bot]": "---\nname: Dependabot\nrole: bot\nbot: true\n---\n",
}


def make_repo(tmp_path: Path, *, conflict: bool = False) -> Path:
    root = tmp_path / "data"
    (root / "contributors").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG)
    for name, text in PROFILES.items():
        (root / "contributors" / f"{name}.md").write_text(text)
    if conflict:
        (root / "contributors" / "priya-alt.md").write_text(
            "---\nname: Priya (laptop)\nrole: core\nidentities:\n  github: priya-r\n---\n"
        )
    db = Database.open(root / ".leaderboard.db")
    db.executemany(
        "INSERT INTO unresolved_identity(namespace, value, plugin, hint, first_seen, last_seen, "
        "count) VALUES (?, ?, ?, ?, '2025-01-01T00:00:00Z', ?, ?)",
        [
            (
                "email",
                "4242+jweber@users.noreply.github.com",
                "git",
                None,
                "2025-01-10T00:00:00Z",
                17,
            ),
            ("email", "priya-raghunathan@corp.example", "git", None, "2025-01-12T00:00:00Z", 5),
            ("git", "jw@old-laptop.local", "git", "jonas weber", "2025-01-03T00:00:00Z", 2),
            ("slack", "U0NOBODY1", "slack", "Slack user", "2025-01-04T00:00:00Z", 40),
        ],
    )
    db.close()
    return root


def test_new_02_report_lists_accounts_and_unresolved_by_count(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    out = run_cli("identities", "-d", str(root), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    people = {p["username"]: p for p in data["contributors"]}
    assert people["priya-raghunathan"]["explicit"] == [
        "github:priya-r",
        "github:priyar-work",
        "email:priya@example.org",
    ]
    assert people["jonas-weber"]["implicit"] == ["github:jonas-weber", "github:jweber"]
    assert [u["count"] for u in data["unresolved"]] == [40, 17, 5, 2]
    assert data["conflicts"] == [] and "suggestions" not in data


def test_new_02_suggestions_are_snippets_never_applied(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    before = (root / "contributors" / "jonas-weber.md").read_bytes()
    out = run_cli("identities", "-d", str(root), "--suggest")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "# contributors/jonas-weber.md (GitHub no-reply address of jweber)" in text
    assert "email: [4242+jweber@users.noreply.github.com]" in text
    assert "# contributors/priya-raghunathan.md (the address's local part is this username)" in text
    assert "# contributors/jonas-weber.md (author name 'jonas weber' matches)" in text
    assert "U0NOBODY1" in text.split("Suggestions")[0]  # listed, but nothing to suggest
    assert (root / "contributors" / "jonas-weber.md").read_bytes() == before


def test_new_01_identity_claimed_twice_is_reported_with_exit_1(tmp_path: Path) -> None:
    root = make_repo(tmp_path, conflict=True)
    before = sorted(p.name for p in root.rglob("*"))
    out = run_cli("identities", "-d", str(root))
    assert out.returncode == 1
    assert (
        "identity github:priya-r is claimed by priya-alt.md and priya-raghunathan.md" in out.stdout
    )
    assert sorted(p.name for p in root.rglob("*")) == before


def test_new_02_without_a_working_db(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / ".leaderboard.db").unlink()
    out = run_cli("identities", "-d", str(root))
    assert out.returncode == 0 and "Unresolved accounts: none" in out.stdout
    assert not (root / ".leaderboard.db").exists()
