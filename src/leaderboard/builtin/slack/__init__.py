"""The Slack plugin (ECO-51…54, NEW-26): end-of-day updates posted in Slack channels.

Written against the public plugin API only, like any third-party plugin, and registered as the
entry point `slack` → `leaderboard.builtin.slack:plugin` (upstream's JavaScript sources map to it,
CORE-23). The parts: `settings` (config), `client` (HTTP), `queue` (the waiting messages and
the pending store), `people` (who wrote a message), `ingest` (messages → activities) and
`mrkdwn` (Slack formatting → sanitised HTML).

Failure rules: each channel is checkpointed once fetched, so its messages survive a later
failure; if any channel fails, nothing is attributed in that run (a day's text is *replaced*
by what was fetched, and a missing channel would shorten it) and the hook fails with
`Slack API error: <error>` — the next run picks the queue up again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from leaderboard import __version__
from leaderboard.builtin.slack import queue
from leaderboard.builtin.slack.client import SlackApiError, SlackClient
from leaderboard.builtin.slack.ingest import FetchStats, ingest, to_rows
from leaderboard.builtin.slack.people import EmailLookup, People
from leaderboard.builtin.slack.settings import SlackSettings, config_problems, parse
from leaderboard.plugins.api import ActivityDefinition, local_date, start_of_day
from leaderboard.plugins.context import PluginContext

EOD_DEFINITION = ActivityDefinition("eod_update", "EOD Update", "EOD Update", 2, "message-square")


def slack_seconds(instant: datetime) -> str:
    """Unix seconds with six decimals, exactly (no float rounding): `1712361600.000000`."""
    delta = instant - datetime(1970, 1, 1, tzinfo=UTC)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def window(ctx: PluginContext, days: int) -> tuple[datetime, datetime]:
    """Start of (today − days) in tz … now (ECO-51 `days`)."""
    today = local_date(ctx.now, ctx.tz)
    return start_of_day(today - timedelta(days=days), ctx.tz), ctx.now


class SlackPlugin:
    """`setup` creates the queue and loads the pending store; `scrape` fetches and attributes."""

    name = "slack"
    version = __version__
    activity_definitions: ClassVar[list[ActivityDefinition]] = [EOD_DEFINITION]

    @staticmethod
    def config_schema(config: dict[str, Any]) -> list[str]:
        """ECO-51 keys: token and channel required, types and ranges of the others."""
        return config_problems(config)

    def setup(self, ctx: PluginContext) -> None:
        """The queue table (ECO-51) and the messages of `slack/pending/*.jsonl` (ECO-53)."""
        parse(ctx.config)
        queue.create(ctx)
        pending = queue.load_pending(ctx)
        if pending:
            queue.upsert(ctx, pending)
            ctx.logger.info(
                f"Loaded {len(pending)} pending Slack messages from {queue.PENDING_DIR}/"
            )

    async def scrape(self, ctx: PluginContext) -> None:
        """Fetch every channel into the queue, then attribute the whole queue (ECO-52, ECO-53)."""
        settings = parse(ctx.config)
        start, end = window(ctx, settings.days)
        http = ctx.async_http(
            settings.api_url + "/",
            headers={"Authorization": f"Bearer {settings.token}"},
        )
        async with http:
            client = SlackClient(http, sleep=ctx.async_sleep, warn=ctx.logger.warning)
            lookup = EmailLookup(ctx, client) if settings.resolve_by_email else None
            people = People(ctx, lookup)
            failures = await self._fetch(ctx, client, people, settings, start, end)
            if failures:
                self._give_up(ctx, failures)
            queued = queue.all_rows(ctx)
            owners = {
                user: await people.resolve(user) for user in sorted({r.user_id for r in queued})
            }
        stats = ingest(ctx, queued, owners, local_date(start, ctx.tz))
        queue.delete(ctx, stats.done_ids)
        remaining = queue.all_rows(ctx)
        ctx.checkpoint()  # the activities are stored before any file is written (CORE-27)
        if settings.persist_pending or queue.pending_dir(ctx).is_dir():
            written, deleted = queue.write_pending(ctx, remaining)
            if written or deleted:
                ctx.logger.info(
                    f"Pending store {queue.PENDING_DIR}/: {written} file(s) written, "
                    f"{deleted} deleted"
                )
        unmatched = ", ".join(f"{u} ({n})" for u, n in sorted(stats.unmatched.items()))
        ctx.logger.info(
            f"Processed {stats.processed} messages, {stats.written} activities written "
            f"({stats.unchanged} unchanged); unmatched Slack users: {unmatched or 'none'}",
            {
                "processed": stats.processed,
                "activities": stats.written,
                "unmatched": sorted(stats.unmatched),
                "email_lookups": lookup.lookups if lookup else 0,
            },
        )
        if stats.failed:
            raise RuntimeError(
                f"{stats.failed} EOD activities could not be written; their messages stay queued"
            )

    async def _fetch(
        self,
        ctx: PluginContext,
        client: SlackClient,
        people: People,
        settings: SlackSettings,
        start: datetime,
        end: datetime,
    ) -> list[SlackApiError]:
        """Each channel into the queue, checkpointed; returns the channels' errors."""
        oldest, latest = slack_seconds(start), slack_seconds(end)
        failures: list[SlackApiError] = []
        for channel in settings.channels:
            stats = FetchStats()
            rows: list[queue.Queued] = []
            try:
                async for page in client.history(channel, oldest, latest):
                    rows.extend(
                        to_rows(
                            page, min_length=settings.min_length, mention=people.known, stats=stats
                        )
                    )
            except SlackApiError as exc:
                ctx.logger.error(str(exc), {"channel": channel})
                failures.append(exc)
                if exc.fatal:
                    break
                continue
            for ts in stats.without_user:
                ctx.logger.warning(
                    f"Slack message {ts} in channel {channel} has no user; skipped (the other "
                    "messages are processed)",
                    {"channel": channel, "ts": ts},
                )
            queue.upsert(ctx, rows)
            ctx.checkpoint()
            ctx.logger.info(
                f"Channel {channel}: {stats.kept} messages queued, {stats.skipped} skipped",
                {"channel": channel, "kept": stats.kept, "skipped": stats.skipped},
            )
        return failures

    @staticmethod
    def _give_up(ctx: PluginContext, failures: list[SlackApiError]) -> None:
        ctx.logger.error(
            "Nothing was attributed in this run: the queued messages wait for the next run"
        )
        if len(failures) == 1:
            raise failures[0]
        raise SlackApiError(
            failures[0].error,
            failures[0].method,
            detail=f"{len(failures)} channels failed: "
            + ", ".join(f"{f.channel}: {f.error}" for f in failures),
        )


plugin = SlackPlugin()

__all__ = ["EOD_DEFINITION", "SlackPlugin", "plugin", "slack_seconds", "window"]
