"""ECO-51, ECO-53, NEW-26 in process: config, queue table, filter, pending store, attribution
rules and the e-mail cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_e2e import TOKEN

from leaderboard.builtin.slack import plugin
from leaderboard.builtin.slack.ingest import keep
from leaderboard.builtin.slack.queue import message_id, ts_timestamp
from leaderboard.builtin.slack.settings import config_problems, missing, parse
from leaderboard.config.loader import load_config
from leaderboard.config.plugin_schema import check_plugin_config
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.hooks import HookResult, run_hook
from leaderboard.plugins.loader import upsert_static_definitions
from leaderboard.testing import make_context
from leaderboard.testing.slack_server import FakeSlack

NOW = "2024-04-10T15:00:00Z"
UPSTREAM = Path(__file__).parents[2] / "config" / "fixtures" / "upstream"


class _Loaded:
    id = "slack"
    index = 0
    plugin = plugin


# -- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "problems"),
    [
        ({"slackApiToken": "xoxb-1", "slackChannel": "C05EODUPDATE"}, []),
        ({"slackApiToken": "xoxb-1", "slackChannels": ["C05EODUPDATE", "G01CORETEAM"]}, []),
        ({}, []),  # absent keys are reported when the plugin runs (env placeholders, CI)
        (
            {"slackApiToken": 5, "slackChannel": "C05EODUPDATE"},
            ["slackApiToken: must be a string (a bot token, xoxb-…)"],
        ),
        (
            {"slackChannel": "#eod-updates"},
            [
                "slackChannel: '#eod-updates' is not a Slack channel id (expected C…, G… or D… followed by upper-case letters and digits — use the channel id, not its name)"
            ],
        ),
        ({"slackChannels": []}, ["slackChannels: must be a non-empty list of channel ids"]),
        (
            {"slackChannels": ["C05EODUPDATE", 7]},
            ["slackChannels[1]: must be a Slack channel id such as C05EODUPDATE (got 7)"],
        ),
        ({"apiUrl": "slack.com/api"}, ["apiUrl: must be an http(s) URL (got 'slack.com/api')"]),
        ({"days": 0}, ["days: must be an integer ≥ 1 (got 0)"]),
        ({"days": True}, ["days: must be an integer ≥ 1 (got True)"]),
        ({"minLength": -1}, ["minLength: must be an integer ≥ 0 (got -1)"]),
        ({"persistPending": "yes"}, ["persistPending: must be true or false (got 'yes')"]),
        ({"resolveByEmail": 1}, ["resolveByEmail: must be true or false (got 1)"]),
        ({"someUpstreamKey": "kept", "slackChannel": "C05EODUPDATE"}, []),
    ],
)
def test_config_schema(config: dict[str, Any], problems: list[str]) -> None:
    assert config_problems(config) == problems


def test_missing_token_and_channel_fail_setup_with_the_upstream_messages() -> None:
    assert missing({}) == [
        "'slackApiToken' is not set in the plugin config",
        "'slackChannel' is not set in the plugin config",
    ]
    assert missing({"slackApiToken": "t", "slackChannels": ["C05EODUPDATE"]}) == []
    ctx = make_context("slack", {"slackChannel": "C05EODUPDATE"}, now=NOW)
    result = run_hook(ctx.db, _Loaded(), "setup", ctx)
    assert result.status == "failed"
    assert result.error == "'slackApiToken' is not set in the plugin config"


def test_defaults_and_channel_merging() -> None:
    settings = parse(
        {
            "slackApiToken": " xoxb-1 ",
            "slackChannel": "C05EODUPDATE",
            "slackChannels": ["G01CORETEAM", "C05EODUPDATE"],
        }
    )
    assert settings.channels == ("C05EODUPDATE", "G01CORETEAM")
    assert (settings.api_url, settings.days, settings.min_length) == ("https://slack.com/api", 1, 5)
    assert (settings.persist_pending, settings.resolve_by_email) == (False, False)
    assert settings.token == "xoxb-1"


@pytest.mark.parametrize(
    "env", [{}, {"SLACK_API_TOKEN": "xoxb-ci", "SLACK_CHANNEL": "C05EODUPDATE"}]
)
def test_upstream_fixture_config_validates_against_the_slack_schema(env: dict[str, str]) -> None:
    """CORE-23: upstream's `@ohcnetwork/leaderboard-slack-plugin` entry maps to this plugin and its
    config passes `config_schema`, with or without the secrets in the environment."""
    result = load_config(UPSTREAM, env={"GITHUB_TOKEN": "t", **env})
    assert result.config is not None
    assert result.sources["slack"].target == "slack"
    entry = result.config.leaderboard.plugins["slack"]
    assert (
        check_plugin_config("slack", plugin, entry.config, line=entry.line, as_warning=False) == []
    )
    if env:
        assert parse(entry.config).channels == ("C05EODUPDATE",)


# -- queue ---------------------------------------------------------------------------------------


def test_setup_creates_the_queue_table_and_indexes() -> None:
    ctx = make_context("slack", {"slackApiToken": TOKEN, "slackChannel": "C05EODUPDATE"}, now=NOW)
    assert run_hook(ctx.db, _Loaded(), "setup", ctx).status == "ok"
    columns = ctx.db.query("PRAGMA table_info(slack_anonymous_eod_update)")
    assert [(c["name"], c["type"], c["notnull"], c["pk"]) for c in columns] == [
        ("id", "INTEGER", 0, 1),
        ("user_id", "TEXT", 1, 0),
        ("timestamp", "TEXT", 1, 0),
        ("text", "TEXT", 1, 0),
    ]
    indexes = ctx.db.query("PRAGMA index_list(slack_anonymous_eod_update)")
    indexed = sorted(ctx.db.query(f"PRAGMA index_info({i['name']})")[0]["name"] for i in indexes)
    assert indexed == ["timestamp", "user_id"]
    assert run_hook(ctx.db, _Loaded(), "setup", ctx).status == "ok"  # idempotent


@pytest.mark.parametrize(
    ("ts", "ident", "stamp"),
    [
        ("1712361600.000000", 1712361600000, "2024-04-06T00:00:00.000Z"),
        ("1712361600.123456", 1712361600123, "2024-04-06T00:00:00.123Z"),
        ("1712361600.999999", 1712361600999, "2024-04-06T00:00:00.999Z"),
        ("1712361600.5", 1712361600500, "2024-04-06T00:00:00.500Z"),
        ("1712361600", 1712361600000, "2024-04-06T00:00:00.000Z"),
    ],
)
def test_message_ids_are_milliseconds_of_ts(ts: str, ident: int, stamp: str) -> None:
    assert message_id(ts) == ident
    assert ts_timestamp(ts) == stamp


@pytest.mark.parametrize("bad", ["", "abc", "1712361600.", "-1.0", "1.2.3"])
def test_bad_ts_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        message_id(bad)


M = {"type": "message", "user": "U02VIGNESH", "text": "EOD: shipped it", "ts": "1712361600.000100"}


@pytest.mark.parametrize(
    ("change", "kept"),
    [
        ({}, True),
        ({"subtype": "thread_broadcast"}, True),
        ({"subtype": "file_share"}, True),
        ({"subtype": "channel_join"}, False),
        ({"subtype": "channel_leave"}, False),
        ({"subtype": "bot_message"}, False),
        ({"subtype": "me_message"}, False),
        ({"bot_id": "B01GITHUB"}, False),
        ({"type": "event"}, False),
        ({"user": None}, False),
        ({"user": ""}, False),
        ({"user": "USLACKBOT"}, False),
        ({"text": "done!"}, False),  # 5 characters: must be strictly longer than minLength
        ({"text": "  done!!  "}, True),  # trimmed: 6
        ({"text": None}, False),
    ],
)
def test_message_filter(change: dict[str, Any], kept: bool) -> None:
    assert keep({**M, **change}, 5) is kept


# -- pending store -------------------------------------------------------------------------------


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_pending_file_fails_setup_naming_file_and_line_and_loads_nothing(
    tmp_path: Path,
) -> None:
    good = '{"id":1711627200000,"user_id":"U03RITHVIK","timestamp":"2024-03-28T12:00:00.000Z","text":"ok"}\n'
    bad = _write(
        tmp_path,
        "slack/pending/U09LEFTORG.jsonl",
        good.replace("U03RITHVIK", "U09LEFTORG")
        + "{not json\n"
        + '{"id":"1","user_id":"U09LEFTORG","timestamp":"2024-03-28T12:00:00.000Z","text":"x"}\n'
        + '{"id":5,"user_id":"U09LEFTORG","timestamp":"yesterday","text":"x"}\n',
    )
    _write(tmp_path, "slack/pending/U03RITHVIK.jsonl", good)
    before = bad.read_bytes()
    ctx = make_context(
        "slack",
        {"slackApiToken": TOKEN, "slackChannel": "C05EODUPDATE"},
        now=NOW,
        data_dir=tmp_path,
    )
    result = run_hook(ctx.db, _Loaded(), "setup", ctx)
    assert result.status == "failed"
    assert result.error is not None
    assert "slack/pending/U09LEFTORG.jsonl:2: invalid JSON" in result.error
    assert (
        "slack/pending/U09LEFTORG.jsonl:3: id must be a positive integer (milliseconds), got '1'"
        in result.error
    )
    assert "slack/pending/U09LEFTORG.jsonl:4: timestamp must be canonical" in result.error
    assert bad.read_bytes() == before
    assert not ctx.db.table_exists("slack_anonymous_eod_update")  # rolled back: nothing half-loaded


# -- attribution ---------------------------------------------------------------------------------


def _contributor(ctx: PluginContext, username: str, **identities: Any) -> None:
    from leaderboard.plugins.identity_index import index_contributor
    from leaderboard.plugins.records import insert_contributor, normalise_contributor

    row = normalise_contributor(
        {"username": username, "role": "core", "identities": identities or None}
    )
    insert_contributor(ctx.db, row)
    index_contributor(ctx.db, username, row["identities"], "github")


def _setup_ctx(slack: FakeSlack, data_dir: Path, **config: Any) -> PluginContext:
    ctx = make_context(
        "slack",
        {
            "slackApiToken": TOKEN,
            "slackChannel": "C05EODUPDATE",
            "apiUrl": slack.api_url,
            "days": 1,
            **config,
        },
        now=NOW,
        tz="Asia/Kolkata",
        transport=httpx.HTTPTransport(),
        data_dir=data_dir,
    )
    upsert_static_definitions(ctx.db, ctx_config(ctx), [_Loaded()])
    return ctx


def ctx_config(ctx: PluginContext) -> Any:
    from leaderboard.testing import make_config

    return make_config(plugin_id="slack", config=ctx.config, tz="Asia/Kolkata")


def _scrape(ctx: PluginContext) -> HookResult:
    assert run_hook(ctx.db, _Loaded(), "setup", ctx).status == "ok"
    return run_hook(ctx.db, _Loaded(), "scrape", ctx)


def _message(ts: str, user: str, text: str) -> dict[str, Any]:
    return {"type": "message", "user": user, "ts": ts, "text": text}


def test_window_days_replace_and_older_days_append(fake_slack: Any, tmp_path: Path) -> None:
    # 2024-04-09 and -10 are inside days=1; 2024-03-28 only comes from the pending store.
    workspace = {
        "channels": {
            "C05EODUPDATE": {
                "messages": [
                    _message("1712658600.000100", "U03RITHVIK", "EOD: second version of the day"),
                    _message("1712640000.000200", "U03RITHVIK", "EOD: morning notes here"),
                ]
            }
        }
    }
    slack = fake_slack(workspace, token=TOKEN)
    _write(
        tmp_path,
        "slack/pending/U03RITHVIK.jsonl",
        '{"id":1711627200000,"user_id":"U03RITHVIK","timestamp":"2024-03-28T12:00:00.000Z","text":"Fixed the login loop"}\n'
        '{"id":1711639800000,"user_id":"U03RITHVIK","timestamp":"2024-03-28T15:30:00.000Z","text":"Wrote OTP tests"}\n',
    )
    ctx = _setup_ctx(slack, tmp_path)
    _contributor(ctx, "rithviknishad", slack=["U03RITHVIK"])
    acts = ctx.queries.activities
    acts.upsert(
        ctx.db,
        {
            "slug": "eod_update_2024-04-09_rithviknishad",
            "contributor": "rithviknishad",
            "activity_definition": "eod_update",
            "title": "EOD Update",
            "occurred_at": "2024-04-09T09:00:00.000Z",
            "link": None,
            "text": "stale text deleted in Slack",
            "points": 4,
            "meta": {"kept": True},
            "team": "care-frontend",  # an unknown key of the data file
        },
        tz=ctx.tz,
    )
    acts.upsert(
        ctx.db,
        {
            "slug": "eod_update_2024-03-28_rithviknishad",
            "contributor": "rithviknishad",
            "activity_definition": "eod_update",
            "title": "EOD Update",
            "occurred_at": "2024-03-28T16:00:00.000Z",
            "link": None,
            "text": "Fixed the login loop",
            "points": None,
            "meta": None,
        },
        tz=ctx.tz,
    )
    result = _scrape(ctx)
    assert result.status == "ok", result.error
    today = acts.get(ctx.db, "eod_update_2024-04-09_rithviknishad")
    assert today is not None
    assert today["text"] == "EOD: second version of the day\n\nEOD: morning notes here"
    assert today["occurred_at"] == "2024-04-09T10:30:00.000Z"
    assert (today["points"], today["meta"]) == (4, {"kept": True})  # edits in the data repo stay
    assert today["extra"] == {"team": "care-frontend"}
    older = acts.get(ctx.db, "eod_update_2024-03-28_rithviknishad")
    assert older is not None
    assert older["text"] == "Fixed the login loop\n\nWrote OTP tests"
    assert older["occurred_at"] == "2024-03-28T16:00:00.000Z"  # the later of the two
    assert ctx.db.query("SELECT * FROM slack_anonymous_eod_update") == []
    assert not (tmp_path / "slack/pending/U03RITHVIK.jsonl").exists()


def test_unmatched_users_stay_queued_and_persist_pending_writes_them(
    fake_slack: Any, tmp_path: Path
) -> None:
    slack = fake_slack(
        {
            "channels": {
                "C05EODUPDATE": {
                    "messages": [
                        _message("1712658600.000100", "U07NEWHIRE", "EOD: onboarding done")
                    ]
                }
            }
        },
        token=TOKEN,
    )
    ctx = _setup_ctx(slack, tmp_path, persistPending=True)
    assert _scrape(ctx).status == "ok"
    assert [
        r["user_id"] for r in ctx.db.query("SELECT user_id FROM slack_anonymous_eod_update")
    ] == ["U07NEWHIRE"]
    line = json.loads((tmp_path / "slack/pending/U07NEWHIRE.jsonl").read_text())
    assert line == {
        "id": 1712658600000,
        "user_id": "U07NEWHIRE",
        "timestamp": "2024-04-09T10:30:00.000Z",
        "text": "EOD: onboarding done",
    }
    unresolved = ctx.db.query(
        "SELECT namespace, value, plugin, hint, count FROM unresolved_identity"
    )
    assert unresolved == [
        {
            "namespace": "slack",
            "value": "U07NEWHIRE",
            "plugin": "slack",
            "hint": "Slack user",
            "count": 1,
        }
    ]


def test_without_persist_pending_no_file_is_written(fake_slack: Any, tmp_path: Path) -> None:
    slack = fake_slack(
        {
            "channels": {
                "C05EODUPDATE": {
                    "messages": [
                        _message("1712658600.000100", "U07NEWHIRE", "EOD: onboarding done")
                    ]
                }
            }
        },
        token=TOKEN,
    )
    ctx = _setup_ctx(slack, tmp_path)
    assert _scrape(ctx).status == "ok"
    assert not (tmp_path / "slack").exists()


# -- e-mail resolution (NEW-26) --------------------------------------------------------------------


def _email_workspace() -> dict[str, Any]:
    return {
        "users": {"U04KHAVIN": {"id": "U04KHAVIN", "profile": {"email": "Khavin@OHC.network"}}},
        "channels": {
            "C05EODUPDATE": {
                "messages": [_message("1712658600.000100", "U04KHAVIN", "EOD: HCX pre-auth flow")]
            }
        },
    }


def test_email_lookup_is_cached_for_thirty_days(fake_slack: Any, tmp_path: Path) -> None:
    slack = fake_slack(_email_workspace(), token=TOKEN)
    ctx = _setup_ctx(slack, tmp_path, resolveByEmail=True)
    _contributor(ctx, "khavinshankar", email=["khavin@ohc.network"])
    assert _scrape(ctx).status == "ok"
    assert ctx.queries.activities.get(ctx.db, "eod_update_2024-04-09_khavinshankar") is not None
    assert [r.form for r in slack.calls("users.info")] == [{"user": "U04KHAVIN"}]
    assert ctx.db.query("SELECT * FROM slack_user_cache") == [
        {
            "user_id": "U04KHAVIN",
            "email": "Khavin@OHC.network",
            "fetched_at": "2024-04-10T15:00:00.000Z",
        }
    ]
    # 29 days later: cached; 31 days later: asked again.
    for now, asked in (("2024-05-09T15:00:00Z", 1), ("2024-05-11T15:00:00Z", 2)):
        later = make_context(
            "slack",
            ctx.config,
            db=ctx.db,
            now=now,
            tz="Asia/Kolkata",
            transport=httpx.HTTPTransport(),
            data_dir=tmp_path,
        )
        slack.workspace["channels"]["C05EODUPDATE"]["messages"].append(
            _message(
                str(int(later.now.timestamp()) - 3600) + ".000100",
                "U04KHAVIN",
                "EOD: more HCX work",
            )
        )
        assert _scrape(later).status == "ok"
        assert len(slack.calls("users.info")) == asked


def test_missing_scope_warns_once_and_stops_lookups(
    fake_slack: Any, tmp_path: Path, caplog: Any
) -> None:
    workspace = _email_workspace()
    workspace["channels"]["C05EODUPDATE"]["messages"].append(
        _message("1712658000.000100", "U07NEWHIRE", "EOD: onboarding done")
    )
    slack = fake_slack(workspace, token=TOKEN, scopes={"channels:history"})
    ctx = _setup_ctx(slack, tmp_path, resolveByEmail=True)
    with caplog.at_level("WARNING"):
        assert _scrape(ctx).status == "ok"
    warnings = [
        r.getMessage() for r in caplog.records if "e-mail lookup disabled" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert len(slack.calls("users.info")) == 1
    assert ctx.db.query("SELECT * FROM slack_user_cache") == []  # nothing learnt, nothing cached


def test_a_failing_email_lookup_warns_and_the_messages_wait(
    fake_slack: Any, tmp_path: Path, caplog: Any
) -> None:
    slack = fake_slack(_email_workspace(), token=TOKEN)
    slack.fail("users.info", error="fatal_error")
    ctx = _setup_ctx(slack, tmp_path, resolveByEmail=True)
    _contributor(ctx, "khavinshankar", email=["khavin@ohc.network"])
    with caplog.at_level("WARNING"):
        assert _scrape(ctx).status == "ok"
    assert any(
        "Slack e-mail lookup for U04KHAVIN failed: Slack API error: fatal_error (users.info)"
        in r.getMessage()
        for r in caplog.records
    )
    assert ctx.db.query("SELECT user_id FROM slack_anonymous_eod_update") == [
        {"user_id": "U04KHAVIN"}
    ]
    assert ctx.db.query("SELECT * FROM slack_user_cache") == []  # asked again next run


def test_every_config_key_is_documented() -> None:
    from leaderboard.builtin.slack.settings import KEYS

    docs = (Path(__file__).parents[3] / "docs" / "plugins" / "slack.md").read_text()
    assert [k for k in KEYS if f"| `{k}` |" not in docs] == []
