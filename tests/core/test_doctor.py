"""NEW-15: `leaderboard doctor` checks, their statuses and hints, and that it never writes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from leaderboard.db import Database
from leaderboard.doctor import Check, run_checks

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
CONFIG = """org:
  name: Doctor Org
  description: d
  url: https://example.org
  logo_url: /logo.svg
meta:
  site_url: https://board.example.org
leaderboard:
  data_update_frequency: '0 */12 * * *'
  roles:
    core: {name: Core}
{plugins}"""
PROFILE = "---\nname: {name}\nrole: core\n{extra}---\n"


def make_repo(tmp_path: Path, *, plugins: str = "", extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / "data"
    (root / "contributors").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG.replace("{plugins}", plugins))
    people = {"kwame-mensah": "", "li-wei-zhang": ""} | (extra or {})
    for user, more in people.items():
        (root / "contributors" / f"{user}.md").write_text(PROFILE.format(name=user, extra=more))
    return root


def checks(root: Path, **kw: object) -> dict[str, list[Check]]:
    found = run_checks(
        root,
        env={},
        db_path=str(root / ".leaderboard.db"),
        cache_dir=root / ".leaderboard-cache",
        now=lambda config: NOW,
        **kw,  # type: ignore[arg-type]
    )
    out: dict[str, list[Check]] = {}
    for check in found:
        out.setdefault(check.id, []).append(check)
    return out


def statuses(found: dict[str, list[Check]], check_id: str) -> list[str]:
    return [c.status for c in found[check_id]]


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_new_15_healthy_repo_without_db_warns_and_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    before = tree(root)
    found = checks(root)
    assert statuses(found, "config") == ["ok"]
    assert statuses(found, "working-db") == ["warn"]
    assert "leaderboard run" in found["working-db"][0].hint
    assert statuses(found, "data-files") == ["ok"]
    assert tree(root) == before and not (root / ".leaderboard.db").exists()


def test_new_15_invalid_config_fails_with_exit_1(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "config.yaml").write_text("org: {name: ''}\nleaderboard: {timezone: Mars/Base}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    out = subprocess.run(
        [sys.executable, "-m", "leaderboard", "doctor", "-d", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    config = next(c for c in data["checks"] if c["id"] == "config")
    assert config["status"] == "fail" and "validate" in config["hint"]
    assert set(data["checks"][0]) == {"id", "status", "message", "hint"}


def test_new_15_damaged_db_fails(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / ".leaderboard.db").write_bytes(b"this is not a sqlite file at all" * 100)
    found = checks(root)
    assert statuses(found, "working-db") == ["fail"]
    assert "rebuilt from the files" in found["working-db"][0].hint


def test_new_15_stale_lock_failed_run_and_db_counts(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    (root / ".leaderboard.lock").write_text(
        json.dumps(
            {
                "pid": int(dead),
                "host": socket.gethostname(),
                "command": "run",
                "started_at": "2025-01-01T00:00:00Z",
            }
        )
    )
    db = Database.open(root / ".leaderboard.db")
    db.execute("INSERT INTO contributor(username, role) VALUES ('kwame-mensah', 'core')")
    db.execute(
        "INSERT INTO _run(command, phases, started_at, finished_at, status, summary) "
        "VALUES ('run', '[]', '2025-01-10T00:00:00Z', '2025-01-10T00:01:00Z', 'failed', "
        "'{}')"
    )
    db.set_meta("data_updated_at", "2025-01-10T00:01:00Z")
    db.close()
    found = checks(root)
    assert statuses(found, "lock") == ["warn"] and "stale" in found["lock"][0].message
    assert statuses(found, "db-vs-files") == ["warn"]
    assert "contributors: DB 1, files 2" in found["db-vs-files"][0].message
    messages = [c.message for c in found["freshness"]]
    assert any("the last run failed" in m for m in messages)
    assert any("more than twice the schedule" in m for m in messages)


def test_new_15_identity_conflict_fails(tmp_path: Path) -> None:
    claim = "identities:\n  github: shared-login\n"
    root = make_repo(tmp_path, extra={"ama-owusu": claim, "ama-work": claim})
    found = checks(root)
    assert statuses(found, "identities")[0] == "fail"
    assert "claimed by" in found["identities"][0].message


def test_new_15_broken_plugin_fails(tmp_path: Path) -> None:
    root = make_repo(tmp_path, plugins="  plugins:\n    half: {source: ./half.py}\n")
    (root / "half.py").write_text("name = 'half'\n")  # no version, no hooks
    found = checks(root)
    assert statuses(found, "config") == ["ok"]
    assert statuses(found, "plugins") == ["fail"]
    assert "plugin half" in found["plugins"][0].message


class _GitHub(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("Authorization") != "Bearer ghp_valid_but_nearly_spent":
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"resources": {"core": {"limit": 5000, "remaining": 12}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def github() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_new_15_online_token_quota_and_invalid_token(tmp_path: Path, github: str) -> None:
    plugin = (
        "  plugins:\n    {id}:\n      source: dummy\n      config:\n"
        "        githubToken: {token}\n        apiUrl: {url}\n"
    )
    root = make_repo(
        tmp_path, plugins=plugin.format(id="gh", token="ghp_valid_but_nearly_spent", url=github)
    )
    found = checks(root, online=True)
    assert [c.message for c in found["online"]] == ["gh: GitHub quota 12/5000"]
    assert statuses(found, "online") == ["warn"]
    (root / "config.yaml").write_text(
        CONFIG.replace("{plugins}", plugin.format(id="gh", token="ghp_revoked", url=github))
    )
    found = checks(root, online=True)
    assert found["online"][0].message == "gh: GitHub token is invalid"


def test_new_15_online_slack_auth_test(tmp_path: Path, fake_slack: Any) -> None:
    workspace = json.loads(
        (Path(__file__).parents[1] / "fixtures" / "slack" / "workspace.json").read_text()
    )
    slack = fake_slack(workspace, token="xoxb-doctor-valid")
    plugin = (
        "  plugins:\n    chat:\n      source: dummy\n      config:\n"
        "        slackApiToken: {token}\n        apiUrl: {url}\n"
    )
    root = make_repo(tmp_path, plugins=plugin.format(token="xoxb-doctor-valid", url=slack.api_url))
    found = checks(root, online=True)
    assert [(c.status, c.message) for c in found["online"]] == [("ok", "chat: Slack auth.test ok")]
    [call] = slack.calls("auth.test")
    assert call.method == "POST" and call.headers["authorization"] == "Bearer xoxb-doctor-valid"
    (root / "config.yaml").write_text(
        CONFIG.replace("{plugins}", plugin.format(token="xoxb-revoked", url=slack.api_url))
    )
    found = checks(root, online=True)
    assert [(c.status, c.message) for c in found["online"]] == [
        ("warn", "chat: Slack auth.test failed")
    ]
    assert "Slack token" in found["online"][0].hint


def _working_db(root: Path) -> Database:
    db = Database.open(root / ".leaderboard.db")
    for user in ("kwame-mensah", "li-wei-zhang"):
        db.execute("INSERT INTO contributor(username, role) VALUES (?, 'core')", (user,))
    return db


def test_new_15_non_canonical_timestamps_left_by_migration_warn(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    db = _working_db(root)
    db.execute(
        "INSERT INTO activity_definition(slug, name, description, icon) "
        "VALUES ('pr_merged', 'PR merged', 'A pull request was merged', 'git-merge')"
    )
    for slug, when in (
        ("pr-1", "2025-01-14T09:30:00.000Z"),
        ("pr-2", "14/01/2025 09:30"),  # unparseable: migration 002 leaves it in place
        ("pr-3", "last tuesday"),
    ):
        db.execute(
            "INSERT INTO activity(slug, contributor, activity_definition, occurred_at) "
            "VALUES (?, 'kwame-mensah', 'pr_merged', ?)",
            (slug, when),
        )
    db.close()
    found = checks(root)
    assert statuses(found, "working-db") == ["warn"]
    message = found["working-db"][0].message
    assert message.startswith("2 activities with a non-canonical occurred_at left by migration")
    assert "pr-2: '14/01/2025 09:30'" in message


def test_new_15_unknown_icon_names_warn(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    config = (root / "config.yaml").read_text()
    config = config.replace(
        "  url: https://example.org\n",
        "  url: https://example.org\n  socials:\n    github: https://github.com/doctor-org\n"
        "    matrix: https://matrix.to/#/#doctor:matrix.org\n",
    ).replace(
        "leaderboard:\n",
        "leaderboard:\n  social_profiles:\n    mastodon: {icon: mastodonn}\n"
        "    gitlab: {icon: globe}\n",
    )
    (root / "config.yaml").write_text(config)
    db = _working_db(root)
    for slug, icon in (
        ("pr_merged", "GitMerge"),  # resolves after normalisation
        ("issue_opened", "circle-dot"),
        ("review_given", "pull-reqest"),
        ("standup", None),
    ):
        db.execute(
            "INSERT INTO activity_definition(slug, name, description, icon) VALUES (?, ?, '', ?)",
            (slug, slug, icon),
        )
    db.close()
    found = checks(root)
    assert statuses(found, "config") == ["ok"]
    [icons] = [c for c in found["site"] if "icon" in c.message]
    assert icons.status == "warn"
    assert icons.message == (
        "3 unknown icon name(s): 'pull-reqest' (activity review_given), "
        "'matrix' (org.socials), 'mastodonn' (social_profiles.mastodon)"
    )
    assert "lucide.dev" in icons.hint


def test_new_15_public_db_estimate_above_25_mib_warns_unless_chunked(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    db = _working_db(root)
    db.set_meta("doctor_padding", "x")
    db.execute(
        "UPDATE _leaderboard_meta SET value = zeroblob(26 * 1024 * 1024) "
        "WHERE key = 'doctor_padding'"
    )
    db.close()
    # A site-path source above chunk_threshold ships in chunks (WEB-47): nothing to warn about.
    found = checks(root)
    [estimate] = [c for c in found["site"] if "public DB" in c.message]
    assert estimate.status == "ok"  # WEB-47: size, bytes per activity, chunk count
    assert estimate.message.startswith("public DB estimate 26.")
    assert estimate.message.endswith("bytes per activity, 4 chunks")  # 8 MiB chunks (WEB-47)
    # Uploaded whole to an absolute URL: hosts refusing files above 25 MiB would refuse it.
    config = (
        (root / "config.yaml")
        .read_text()
        .replace(
            "leaderboard:\n",
            "leaderboard:\n  data_explorer: {source: 'https://files.example.org/board.db'}\n",
        )
    )
    (root / "config.yaml").write_text(config)
    found = checks(root)
    [estimate] = [c for c in found["site"] if "public DB" in c.message]
    assert estimate.status == "warn"
    assert estimate.message.startswith("public DB estimate is 26.")
    assert "shipped in files above 25 MiB" in estimate.message
    assert "chunk" in estimate.hint
    assert "(upper bound from the working DB)" in estimate.message
    # The last public DB written for upload is measured itself (a sparse file: no disk used).
    with (root / ".leaderboard-public.db").open("wb") as public:
        public.truncate(30 * 1024 * 1024)
    found = checks(root)
    [estimate] = [c for c in found["site"] if "public DB" in c.message]
    assert estimate.message.startswith("public DB estimate is 30.0 MB (last public DB written)")
