"""The Slack plugin's configuration (ECO-51): keys, defaults and `config_schema`.

Upstream configs only ever set `slackApiToken` and `slackChannel`; every other key is ours and
optional. Unknown keys are ignored (an upstream config may carry keys its JS plugin read), but
every known key is checked, and all problems are reported at once as `key: message`.

The token and channel are usually `${{ env.… }}` placeholders, and an unset variable makes the key
absent. `validate` already warns about the unset variable, and must pass in CI jobs that have no
secrets (pull requests from forks), so a *missing* token or channel is reported when the plugin
runs (`'slackApiToken' is not set in the plugin config`, as upstream's plugin said), while a
*wrong* value is a validation error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Every key the plugin reads (docs/plugins/slack.md documents each one).
KEYS = (
    "slackApiToken",
    "slackChannel",
    "slackChannels",
    "apiUrl",
    "days",
    "minLength",
    "persistPending",
    "resolveByEmail",
)
DEFAULT_API_URL = "https://slack.com/api"
DEFAULT_DAYS = 1
DEFAULT_MIN_LENGTH = 5

# Conversation ids: C… public, G… private (legacy), D… direct messages; upper-case letters/digits.
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


@dataclass(frozen=True)
class SlackSettings:
    token: str
    channels: tuple[str, ...]
    api_url: str
    days: int
    min_length: int
    persist_pending: bool
    resolve_by_email: bool


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _channel_problem(key: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{key}: must be a Slack channel id such as C05EODUPDATE (got {value!r})"
    if not CHANNEL_ID.match(value.strip()):
        hint = " — use the channel id, not its name" if value.strip().startswith("#") else ""
        return (
            f"{key}: {value!r} is not a Slack channel id (expected C…, G… or D… followed by "
            f"upper-case letters and digits{hint})"
        )
    return None


def config_problems(config: dict[str, Any] | None) -> list[str]:
    """`config_schema` (CORE-21): every problem as `key: message`; [] when valid."""
    raw = dict(config or {})
    problems: list[str] = []
    token = raw.get("slackApiToken")
    if token is not None and not isinstance(token, str):
        problems.append("slackApiToken: must be a string (a bot token, xoxb-…)")
    channel = raw.get("slackChannel")
    channels = raw.get("slackChannels")
    if channels is not None:
        if not isinstance(channels, list) or not channels:
            problems.append("slackChannels: must be a non-empty list of channel ids")
        else:
            for i, value in enumerate(channels):
                problem = _channel_problem(f"slackChannels[{i}]", value)
                if problem:
                    problems.append(problem)
    if channel is not None and not (isinstance(channel, str) and not channel.strip()):
        problem = _channel_problem("slackChannel", channel)
        if problem:
            problems.append(problem)
    api_url = raw.get("apiUrl", DEFAULT_API_URL)
    if not isinstance(api_url, str) or not re.match(r"^https?://[^\s/]+", api_url):
        problems.append(f"apiUrl: must be an http(s) URL (got {api_url!r})")
    days = raw.get("days", DEFAULT_DAYS)
    if not _is_int(days) or days < 1:
        problems.append(f"days: must be an integer ≥ 1 (got {days!r})")
    min_length = raw.get("minLength", DEFAULT_MIN_LENGTH)
    if not _is_int(min_length) or min_length < 0:
        problems.append(f"minLength: must be an integer ≥ 0 (got {min_length!r})")
    for key in ("persistPending", "resolveByEmail"):
        if key in raw and not isinstance(raw[key], bool):
            problems.append(f"{key}: must be true or false (got {raw[key]!r})")
    return problems


def missing(config: dict[str, Any] | None) -> list[str]:
    """The required keys that are absent or empty (ECO-51 messages)."""
    raw = dict(config or {})
    out = []
    token = raw.get("slackApiToken")
    if token is None or (isinstance(token, str) and not token.strip()):
        out.append("'slackApiToken' is not set in the plugin config")
    channel = raw.get("slackChannel")
    if (channel is None or (isinstance(channel, str) and not channel.strip())) and not raw.get(
        "slackChannels"
    ):
        out.append("'slackChannel' is not set in the plugin config")
    return out


def parse(config: dict[str, Any] | None) -> SlackSettings:
    """Validated settings; raises ValueError listing every problem (never the token itself)."""
    absent = missing(config)
    if absent:
        raise ValueError("; ".join(absent))
    problems = config_problems(config)
    if problems:
        raise ValueError("invalid slack plugin config: " + "; ".join(problems))
    raw = dict(config or {})
    listed: list[str] = []
    for value in [raw.get("slackChannel"), *(raw.get("slackChannels") or [])]:
        if isinstance(value, str) and value.strip() and value.strip() not in listed:
            listed.append(value.strip())
    return SlackSettings(
        token=str(raw["slackApiToken"]).strip(),
        channels=tuple(listed),
        api_url=str(raw.get("apiUrl", DEFAULT_API_URL)).rstrip("/"),
        days=int(raw.get("days", DEFAULT_DAYS)),
        min_length=int(raw.get("minLength", DEFAULT_MIN_LENGTH)),
        persist_pending=bool(raw.get("persistPending", False)),
        resolve_by_email=bool(raw.get("resolveByEmail", False)),
    )
