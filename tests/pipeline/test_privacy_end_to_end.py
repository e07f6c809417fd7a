"""A hidden contributor appears in no file of the built site and no row of data.db (NEW-04, NEW-05)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from e2e import Runner, write, write_config

HIDDEN = "zz-secret-person"
PSEUDO = "quiet-quokka"


def test_new_04_hidden_and_pseudonymous_contributors_in_the_whole_site(
    tmp_path: Path, cli: Runner
) -> None:
    data = tmp_path / "data"
    write_config(data, extra="  badges:\n    definitions: []\n")
    write(data, "contributors/alice.md", "---\nname: Alice\nrole: core\n---\nHello.\n")
    write(
        data,
        f"contributors/{HIDDEN}.md",
        f"---\nname: Zed Secret {HIDDEN}\nrole: core\nvisibility: hidden\n---\nSecret bio.\n",
    )
    write(
        data,
        f"contributors/{PSEUDO}.md",
        "---\nname: Real Name Of Quokka\nrole: core\nvisibility: pseudonymous\n---\nBio of quokka.\n",
    )
    write(
        data,
        "activities/definitions.json",
        '[\n  {\n    "slug": "pr",\n    "name": "PR",\n    "description": "d",\n    "points": 3,\n    "icon": null\n  }\n]',
    )
    for user in ("alice", HIDDEN, PSEUDO):
        line = {
            "slug": f"{user}-act",
            "contributor": user,
            "activity_definition": "pr",
            "title": f"Title by {user}",
            "occurred_at": "2024-01-20T10:00:00.000Z",
            "link": f"https://example.org/{user}",
            "text": None,
            "points": None,
            "meta": None,
        }
        write(data, f"activities/contributors/{user}.jsonl", json.dumps(line) + "\n")
    assert cli("run", "-d", str(data)).returncode == 0
    site = tmp_path / "site"
    out = cli("build", "-d", str(data), "--out", str(site))
    assert out.returncode == 0, out.stderr
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        blob = path.read_bytes()
        assert HIDDEN.encode() not in blob, path
        assert b"Zed Secret" not in blob, path
        assert b"Real Name Of Quokka" not in blob and b"Bio of quokka" not in blob, path
        assert PSEUDO.encode() not in blob, path
    assert (site / "alice" / "index.html").exists()
    db = sqlite3.connect(site / "data.db")
    names = [r[0] for r in db.execute("SELECT username FROM contributor ORDER BY 1")]
    assert "alice" in names and HIDDEN not in names and PSEUDO not in names
    assert any(n.startswith("contributor-") for n in names)


def test_web_48_strict_build_fails_when_explorer_assets_are_unavailable(
    tmp_path: Path, cli: Runner
) -> None:
    data = tmp_path / "data"
    write_config(data)
    write(data, "contributors/alice.md", "---\nrole: core\n---\n")
    assert cli("run", "-d", str(data)).returncode == 0
    # Offline, no cache and no LEADERBOARD_VENDOR_DIR: the explorer degrades with a warning.
    relaxed = cli("build", "-d", str(data), "--out", str(tmp_path / "a"))
    assert relaxed.returncode == 0, relaxed.stderr
    assert "Data Explorer assets unavailable" in relaxed.stderr
    strict = cli("build", "-d", str(data), "--out", str(tmp_path / "b"), "--strict")
    assert strict.returncode == 1
    assert "--strict is set" in strict.stderr
