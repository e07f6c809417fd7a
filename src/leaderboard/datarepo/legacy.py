"""Reading upstream's older data layout (ECO-59) into current-layout rows (ECO-60, ECO-61).

The legacy layout kept one pretty JSON array per contributor and source
(`data/<source>/activities/<login>.json`, key `occured_at`), the pending Slack queue as
`data/slack/eod_messages/<user id>.json`, profiles in `data/contributors/`, and — in the seed
generator's layout — definitions in a root `activity_definitions.json`. Everything here only reads
and checks: every problem is a `Problem` naming file and line, and nothing is written.
`leaderboard.migrate` decides what to write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from leaderboard.datarepo import layout
from leaderboard.datarepo.values import (
    as_points,
    describe,
    encode_json,
    encode_optional,
    iter_array,
    loads_line,
)
from leaderboard.jsonfmt import JsonError
from leaderboard.problems import Problem
from leaderboard.timeutil import canonical, parse_timestamp
from leaderboard.usernames import username_problem

LEGACY_ROOT = "data"
LEGACY_PROFILES = "data/contributors"
LEGACY_QUEUE = "data/slack/eod_messages"
SEED_DEFINITIONS = "activity_definitions.json"
PENDING_DIR = "slack/pending"
SLACKBOT = "USLACKBOT"
_KNOWN = frozenset(
    {"slug", "contributor", "activity_definition", "title", "occurred_at", "occured_at"}
    | {"link", "text", "points", "meta"}
)
MICROSECONDS_ABOVE = 10**14

# ECO-60: definitions created for slugs that legacy activities use but nothing defines.
LEGACY_DEFINITIONS: dict[str, tuple[str, str, int | None, str | None]] = {
    "comment_created": ("Commented", "Commented on an Issue/PR", 0, "message-circle"),
    "commit_created": ("Commit Created", "Pushed a commit", 0, "git-commit-horizontal"),
    "issue_assigned": ("Issue Assigned", "Got an issue assigned", 1, "user-round-check"),
    "pr_reviewed": ("PR Reviewed", "Reviewed a Pull Request", 2, "eye"),
    "issue_opened": ("Issue Opened", "Raised an Issue", 2, "circle-dot"),
    "pr_collaborated": ("PR Collaborated", "Collaborated on a Pull Request", 2, None),
    "pr_opened": ("PR Opened", "Opened a Pull Request", 1, "git-pull-request-create-arrow"),
    "pr_merged": ("PR Merged", "Merged a Pull Request", 7, "git-merge"),
    "issue_closed": ("Issue Closed", "Closed an Issue", 0, None),
    "eod_update": ("EOD Update", "Dropped an EOD Update", 2, "message-square"),
    # The targets of --modern-github-slugs, as the GitHub plugin declares them (ECO-38).
    "commented": ("Commented", "Commented on an Issue/PR", 0, "message-circle"),
    "commited": ("Commit Created", "Pushed a commit", None, "git-commit-horizontal"),
}
MODERN_GITHUB_SLUGS = {"comment_created": "commented", "commit_created": "commited"}


def definition_for(slug: str) -> tuple[str, str, int | None, str | None]:
    """(name, description, points, icon) of a definition the migration creates."""
    known = LEGACY_DEFINITIONS.get(slug)
    if known is not None:
        return known
    return (
        slug.replace("_", " ").replace("-", " ").title(),
        "Migrated from legacy data",
        None,
        None,
    )


@dataclass
class LegacyActivity:
    """One legacy activity, checked and converted to the current activity row (CORE-44)."""

    source: str
    path: str
    line: int
    slug: str
    contributor: str  # as written (or the file name); canonicalised against the DB later
    definition: str
    title: str | None
    occurred_at: str
    link: str | None
    text: str | None
    points: int | None
    meta: str | None  # compact JSON
    extra: str | None  # compact JSON of unknown keys


@dataclass
class QueueMessage:
    path: str
    line: int
    id: int
    user_id: str
    timestamp: str
    text: str

    def line_object(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "timestamp": self.timestamp,
            "text": self.text,
        }


@dataclass
class LegacyData:
    """Everything found in the legacy layout, and every problem found on the way."""

    activity_files: list[str] = field(default_factory=list)
    activities: list[LegacyActivity] = field(default_factory=list)
    queue_files: list[str] = field(default_factory=list)
    queue: list[QueueMessage] = field(default_factory=list)
    profile_files: list[str] = field(default_factory=list)
    seed_definitions: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    seed_file: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def files_read(self) -> int:
        return (
            len(self.activity_files)
            + len(self.queue_files)
            + len(self.profile_files)
            + (1 if self.seed_file else 0)
        )

    def error(self, path: str, line: int | None, code: str, message: str) -> None:
        self.problems.append(Problem(path, line, None, "error", code, message))

    def warn(self, path: str, line: int | None, code: str, message: str) -> None:
        self.problems.append(Problem(path, line, None, "warning", code, message))


def _files(data_dir: Path, rel_dir: str, suffix: str, data: LegacyData) -> list[str]:
    directory = data_dir / rel_dir
    if not directory.is_dir():
        return []
    out = []
    for name in sorted(os.listdir(directory)):
        if name.startswith(".") or not (directory / name).is_file():
            continue
        if not name.endswith(suffix):
            data.warn(f"{rel_dir}/{name}", None, "ignored-file", f"ignored file (not *{suffix})")
            continue
        out.append(f"{rel_dir}/{name}")
    return out


def _text(data_dir: Path, rel: str, data: LegacyData) -> str | None:
    text, problem = layout.read_text(data_dir, rel)
    if problem is not None:
        data.problems.append(problem)
        return None
    return text


def _elements(data_dir: Path, rel: str, data: LegacyData) -> list[tuple[Any, int]]:
    text = _text(data_dir, rel, data)
    if text is None:
        return []
    try:
        return list(iter_array(text))
    except JsonError as exc:
        message = "not a JSON array" if exc.message == "not-an-array" else exc.message
        data.problems.append(Problem(rel, exc.line, exc.column, "error", "json-syntax", message))
        return []


def _timestamp(value: Any, key: str, tz: tzinfo) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a timestamp string (got {describe(value)})")
    try:
        return canonical(parse_timestamp(value, tz).instant)
    except ValueError:
        raise ValueError(f"{key} is not a timestamp (got {value!r})") from None


def _optional_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be a string or null (got {describe(value)})")
    return value


def _activity(
    obj: Any, source: str, rel: str, line: int, login: str, tz: tzinfo, renames: dict[str, str]
) -> LegacyActivity:
    if not isinstance(obj, dict):
        raise ValueError(f"element must be an object (got {describe(obj)})")
    slug = obj.get("slug")
    if not isinstance(slug, str) or not slug:
        raise ValueError(f"slug must be a non-empty string (got {describe(slug)})")
    contributor = obj.get("contributor", login)
    if contributor is None:
        contributor = login
    if not isinstance(contributor, str) or username_problem(contributor):
        raise ValueError(
            f"contributor must be a valid username (got {describe(contributor)})"
            + (f": {username_problem(contributor)}" if isinstance(contributor, str) else "")
        )
    definition = obj.get("activity_definition")
    if not isinstance(definition, str) or not definition:
        raise ValueError(
            f"activity_definition must be a non-empty string (got {describe(definition)})"
        )
    if "occured_at" in obj and "occurred_at" in obj:
        when = _timestamp(obj["occurred_at"], "occurred_at", tz)
        if _timestamp(obj["occured_at"], "occured_at", tz) != when:
            raise ValueError("occured_at and occurred_at differ; keep one")
    elif "occured_at" in obj:
        when = _timestamp(obj["occured_at"], "occured_at", tz)
    elif "occurred_at" in obj:
        when = _timestamp(obj["occurred_at"], "occurred_at", tz)
    else:
        raise ValueError("missing required key 'occured_at'")
    try:
        points = as_points(obj.get("points"))
    except ValueError as exc:
        raise ValueError(f"points {exc}") from None
    extra = {k: v for k, v in obj.items() if k not in _KNOWN}
    new_definition = renames.get(definition, definition)
    if new_definition != definition and slug.startswith(definition + "_"):
        slug = new_definition + slug[len(definition) :]
    return LegacyActivity(
        source=source,
        path=rel,
        line=line,
        slug=slug,
        contributor=contributor,
        definition=new_definition,
        title=_optional_str(obj, "title"),
        occurred_at=when,
        link=_optional_str(obj, "link"),
        text=_optional_str(obj, "text"),
        points=points,
        meta=encode_optional(obj.get("meta")),
        extra=encode_json(extra) if extra else None,
    )


def _message(obj: Any, tz: tzinfo) -> tuple[int, str, str, str]:
    if not isinstance(obj, dict):
        raise ValueError(f"element must be an object (got {describe(obj)})")
    raw_id = obj.get("id")
    if not isinstance(raw_id, int) or isinstance(raw_id, bool) or raw_id < 0:
        raise ValueError(f"id must be a non-negative integer (got {describe(raw_id)})")
    ident = raw_id // 1000 if raw_id > MICROSECONDS_ABOVE else raw_id
    user = obj.get("user_id")
    if not isinstance(user, str) or not user.strip():
        raise ValueError(f"user_id must be a non-empty string (got {describe(user)})")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError(f"text must be a string (got {describe(text)})")
    return ident, user.strip().upper(), _timestamp(obj.get("timestamp"), "timestamp", tz), text


def read_legacy(data_dir: Path, *, tz: tzinfo, renames: dict[str, str]) -> LegacyData:
    """Every legacy input under `data_dir` (ECO-59), checked, with problems as file:line."""
    data = LegacyData()
    root = data_dir / LEGACY_ROOT
    sources = (
        sorted(
            name
            for name in os.listdir(root)
            if not name.startswith(".") and (root / name / "activities").is_dir()
        )
        if root.is_dir()
        else []
    )
    for source in sources:
        for rel in _files(data_dir, f"{LEGACY_ROOT}/{source}/activities", ".json", data):
            data.activity_files.append(rel)
            login = rel.rsplit("/", 1)[-1][: -len(".json")]
            for obj, line in _elements(data_dir, rel, data):
                try:
                    data.activities.append(_activity(obj, source, rel, line, login, tz, renames))
                except ValueError as exc:
                    data.error(rel, line, "invalid-legacy-activity", str(exc))
    for rel in _files(data_dir, LEGACY_QUEUE, ".json", data):
        data.queue_files.append(rel)
        for obj, line in _elements(data_dir, rel, data):
            try:
                ident, user, when, text = _message(obj, tz)
            except ValueError as exc:
                data.error(rel, line, "invalid-queue-message", str(exc))
                continue
            data.queue.append(QueueMessage(rel, line, ident, user, when, text))
    for rel in _files(data_dir, LEGACY_PROFILES, ".md", data):
        if rel.rsplit("/", 1)[-1].startswith("_"):
            continue  # `_sample.md`: upstream's template, never imported
        data.profile_files.append(rel)
    if (data_dir / SEED_DEFINITIONS).is_file():
        data.seed_file = SEED_DEFINITIONS
        for obj, line in _elements(data_dir, SEED_DEFINITIONS, data):
            if not isinstance(obj, dict) or not isinstance(obj.get("slug"), str):
                data.error(SEED_DEFINITIONS, line, "invalid-definition", "element needs a slug")
                continue
            data.seed_definitions.append((obj, line))
    return data


def read_pending(data_dir: Path, rel: str, data: LegacyData) -> dict[int, dict[str, Any]]:
    """An existing `slack/pending/<id>.jsonl` (ECO-53 lines), by message id."""
    out: dict[int, dict[str, Any]] = {}
    text = _text(data_dir, rel, data)
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = loads_line(line)
        except JsonError as exc:
            data.error(rel, number, "json-syntax", exc.message)
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), int):
            data.error(rel, number, "invalid-queue-message", "line needs an integer id")
            continue
        out[int(obj["id"])] = obj
    return out
