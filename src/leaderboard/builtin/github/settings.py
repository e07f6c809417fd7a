"""The GitHub plugin's configuration (ECO-37, NEW-27, NEW-30): parsing with messages that name the key.

Problems are reported by `setup` (the plugin fails; other plugins and phases go on), not by config
validation, so one mistyped key never stops a whole nightly run. Token values never appear in a
message: a wrong-typed token key is described by its type only.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from leaderboard.plugins.api import minus_days

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_DAYS = 7
MAX_CONCURRENCY = 5

# Every key the plugin understands (ECO-37 plus NEW-27/NEW-30); anything else gets a warning.
KNOWN_KEYS: tuple[str, ...] = (
    "githubOrg",
    "githubOrgs",
    "githubToken",
    "githubTokens",
    "defaultRole",
    "botRole",
    "blacklist",
    "activityDefinition",
    "days",
    "scrapeDays",
    "since",
    "repositories",
    "excludeRepositories",
    "apiUrl",
    "graphqlUrl",
    "concurrency",
    "resume",
    "progressFiles",
    "dataDir",
    "maxRateLimitWait",
    "failOnPartial",
    "discussions",
)
TOKEN_KEYS = ("githubToken", "githubTokens")
DEFINITION_KEYS = ("disabled", "points", "icon", "name", "description")
COMMIT_POINT_KEYS = ("pointsOnDefaultBranch", "pointsOnNonDefaultBranch")


class SettingsError(ValueError):
    """Every problem of the plugin config, one `<key>: <message>` per entry."""

    def __init__(self, plugin_id: str, problems: list[str]) -> None:
        self.problems = problems
        prefix = f"leaderboard.plugins.{plugin_id}.config."
        super().__init__("; ".join(prefix + p if ":" in p.split(" ")[0] else p for p in problems))


@dataclass(frozen=True)
class GithubSettings:
    orgs: tuple[str, ...]
    tokens: tuple[str, ...] = field(repr=False)
    since: datetime
    default_role: str = "contributor"
    bot_role: str = "bot"
    blacklist: frozenset[str] = frozenset()
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    repositories: tuple[str, ...] | None = None
    exclude: frozenset[str] = frozenset()
    api_url: str = DEFAULT_API_URL
    graphql_url: str = DEFAULT_API_URL + "/graphql"
    concurrency: int = MAX_CONCURRENCY
    resume: bool = True
    progress_files: bool = True
    data_dir: str | None = None
    max_rate_limit_wait: float = 3600.0
    fail_on_partial: bool = False
    discussions: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def since_text(self) -> str:
        """The window start as GitHub wants it in requests: `YYYY-MM-DDTHH:MM:SSZ`."""
        return format_since(self.since)

    def disabled(self, slug: str) -> bool:
        return bool((self.overrides.get(slug) or {}).get("disabled"))

    def commit_points(self, on_default_branch: bool) -> int:
        o = self.overrides.get("commited") or {}
        if on_default_branch:
            return int(o.get("pointsOnDefaultBranch", 2))
        return int(o.get("pointsOnNonDefaultBranch", 0))


def format_since(when: datetime) -> str:
    from datetime import UTC

    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str, tz: tzinfo) -> datetime:
    """A date (00:00 in tz) or a timestamp (naive → in tz); raises ValueError."""
    text = text.strip()
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=tz)
    value = datetime.fromisoformat(text.replace("z", "Z"))
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list | tuple) else "a mapping"
    )


def _string_list(key: str, value: Any, problems: list[str], *, secret: bool = False) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    shown = f"got {_type_name(value)}" if secret else f"got {value!r}"
    problems.append(f"{key}: must be a list of strings ({shown})")
    return []


def _bool(config: Mapping[str, Any], key: str, default: bool, problems: list[str]) -> bool:
    value = config.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    problems.append(f"{key}: must be true or false (got {value!r})")
    return default


def _url(config: Mapping[str, Any], key: str, default: str, problems: list[str]) -> str:
    value = config.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        problems.append(f"{key}: must be an http(s) URL (got {value!r})")
        return default
    return value.rstrip("/")


def unknown_key_warnings(config: Mapping[str, Any]) -> list[str]:
    """`<key>: unknown option …` for keys the plugin does not know, with a suggestion."""
    out: list[str] = []
    for key in config:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        out.append(f"{key}: unknown option of the GitHub plugin{hint}; ignored")
    return out


def _definitions(value: Any, problems: list[str]) -> dict[str, dict[str, Any]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"activityDefinition: must be a mapping of slug to options (got {value!r})")
        return {}
    out: dict[str, dict[str, Any]] = {}
    for slug, options in value.items():
        where = f"activityDefinition.{slug}"
        if not isinstance(options, Mapping):
            problems.append(f"{where}: must be a mapping (got {options!r})")
            continue
        allowed = DEFINITION_KEYS + (COMMIT_POINT_KEYS if slug == "commited" else ())
        for key, item in options.items():
            if key not in allowed:
                problems.append(f"{where}.{key}: unknown option (known: {', '.join(allowed)})")
            elif key == "disabled" and not isinstance(item, bool):
                problems.append(f"{where}.disabled: must be true or false (got {item!r})")
            elif key in ("points", *COMMIT_POINT_KEYS) and item is not None and not _is_int(item):
                problems.append(f"{where}.{key}: must be an integer (got {item!r})")
            elif key in ("icon", "name", "description") and not (
                item is None or isinstance(item, str)
            ):
                problems.append(f"{where}.{key}: must be a string (got {item!r})")
        out[str(slug)] = dict(options)
    return out


def parse(
    config: Mapping[str, Any] | None,
    *,
    plugin_id: str,
    now: datetime,
    tz: tzinfo,
    env: Mapping[str, str] | None = None,
) -> GithubSettings:
    """Validated settings; raises `SettingsError` naming every bad key (ECO-37)."""
    config = dict(config or {})
    env = os.environ if env is None else env
    problems: list[str] = []

    orgs: list[str] = []
    org = config.get("githubOrg")
    if org is not None and not isinstance(org, str):
        problems.append(f"githubOrg: must be a string (got {org!r})")
    elif isinstance(org, str) and org.strip():
        orgs.append(org.strip())
    for extra in _string_list("githubOrgs", config.get("githubOrgs"), problems):
        if extra.strip() and extra.strip() not in orgs:
            orgs.append(extra.strip())

    tokens: list[str] = []
    single = config.get("githubToken")
    if single is not None and not isinstance(single, str):
        problems.append(f"githubToken: must be a string (got {_type_name(single)})")
    pool = _string_list("githubTokens", config.get("githubTokens"), problems, secret=True)
    for token in ([single] if isinstance(single, str) else []) + pool:
        token = token.strip()
        if token and token not in tokens:
            tokens.append(token)

    def role(key: str, default: str) -> str:
        value = config.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: must be a non-empty string (got {value!r})")
            return default
        return value

    default_role = role("defaultRole", "contributor")
    bot_role = role("botRole", "bot")
    blacklist = frozenset(
        b.lower() for b in _string_list("blacklist", config.get("blacklist"), problems)
    )
    overrides = _definitions(config.get("activityDefinition"), problems)

    days_key = "days" if "days" in config else "scrapeDays"
    days_value: Any = config.get(days_key)
    days = DEFAULT_DAYS
    if days_value is None and env.get("SCRAPE_DAYS"):
        days_key, days_value = "SCRAPE_DAYS (environment)", env["SCRAPE_DAYS"].strip()
        days_value = int(days_value) if days_value.isdigit() else days_value
    if days_value is not None:
        if _is_int(days_value) and days_value >= 1:
            days = days_value
        else:
            problems.append(f"{days_key}: must be an integer ≥ 1 (got {days_value!r})")
    since = minus_days(now, days, tz)
    since_value = config.get("since")
    if since_value is not None:
        if isinstance(since_value, datetime | date):
            since_value = since_value.isoformat()
        try:
            since = parse_instant(str(since_value), tz) if isinstance(since_value, str) else None  # type: ignore[assignment]
        except ValueError:
            since = None  # type: ignore[assignment]
        if since is None:
            problems.append(
                f"since: must be a date (YYYY-MM-DD) or a timestamp such as "
                f"2024-01-01T00:00:00Z (got {since_value!r})"
            )
            since = minus_days(now, days, tz)

    repositories_value = config.get("repositories")
    repositories = (
        None
        if repositories_value is None
        else tuple(_string_list("repositories", repositories_value, problems))
    )
    exclude = frozenset(
        _string_list("excludeRepositories", config.get("excludeRepositories"), problems)
    )
    api_url = _url(config, "apiUrl", DEFAULT_API_URL, problems)
    graphql_url = _url(config, "graphqlUrl", api_url + "/graphql", problems)

    concurrency = MAX_CONCURRENCY
    value = config.get("concurrency")
    if value is not None:
        if _is_int(value) and 1 <= value <= MAX_CONCURRENCY:
            concurrency = value
        else:
            problems.append(
                f"concurrency: must be an integer from 1 to {MAX_CONCURRENCY} (got {value!r})"
            )

    max_wait = 3600.0
    value = config.get("maxRateLimitWait")
    if value is not None:
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            max_wait = float(value)
        else:
            problems.append(f"maxRateLimitWait: must be a number of seconds ≥ 0 (got {value!r})")

    data_dir = config.get("dataDir")
    if data_dir is not None and (not isinstance(data_dir, str) or not data_dir.strip()):
        problems.append(f"dataDir: must be a path (got {data_dir!r})")
        data_dir = None

    resume = _bool(config, "resume", True, problems)
    progress_files = _bool(config, "progressFiles", True, problems)
    fail_on_partial = _bool(config, "failOnPartial", False, problems)
    discussions = _bool(config, "discussions", False, problems)

    if problems:
        raise SettingsError(plugin_id, problems)
    if not orgs:
        raise SettingsError(plugin_id, ["'githubOrg' is not set in the plugin config"])
    if not tokens:
        raise SettingsError(
            plugin_id, ["'githubToken' or 'githubTokens' must be set in the plugin config"]
        )
    return GithubSettings(
        orgs=tuple(orgs),
        tokens=tuple(tokens),
        since=since,
        default_role=default_role,
        bot_role=bot_role,
        blacklist=blacklist,
        overrides=overrides,
        repositories=repositories,
        exclude=exclude,
        api_url=api_url,
        graphql_url=graphql_url,
        concurrency=concurrency,
        resume=resume,
        progress_files=progress_files,
        data_dir=data_dir,
        max_rate_limit_wait=max_wait,
        fail_on_partial=fail_on_partial,
        discussions=discussions,
        warnings=tuple(unknown_key_warnings(config)),
    )
