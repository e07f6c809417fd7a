"""ECO-52: the client's requests, cursors, rate limits and errors, in process against the fake
server, with `ctx.async_sleep` recorded instead of waited."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from slack_e2e import TOKEN

from leaderboard.builtin.slack import plugin, slack_seconds, window
from leaderboard.builtin.slack.client import (
    DEFAULT_RETRY_AFTER,
    RATE_LIMIT_RETRIES,
    TRANSIENT_RETRIES,
    transient_delay,
)
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.hooks import HookResult, run_hook
from leaderboard.testing import make_context
from leaderboard.testing.slack_server import FakeSlack

NOW = "2024-04-10T15:00:00Z"


class _Loaded:
    id = "slack"
    index = 0

    def __init__(self) -> None:
        self.plugin = plugin


def _context(slack: FakeSlack, sleeps: list[float], **config: Any) -> PluginContext:
    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    settings = {
        "slackApiToken": TOKEN,
        "slackChannels": ["C05EODUPDATE", "G01CORETEAM"],
        "apiUrl": slack.api_url,
        "days": 2,
        **config,
    }
    return make_context(
        "slack",
        settings,
        now=NOW,
        tz="Asia/Kolkata",
        transport=httpx.HTTPTransport(),
        async_sleep=record,
    )


def _run(ctx: PluginContext) -> HookResult:
    loaded = _Loaded()
    assert run_hook(ctx.db, loaded, "setup", ctx).status == "ok"
    return run_hook(ctx.db, loaded, "scrape", ctx)


def test_window_is_start_of_today_minus_days_in_tz_until_now() -> None:
    ctx = make_context("slack", {}, now=NOW, tz="Asia/Kolkata")
    start, end = window(ctx, 2)
    assert slack_seconds(start) == "1712514600.000000"  # 2024-04-08 00:00 IST
    assert slack_seconds(end) == "1712761200.000000"
    ctx = make_context("slack", {}, now="2024-04-10T15:00:00.123456Z", tz="UTC")
    assert slack_seconds(window(ctx, 1)[0]) == "1712620800.000000"  # 2024-04-09 00:00 UTC


def test_retry_after_is_honoured_through_ctx_async_sleep(slack: FakeSlack) -> None:
    slack.fail("conversations.history", status=429, error="ratelimited", retry_after="7", times=2)
    slack.fail("conversations.history", status=429, error="ratelimited", times=1)  # no header
    sleeps: list[float] = []
    result = _run(_context(slack, sleeps))
    assert result.status == "ok", result.error
    assert sleeps == [7.0, 7.0, DEFAULT_RETRY_AFTER]
    forms = [r.form for r in slack.calls("conversations.history")]
    assert forms[0] == forms[1] == forms[2] == forms[3]


def test_rate_limit_gives_up_after_five_retries(slack: FakeSlack) -> None:
    slack.fail("conversations.history", status=429, retry_after="1", times=RATE_LIMIT_RETRIES + 1)
    sleeps: list[float] = []
    result = _run(_context(slack, sleeps))
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith(
        "Slack API error: ratelimited (conversations.history"
    )
    assert sleeps == [1.0] * RATE_LIMIT_RETRIES
    assert len(slack.calls("conversations.history")) == RATE_LIMIT_RETRIES + 1


def test_ratelimited_in_a_200_body_is_a_rate_limit_too(slack: FakeSlack) -> None:
    slack.fail("conversations.history", status=200, error="ratelimited", retry_after="2")
    sleeps: list[float] = []
    assert _run(_context(slack, sleeps)).status == "ok"
    assert sleeps == [2.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 520, 522, 524])
def test_transient_errors_are_retried_with_backoff(slack: FakeSlack, status: int) -> None:
    slack.fail("conversations.history", status=status, body="<html>Bad gateway</html>", times=3)
    sleeps: list[float] = []
    assert _run(_context(slack, sleeps)).status == "ok"
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        ceiling = min(2**attempt, 30)
        assert ceiling / 2 <= delay <= ceiling


def test_html_with_status_200_is_transient_and_gives_up_after_four_retries(
    slack: FakeSlack,
) -> None:
    slack.fail("conversations.history", status=200, body="<html>captive portal</html>", times=9)
    sleeps: list[float] = []
    result = _run(_context(slack, sleeps))
    assert result.status == "failed"
    assert result.error == (
        "Slack API error: request_failed (conversations.history, channel C05EODUPDATE; "
        "HTTP 200 with a body that is not JSON; gave up after 4 retries)"
    )
    assert len(sleeps) == TRANSIENT_RETRIES


def test_connection_errors_are_transient() -> None:
    slack = FakeSlack({"channels": {}}).start()
    url = slack.api_url
    slack.stop()  # nothing listens on that port any more
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    ctx = make_context(
        "slack",
        {"slackApiToken": TOKEN, "slackChannel": "C05EODUPDATE", "apiUrl": url},
        now=NOW,
        transport=httpx.HTTPTransport(),
        async_sleep=record,
    )
    result = _run(ctx)
    assert result.status == "failed"
    assert result.error is not None and "ConnectError" in result.error
    assert len(sleeps) == TRANSIENT_RETRIES


def test_transient_delay_bounds() -> None:
    rng = random.Random(1)
    for attempt in range(8):
        ceiling = min(2.0**attempt, 30.0)
        assert all(ceiling / 2 <= transient_delay(attempt, rng) <= ceiling for _ in range(50))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            "channel_not_found",
            "Slack API error: channel_not_found (conversations.history, channel C05EODUPDATE)",
        ),
        (
            "missing_scope",
            "Slack API error: missing_scope (conversations.history, channel C05EODUPDATE; the Slack app needs the channels:history scope; the token has: chat:write)",
        ),
        (
            "account_inactive",
            "Slack API error: account_inactive (conversations.history, channel C05EODUPDATE)",
        ),
    ],
)
def test_ok_false_fails_the_hook_with_the_error(
    slack: FakeSlack, error: str, expected: str
) -> None:
    extra = (
        {"needed": "channels:history", "provided": "chat:write"} if error == "missing_scope" else {}
    )
    slack.fail("conversations.history", error=error, extra=extra)
    result = _run(_context(slack, []))
    assert result.status == "failed"
    assert result.error == expected


def test_offline_refuses_the_network(slack: FakeSlack) -> None:
    ctx = make_context(
        "slack",
        {"slackApiToken": TOKEN, "slackChannel": "C05EODUPDATE", "apiUrl": slack.api_url},
        now=NOW,
        offline=True,
    )
    result = _run(ctx)
    assert result.status == "failed"
    assert result.error == "network access disabled (--offline)"
    assert slack.calls() == []


def test_pagination_follows_next_cursor_until_empty(slack: FakeSlack) -> None:
    assert _run(_context(slack, [], slackChannels=["C05EODUPDATE"])).status == "ok"
    forms = [r.form for r in slack.calls("conversations.history")]
    assert [f.get("cursor") for f in forms] == [
        None,
        "bmV4dF90czo2",
        "bmV4dF90czoxMg==",
        "bmV4dF90czoxOA==",
    ]
    assert all(f["limit"] == "100" for f in forms)
