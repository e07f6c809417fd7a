"""The queue of EOD messages waiting for attribution (ECO-51, ECO-53) and its pending store.

Messages are queued as soon as they are fetched and leave the queue only once they became (part
of) an activity, so a Slack user who is not linked to a contributor yet loses nothing: the
messages wait in the working DB, and — with `persistPending` or an existing `slack/pending/`
directory — in the data repository as `slack/pending/<user id>.jsonl`, which the next setup
loads again (also on a machine whose working DB is new).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from leaderboard.plugins.api import canonical
from leaderboard.plugins.context import PluginContext

TABLE = "slack_anonymous_eod_update"
PENDING_DIR = "slack/pending"
SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, "
    "timestamp TEXT NOT NULL, text TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_timestamp ON {TABLE}(timestamp)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_user_id ON {TABLE}(user_id)",
)
_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,9}))?$")
_USER_FILE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@dataclass(frozen=True, slots=True)
class Queued:
    id: int
    user_id: str
    timestamp: str
    text: str

    def as_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "user_id": self.user_id,
                "timestamp": self.timestamp,
                "text": self.text,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


def message_id(ts: str) -> int:
    """Milliseconds of a Slack `ts`: integer part × 1000 + the first three fractional digits."""
    m = _TS.match(ts)
    if not m:
        raise ValueError(f"not a Slack ts: {ts!r}")
    return int(m.group(1)) * 1000 + int((m.group(2) or "").ljust(3, "0")[:3])


def ts_timestamp(ts: str) -> str:
    """The canonical timestamp (millisecond precision) of a Slack `ts`."""
    ms = message_id(ts)
    return canonical(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms))


def create(ctx: PluginContext) -> None:
    """ECO-51: the queue table and its two indexes, each statement on its own."""
    for statement in SCHEMA:
        ctx.db.execute(statement)


def upsert(ctx: PluginContext, rows: list[Queued]) -> None:
    """Insert or refresh queued messages (an edited message replaces its text)."""
    ctx.db.executemany(
        f"INSERT INTO {TABLE}(id, user_id, timestamp, text) VALUES(?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, "
        "timestamp = excluded.timestamp, text = excluded.text "
        "WHERE user_id != excluded.user_id OR timestamp != excluded.timestamp "
        "OR text != excluded.text",
        [(r.id, r.user_id, r.timestamp, r.text) for r in rows],
    )


def all_rows(ctx: PluginContext) -> list[Queued]:
    rows = ctx.db.query(f"SELECT id, user_id, timestamp, text FROM {TABLE} ORDER BY id")
    return [
        Queued(int(r["id"]), str(r["user_id"]), str(r["timestamp"]), str(r["text"])) for r in rows
    ]


def delete(ctx: PluginContext, ids: list[int]) -> None:
    ctx.db.executemany(f"DELETE FROM {TABLE} WHERE id = ?", [(i,) for i in ids])


# -- the pending store in the data repository ---------------------------------------------------


class PendingFileError(ValueError):
    """Problems in `slack/pending/*.jsonl`, each as `path:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:5]) + (
            f"; … {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        super().__init__(f"invalid pending Slack messages (nothing was loaded): {shown}")


def pending_dir(ctx: PluginContext) -> Path:
    return ctx.data_dir / PENDING_DIR


def _parse_line(rel: str, number: int, line: str, problems: list[str]) -> Queued | None:
    where = f"{rel}:{number}"
    try:
        value: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        problems.append(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})")
        return None
    if not isinstance(value, dict):
        problems.append(f"{where}: expected an object with id, user_id, timestamp, text")
        return None
    missing = [k for k in ("id", "user_id", "timestamp", "text") if k not in value]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
        return None
    ident, user, stamp, text = value["id"], value["user_id"], value["timestamp"], value["text"]
    if not isinstance(ident, int) or isinstance(ident, bool) or ident <= 0:
        problems.append(f"{where}: id must be a positive integer (milliseconds), got {ident!r}")
    elif not isinstance(user, str) or not _USER_FILE.match(user):
        problems.append(f"{where}: user_id must be a Slack user id, got {user!r}")
    elif not isinstance(stamp, str) or not _CANONICAL.match(stamp):
        problems.append(
            f"{where}: timestamp must be canonical (YYYY-MM-DDTHH:MM:SS.sssZ), got {stamp!r}"
        )
    elif not isinstance(text, str):
        problems.append(f"{where}: text must be a string")
    else:
        return Queued(ident, user, stamp, text)
    return None


def load_pending(ctx: PluginContext) -> list[Queued]:
    """Every line of `slack/pending/*.jsonl`; PendingFileError lists all problems (file:line)."""
    folder = pending_dir(ctx)
    if not folder.is_dir():
        return []
    rows: list[Queued] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.jsonl")):
        rel = path.relative_to(ctx.data_dir).as_posix()
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{rel}: cannot be read ({exc})")
            continue
        for number, line in enumerate(content.splitlines(), start=1):
            if line.strip():
                row = _parse_line(rel, number, line, problems)
                if row is not None:
                    rows.append(row)
    if problems:
        raise PendingFileError(problems)
    return rows


def write_pending(ctx: PluginContext, remaining: list[Queued]) -> tuple[int, int]:
    """`slack/pending/<user id>.jsonl` per user still queued (lines by id); files of users with
    nothing pending are deleted. Returns (files written, files deleted)."""
    by_user: dict[str, list[Queued]] = {}
    for row in remaining:
        by_user.setdefault(row.user_id, []).append(row)
    written = 0
    for user, rows in sorted(by_user.items()):
        if not _USER_FILE.match(user):
            ctx.logger.error(
                f"Slack user id {user!r} cannot be a file name; its messages stay in the queue only"
            )
            continue
        text = "".join(r.as_json() + "\n" for r in sorted(rows, key=lambda r: r.id))
        if ctx.write_file(f"{PENDING_DIR}/{user}.jsonl", text):
            written += 1
    deleted = 0
    folder = pending_dir(ctx)
    if folder.is_dir():
        for path in sorted(folder.glob("*.jsonl")):
            if path.stem not in by_user and path.is_file() and not path.is_symlink():
                path.unlink()
                deleted += 1
    return written, deleted
