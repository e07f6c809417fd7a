"""Messages → queue rows, and queue → `eod_update` activities (ECO-53).

One activity per contributor and calendar day (in the configured time zone): the day's messages
newest first, joined by a blank line. A day inside the fetch window was fetched completely, so
its text *replaces* the stored one (edits and deletions in Slack show up); an older day can only
come from the pending store, so its texts are *appended* to what is stored, skipping texts that
are already there. Rows leave the queue only after their activity was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from leaderboard.builtin.slack import mrkdwn
from leaderboard.builtin.slack.queue import Queued, message_id, ts_timestamp
from leaderboard.plugins.api import local_date
from leaderboard.plugins.context import PluginContext

DEFINITION = "eod_update"
TITLE = "EOD Update"
KEPT_SUBTYPES = frozenset({"thread_broadcast", "file_share"})
# Slackbot posts reminders as a user, not as a bot; they are never anybody's update.
SLACKBOT = "USLACKBOT"


@dataclass
class FetchStats:
    kept: int = 0
    skipped: int = 0
    without_user: list[str] = field(default_factory=list)  # ts of messages that lack `user`


def keep(message: dict[str, Any], min_length: int) -> bool:
    """ECO-53 filter: a person's message (no bot, no system subtype) with enough text."""
    if message.get("type") != "message" or message.get("bot_id"):
        return False
    subtype = message.get("subtype")
    if subtype and subtype not in KEPT_SUBTYPES:
        return False
    user = message.get("user")
    if not isinstance(user, str) or not user.strip() or user.strip().upper() == SLACKBOT:
        return False
    text = message.get("text")
    return isinstance(text, str) and len(text.strip()) > min_length


def lacks_user(message: dict[str, Any]) -> bool:
    """A message that would be an EOD update but names no author (worth a warning)."""
    subtype = message.get("subtype")
    return (
        message.get("type") == "message"
        and not message.get("bot_id")
        and (not subtype or subtype in KEPT_SUBTYPES)
        and not (isinstance(message.get("user"), str) and message["user"].strip())
    )


def to_rows(
    messages: list[dict[str, Any]],
    *,
    min_length: int,
    mention: Callable[[str], str | None],
    stats: FetchStats,
) -> list[Queued]:
    """The kept messages of one page as queue rows (text converted to sanitised HTML)."""
    rows: list[Queued] = []
    for message in messages:
        ts = message.get("ts")
        if lacks_user(message):
            stats.without_user.append(str(ts))
        if not keep(message, min_length) or not isinstance(ts, str):
            stats.skipped += 1
            continue
        try:
            ident, stamp = message_id(ts), ts_timestamp(ts)
        except ValueError:
            stats.skipped += 1
            continue
        user = str(message["user"]).strip().upper()
        rows.append(Queued(ident, user, stamp, mrkdwn.convert(message["text"], mention)))
        stats.kept += 1
    return rows


@dataclass
class IngestStats:
    processed: int = 0
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    unmatched: dict[str, int] = field(default_factory=dict)  # slack id → messages waiting
    done_ids: list[int] = field(default_factory=list)


def _activity(
    ctx: PluginContext,
    username: str,
    day: date,
    rows: list[Queued],
    window_start: date,
) -> tuple[dict[str, Any], bool]:
    """The activity for one (contributor, day) and whether it differs from the stored one."""
    slug = f"{DEFINITION}_{day.isoformat()}_{username}"
    newest_first = sorted(rows, key=lambda r: r.id, reverse=True)
    latest = max(r.timestamp for r in rows)
    existing = ctx.queries.activities.get(ctx.db, slug)
    if existing is None:
        activity: dict[str, Any] = {
            "slug": slug,
            "contributor": username,
            "activity_definition": DEFINITION,
            "title": TITLE,
            "occurred_at": latest,
            "link": None,
            "text": "\n\n".join(r.text for r in newest_first),
            "points": None,
            "meta": None,
        }
        return activity, True
    # The stored row as a record: unknown keys of the data file (`extra`) are kept too.
    extra = existing.get("extra")
    activity = {
        **(extra if isinstance(extra, dict) else {}),
        **{k: existing.get(k) for k in ctx.queries.normalize.ACTIVITY_KEYS},
    }
    old_text = existing.get("text") or ""
    if day >= window_start:
        text = "\n\n".join(r.text for r in newest_first)
        occurred = latest
    else:
        fresh = [r.text for r in newest_first if r.text not in old_text]
        text = (
            "\n\n".join([old_text, *fresh])
            if old_text and fresh
            else old_text or "\n\n".join(fresh)
        )
        occurred = max(latest, str(existing.get("occurred_at") or ""))
    changed = text != activity["text"] or occurred != activity["occurred_at"]
    activity["text"] = text
    activity["occurred_at"] = occurred
    return activity, changed


def ingest(
    ctx: PluginContext,
    queued: list[Queued],
    owners: dict[str, str | None],
    window_start: date,
) -> IngestStats:
    """Write the activities of every attributed user; unattributed rows stay queued."""
    stats = IngestStats()
    by_user: dict[str, list[Queued]] = {}
    for row in queued:
        by_user.setdefault(row.user_id, []).append(row)
    for user_id in sorted(by_user):
        rows = by_user[user_id]
        username = owners.get(user_id)
        if username is None:
            ctx.identities.report_unresolved("slack", user_id, hint="Slack user")
            stats.unmatched[user_id] = len(rows)
            continue
        by_day: dict[date, list[Queued]] = {}
        for row in rows:
            by_day.setdefault(local_date(row.timestamp, ctx.tz), []).append(row)
        for day in sorted(by_day):
            day_rows = by_day[day]
            activity, changed = _activity(ctx, username, day, day_rows, window_start)
            try:
                if changed:
                    ctx.queries.activities.upsert(ctx.db, activity, tz=ctx.tz)
            except Exception as exc:  # one bad activity must not cost the others (rows stay queued)
                stats.failed += 1
                ctx.logger.error(f"Could not write {activity['slug']}: {exc}")
                continue
            stats.written += int(changed)
            stats.unchanged += int(not changed)
            stats.processed += len(day_rows)
            stats.done_ids.extend(r.id for r in day_rows)
    return stats
