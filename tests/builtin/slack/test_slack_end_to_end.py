"""ECO-51…54, NEW-26 end to end: `leaderboard run` subprocesses against the fake Slack server."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from slack_e2e import FIXTURES, NOW, TOKEN, RunCli, activity_lines, files

from leaderboard.testing.slack_server import FakeSlack

EXPECTED = FIXTURES / "expected"
WINDOW = {"oldest": "1712514600.000000", "latest": "1712761200.000000"}  # 2024-04-08 IST … now


def _ok(result: object) -> None:
    assert getattr(result, "returncode", None) == 0, getattr(result, "stderr", "")


def _history_forms(slack: FakeSlack) -> list[dict[str, str]]:
    return [r.form for r in slack.calls("conversations.history")]


def test_run_exports_the_expected_activities_and_pending_store(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    result = run_cli("run", "-d", str(repo))
    _ok(result)
    assert activity_lines(repo) == (EXPECTED / "activities.jsonl").read_text().splitlines()
    pending = sorted(p.name for p in (repo / "slack" / "pending").glob("*.jsonl"))
    assert pending == sorted(p.name for p in (EXPECTED / "pending").glob("*.jsonl"))
    for name in pending:
        assert (repo / "slack" / "pending" / name).read_bytes() == (
            EXPECTED / "pending" / name
        ).read_bytes()
    # The data repo's copy of the definition wins over the plugin's static one (points 3, not 2).
    definitions = json.loads((repo / "activities" / "definitions.json").read_text())
    assert [d["points"] for d in definitions if d["slug"] == "eod_update"] == [3]
    # The summary of ECO-53 and the warning for the message without a user.
    assert "Processed 20 messages, 15 activities written" in result.stderr
    assert "unmatched Slack users: U07NEWHIRE (2), U08GUEST (1), U09LEFTORG (1)" in result.stderr
    assert (
        "Slack message 1712577900.131907 in channel C05EODUPDATE has no user; skipped"
        in result.stderr
    )


def test_requests_are_exactly_the_spec_requests(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    _ok(run_cli("run", "-d", str(repo)))
    forms = _history_forms(slack)
    eod = [f for f in forms if f["channel"] == "C05EODUPDATE"]
    core = [f for f in forms if f["channel"] == "G01CORETEAM"]
    assert forms == eod + core  # channels in config order, each paged to the end
    assert len(eod) == 4 and len(core) == 1  # 22 messages in the window, pages of 6
    for i, form in enumerate(eod):
        expected = {"channel": "C05EODUPDATE", **WINDOW, "limit": "100"}
        if i:
            expected["cursor"] = form["cursor"]
        assert form == expected
        assert list(form) == list(expected)  # channel, oldest, latest, limit[, cursor]
    # The cursor sent is the previous answer's next_cursor (the server's opaque offsets).
    assert [f.get("cursor") for f in eod] == [
        None,
        "bmV4dF90czo2",
        "bmV4dF90czoxMg==",
        "bmV4dF90czoxOA==",
    ]
    for request in slack.calls():
        assert request.method == "POST"
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert TOKEN.encode() not in request.body and TOKEN not in request.path
    # NEW-26: users.info only for ids the identity index does not know, in id order.
    assert [r.form for r in slack.calls("users.info")] == [
        {"user": u} for u in ("U04KHAVIN", "U07NEWHIRE", "U08GUEST", "U09LEFTORG", "U0CSRIHAR")
    ]
    assert [r.api_method for r in slack.calls()].count("users.info") == 5
    assert all(f["channel"] != "C03RANDOM" for f in forms)  # not configured, never read


def test_second_run_changes_nothing_and_uses_the_email_cache(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    _ok(run_cli("run", "-d", str(repo)))
    before = files(repo)
    slack.clear()
    second = run_cli("run", "-d", str(repo))
    _ok(second)
    assert files(repo) == before  # same bytes, not even rewritten (mtimes equal)
    assert "files written 0, deleted 0" in second.stderr
    assert slack.calls("users.info") == []  # cached for 30 days
    assert len(slack.calls("conversations.history")) == 5


def test_a_fresh_working_db_gives_the_same_files(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    """The data repo alone (CI machines start without `.leaderboard.db`) carries the queue."""
    _ok(run_cli("run", "-d", str(repo)))
    before = files(repo)
    (repo / ".leaderboard.db").unlink()
    _ok(run_cli("run", "-d", str(repo)))
    assert files(repo) == before


def test_the_token_never_reaches_logs_db_or_files(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    slack.fail("conversations.history", status=502, body="<html>502 Bad Gateway</html>", times=1)
    first = run_cli("run", "-d", str(repo), "--debug")
    _ok(first)
    wrong = run_cli("run", "-d", str(repo), "--debug", token="xoxb-wrong-" + TOKEN[::-1])
    assert wrong.returncode == 1
    built = run_cli("build", "-d", str(repo), "--out", str(repo.parent / "site"))
    _ok(built)
    for result in (first, wrong, built):
        assert TOKEN not in result.stdout + result.stderr
        assert TOKEN[::-1] not in result.stdout + result.stderr
    for root in (repo, repo.parent / "site"):
        for path in root.rglob("*"):
            if path.is_file():
                assert TOKEN.encode() not in path.read_bytes(), path


def test_invalid_auth_fails_the_plugin_clearly_and_other_plugins_go_on(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    _ok(run_cli("run", "-d", str(repo)))
    before = files(repo)
    _add_local_plugin(repo)
    slack.clear()
    result = run_cli("run", "-d", str(repo), token="xoxb-revoked-token")
    assert result.returncode == 1
    assert (
        "Slack API error: invalid_auth (conversations.history, channel C05EODUPDATE)"
        in result.stderr
    )
    assert "Scrape failed for plugin slack" in result.stderr
    # One request: an auth error is fatal, the other channel is not tried.
    assert len(slack.calls()) == 1
    # The other plugin ran; everything already stored is still there.
    after = files(repo)
    assert "standup" in after["activities/contributors/gigincg.jsonl"][0].decode()
    for rel, (data, _) in before.items():
        if rel.startswith("slack/pending/"):
            assert after[rel] == (data, before[rel][1]), rel  # not even rewritten
    assert set(activity_lines(repo)) == {
        *(EXPECTED / "activities.jsonl").read_text().splitlines(),
        *after["activities/contributors/gigincg.jsonl"][0].decode().splitlines(),
    }


def _add_local_plugin(repo: Path) -> None:
    (repo / "standup.py").write_text(
        "name = 'standup'\nversion = '1'\n"
        "activity_definitions = [{'slug': 'standup', 'name': 'Standup', 'description': 'Ran "
        "the standup', 'points': 1, 'icon': None}]\n"
        "def scrape(ctx):\n"
        "    return [{'kind': 'activity', 'slug': 'standup_2024-04-10_gigincg', 'contributor': "
        "'gigincg', 'activity_definition': 'standup', 'title': 'Ran the standup', "
        "'occurred_at': '2024-04-10T04:00:00Z', 'link': None, 'text': None, 'points': None, "
        "'meta': None}]\n",
        encoding="utf-8",
    )
    config = repo / "config.yaml"
    config.write_text(
        config.read_text() + "    standup:\n      source: ./standup.py\n", encoding="utf-8"
    )


def test_a_failing_channel_keeps_everything_stored_and_the_queue(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    _ok(run_cli("run", "-d", str(repo)))
    before = files(repo)
    slack.workspace["channels"]["G01CORETEAM"]["member"] = False  # the bot was removed
    # A new message arrives in the first channel meanwhile.
    slack.workspace["channels"]["C05EODUPDATE"]["messages"].append(
        {
            "type": "message",
            "user": "U0AGIGIN",
            "ts": "1712750000.000100",
            "text": "EOD: release notes drafted for v2.4.1",
        }
    )
    result = run_cli("run", "-d", str(repo))
    assert result.returncode == 1
    assert (
        "Slack API error: not_in_channel (conversations.history, channel G01CORETEAM)"
        in result.stderr
    )
    assert "Nothing was attributed in this run" in result.stderr
    assert files(repo) == before  # no activity text shortened, no pending file touched
    db = sqlite3.connect(repo / ".leaderboard.db")
    queued = [r[0] for r in db.execute("SELECT text FROM slack_anonymous_eod_update")]
    db.close()
    assert "EOD: release notes drafted for v2.4.1" in queued  # fetched channel checkpointed
    # Once the bot is back, the next run attributes it.
    slack.workspace["channels"]["G01CORETEAM"]["member"] = True
    _ok(run_cli("run", "-d", str(repo)))
    assert any("release notes drafted" in line for line in activity_lines(repo))


def test_rate_limits_are_waited_out(repo: Path, slack: FakeSlack, run_cli: RunCli) -> None:
    slack.fail("conversations.history", status=429, error="ratelimited", retry_after="0", times=2)
    result = run_cli("run", "-d", str(repo))
    _ok(result)
    assert result.stderr.count("Slack rate limit on conversations.history; waiting 0 s") == 2
    forms = _history_forms(slack)
    assert forms[0] == forms[1] == forms[2]  # the same first page, asked three times
    assert activity_lines(repo) == (EXPECTED / "activities.jsonl").read_text().splitlines()


def test_missing_email_scope_warns_once_and_disables_lookups(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    slack.scopes = {"channels:history", "groups:history"}
    result = run_cli("run", "-d", str(repo))
    _ok(result)
    assert result.stderr.count("Slack e-mail lookup disabled for this run") == 1
    assert "users:read" in result.stderr
    assert len(slack.calls("users.info")) == 1
    # Khavin and Sriharsh are linked only by e-mail: their messages wait in the pending store.
    pending = sorted(p.stem for p in (repo / "slack" / "pending").glob("*.jsonl"))
    assert pending == ["U04KHAVIN", "U07NEWHIRE", "U08GUEST", "U09LEFTORG", "U0CSRIHAR"]
    assert not any("khavinshankar" in line for line in activity_lines(repo))


def test_missing_history_scope_names_the_scope(
    repo: Path, slack: FakeSlack, run_cli: RunCli
) -> None:
    slack.scopes = {"channels:history", "users:read", "users:read.email"}
    result = run_cli("run", "-d", str(repo))
    assert result.returncode == 1
    assert (
        "Slack API error: missing_scope (conversations.history, channel G01CORETEAM; "
        "the Slack app needs the groups:history scope" in result.stderr
    )
    assert activity_lines(repo) == [
        line
        for path in sorted((FIXTURES / "data" / "activities" / "contributors").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def test_validate_reports_config_problems_without_the_token(repo: Path, run_cli: RunCli) -> None:
    config = repo / "config.yaml"
    config.write_text(
        config.read_text()
        .replace("slackChannel: C05EODUPDATE", "slackChannel: '#eod-updates'")
        .replace("days: 2", "days: 0"),
        encoding="utf-8",
    )
    result = run_cli("validate", "-d", str(repo))
    assert result.returncode == 3
    out = result.stdout + result.stderr
    assert "slackChannel" in out and "use the channel id, not its name" in out
    assert "days: must be an integer ≥ 1 (got 0)" in out
    assert TOKEN not in out
    assert NOW  # the run is pinned; nothing here depends on the wall clock
