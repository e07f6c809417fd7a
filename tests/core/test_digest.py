"""NEW-23: `leaderboard digest weekly|inactivity` over a real working DB, public view applied."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
CONFIG = """org:
  name: Digest Org
  description: d
  url: https://example.org
  logo_url: /logo.svg
leaderboard:
  roles:
    core: {name: Core}
    bot: {name: Bot, hidden: true}
  digest:
    top: 2
    webhook_url: '${{ env.DIGEST_WEBHOOK }}'
  badges:
    definitions:
      - slug: busy_week
        name: Busy Week
        description: Many activities
        variants:
          bronze: {description: 3+ activities, svg_url: /b.svg, order: 1}
    rules:
      - type: threshold
        badge_slug: busy_week
        aggregate_slug: activity_count
        thresholds: [{variant: bronze, value: 3}]
"""
DEFINITIONS = [
    {"slug": "pr_merged", "name": "PR merged", "description": "d", "points": 10, "icon": None},
    {"slug": "comment", "name": "Comment", "description": "d", "points": 1, "icon": None},
]
# username → (front matter extra, [(days ago, definition, title)])
PEOPLE = {
    "oluwaseun-adeyemi": (
        "",
        [
            (1, "pr_merged", "Speed up import"),
            (2, "pr_merged", "Fix CI"),
            (3, "comment", "LGTM"),
            (9, "comment", "Ping"),
        ],
    ),
    "marta-kowalczyk": ("", [(4, "pr_merged", "Docs for plugins"), (8, "pr_merged", "Old PR")]),
    "secret-sam": ("visibility: pseudonymous\n", [(2, "comment", "private thought")]),
    "hidden-hana": ("visibility: hidden\n", [(1, "pr_merged", "invisible")]),
    "renovate[bot]": ("bot: true\n", [(1, "comment", "Update deps")]),
    "quiet-quentin": ("", [(10, "comment", "Last seen")]),
    "gone-gita": ("", [(40, "comment", "A while ago")]),
    "ancient-arno": ("", [(200, "comment", "Long ago")]),
}


def make_repo(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "contributors").mkdir(parents=True)
    (root / "activities" / "contributors").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG)
    (root / "activities" / "definitions.json").write_text(json.dumps(DEFINITIONS))
    for user, (extra, items) in PEOPLE.items():
        role = "bot" if user.endswith("[bot]") else "core"
        (root / "contributors" / f"{user}.md").write_text(
            f"---\nname: {user.replace('-', ' ').title()}\nrole: {role}\n{extra}---\n"
        )
        lines = []
        for i, (days, definition, title) in enumerate(items):
            when = (NOW - timedelta(days=days, hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            lines.append(
                json.dumps(
                    {
                        "slug": f"{user}-{i}",
                        "contributor": user,
                        "activity_definition": definition,
                        "title": title,
                        "occurred_at": when,
                        "link": None,
                        "text": None,
                        "points": None,
                        "meta": {},
                    }
                )
            )
        (root / "activities" / "contributors" / f"{user}.jsonl").write_text("\n".join(lines) + "\n")
    out = cli("run", "-d", str(root), env={"DIGEST_WEBHOOK": "http://127.0.0.1:9/unused"})
    assert out.returncode == 0, out.stderr
    return root


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}
    full.update({"LEADERBOARD_NOW": "2025-01-15T12:00:00Z", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "leaderboard", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("digest"))


def test_new_23_weekly_json(repo: Path) -> None:
    out = cli(
        "digest",
        "weekly",
        "-d",
        str(repo),
        "--format",
        "json",
        env={"DIGEST_WEBHOOK": "http://127.0.0.1:9/"},
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [t["username"] for t in data["top"]] == ["oluwaseun-adeyemi", "marta-kowalczyk"]
    assert data["top"][0]["points"] == 21 and data["top"][0]["activities"] == 3
    text = out.stdout
    assert "hidden" not in text.lower() and "secret-sam" not in text and "renovate" not in text
    assert data["totals"]["contributors"] == 3  # oluwaseun, marta, and secret-sam's pseudonym
    assert data["previous"]["points"] == 12  # marta 10, oluwaseun 1, quentin 1
    assert any(b["badge"] == "Busy Week" for b in data["badges"])


def test_new_23_weekly_markdown_and_slack(repo: Path) -> None:
    md = cli("digest", "weekly", "-d", str(repo), env={"DIGEST_WEBHOOK": "http://x.example/"})
    assert md.stdout.startswith("# Digest Org — weekly digest (2025-01-08 to 2025-01-15)")
    assert "1. Oluwaseun Adeyemi — 21 points, 3 activities" in md.stdout
    slack = cli(
        "digest",
        "weekly",
        "-d",
        str(repo),
        "--format",
        "slack",
        env={"DIGEST_WEBHOOK": "http://x.example/"},
    )
    assert slack.stdout.startswith("*Digest Org — weekly digest")


def test_new_23_inactivity_buckets_and_dormant(repo: Path) -> None:
    out = cli(
        "digest",
        "inactivity",
        "-d",
        str(repo),
        "--format",
        "json",
        env={"DIGEST_WEBHOOK": "http://x.example/"},
    )
    data = json.loads(out.stdout)
    names = {b["from_days"]: [p["name"] for p in b["people"]] for b in data["buckets"]}
    assert names == {7: ["Quiet Quentin"], 14: [], 30: ["Gone Gita"]}
    assert data["dormant"] == 1


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()


def test_new_23_post_sends_slack_text_and_fails_on_non_2xx(
    repo: Path, hook: tuple[str, type[_Hook]]
) -> None:
    url, handler = hook
    out = cli("digest", "weekly", "-d", str(repo), "--post", env={"DIGEST_WEBHOOK": url})
    assert out.returncode == 0, out.stderr
    assert handler.received[0]["text"].startswith("*Digest Org — weekly digest")
    handler.status = 500
    out = cli("digest", "weekly", "-d", str(repo), "--post", env={"DIGEST_WEBHOOK": url})
    assert out.returncode == 1 and "HTTP 500" in out.stderr


def test_new_23_no_working_db_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    (root / "config.yaml").write_text(CONFIG)
    out = cli("digest", "weekly", "-d", str(root), env={"DIGEST_WEBHOOK": "http://x.example/"})
    assert out.returncode == 1 and "run `leaderboard run` first" in out.stderr
    assert not (root / ".leaderboard.db").exists()
