"""The git plugin's configuration (ECO-55): shapes checked by `config_schema`, values by `parse`.

`config_schema` only checks types (a config error stops the run before anything is written);
whether each path is a git work tree is checked by `setup`, which fails only this plugin
(ECO-55), so a moved checkout never stops the other sources.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path, PurePath
from typing import Any

from leaderboard.timeutil import minus_days, parse_timestamp

OVERRIDE_KEYS = ("disabled", "points", "icon", "name", "description")
DEFINITION_SLUGS = ("git_commit", "git_coauthor")


@dataclass(frozen=True)
class RepoSpec:
    """One configured repository: where it is, what it is called, which refs to read."""

    path: Path
    name: str
    refs: tuple[str, ...]
    url: str | None
    key: str  # the config entry as written, for messages


@dataclass(frozen=True)
class GitSettings:
    repositories: tuple[RepoSpec, ...]
    since: datetime | None
    include_merges: bool
    co_authors: bool
    create_contributors: bool
    default_role: str
    overrides: dict[str, dict[str, Any]]

    def disabled(self, slug: str) -> bool:
        return bool(self.overrides.get(slug, {}).get("disabled"))

    def fingerprint(self, repo: RepoSpec, raw_since: Any) -> str:
        """What a repository's remembered read position depends on: change any of these and the
        next run reads the repository again from the start (upserts make that harmless)."""
        basis = {
            "name": repo.name,
            "url": repo.url,
            "since": raw_since,
            "merges": self.include_merges,
            "coauthors": self.co_authors,
            "create": self.create_contributors,
            "role": self.default_role,
            "disabled": sorted(s for s in DEFINITION_SLUGS if self.disabled(s)),
        }
        text = json.dumps(basis, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entry_problems(i: int, entry: Any) -> list[str]:
    where = f"repositories[{i}]"
    if isinstance(entry, str):
        return [] if entry.strip() else [f"{where}: must be a non-empty path"]
    if not isinstance(entry, dict):
        return [f"{where}: must be a path or a mapping with 'path' (got {entry!r})"]
    problems: list[str] = []
    unknown = sorted(set(entry) - {"path", "name", "refs", "url"})
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: path, name, refs, url)"
        )
    path = entry.get("path")
    if not isinstance(path, str) or not path.strip():
        problems.append(f"{where}.path: must be a non-empty string (got {path!r})")
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        problems.append(f"{where}.name: must be a non-empty string (got {name!r})")
    refs = entry.get("refs")
    if refs is not None and (
        not isinstance(refs, list)
        or not refs
        or not all(isinstance(r, str) and r.strip() for r in refs)
    ):
        problems.append(f"{where}.refs: must be a non-empty list of ref names (got {refs!r})")
    url = entry.get("url")
    if url is not None and not isinstance(url, str):
        problems.append(f"{where}.url: must be a URL template string (got {url!r})")
    return problems


def config_problems(config: dict[str, Any] | None) -> list[str]:
    """`config_schema` (CORE-21): `key.path: message` strings; [] when valid."""
    raw = dict(config or {})
    problems: list[str] = []
    repos = raw.get("repositories")
    if not isinstance(repos, list) or not repos:
        problems.append(
            f"repositories: must be a non-empty list of paths or {{path, name?, refs?, url?}} "
            f"(got {repos!r})"
        )
    else:
        for i, entry in enumerate(repos):
            problems.extend(_entry_problems(i, entry))
        names = [spec_name(e) for e in repos if _entry_problems(0, e) == []]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(
                f"repositories: two repositories are named {', '.join(duplicates)}; give one a "
                "distinct 'name' (it is part of every activity slug)"
            )
    since = raw.get("since")
    if since is not None:
        try:
            parse_timestamp(str(since), _utc())
        except ValueError:
            problems.append(f"since: must be a date or timestamp (got {since!r})")
    days = raw.get("days")
    if days is not None and (not _is_int(days) or days < 1):
        problems.append(f"days: must be a positive integer (got {days!r})")
    for key in ("includeMerges", "coAuthors", "createContributors"):
        if key in raw and not isinstance(raw[key], bool):
            problems.append(f"{key}: must be true or false (got {raw[key]!r})")
    role = raw.get("defaultRole")
    if role is not None and (not isinstance(role, str) or not role.strip()):
        problems.append(f"defaultRole: must be a non-empty string (got {role!r})")
    overrides = raw.get("activityDefinition")
    if overrides is not None:
        if not isinstance(overrides, dict):
            problems.append(f"activityDefinition: must be a mapping (got {overrides!r})")
        else:
            for slug, value in overrides.items():
                if slug not in DEFINITION_SLUGS:
                    problems.append(
                        f"activityDefinition.{slug}: unknown definition (known: "
                        f"{', '.join(DEFINITION_SLUGS)})"
                    )
                elif not isinstance(value, dict) or set(value) - set(OVERRIDE_KEYS):
                    problems.append(
                        f"activityDefinition.{slug}: must be a mapping of "
                        f"{', '.join(OVERRIDE_KEYS)} (got {value!r})"
                    )
    return problems


def _utc() -> tzinfo:
    from datetime import UTC

    return UTC


def spec_name(entry: Any) -> str:
    """The repository name: `name`, else the directory name of `path`."""
    if isinstance(entry, dict):
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            return str(entry["name"]).strip()
        entry = entry.get("path", "")
    parts = PurePath(str(entry).rstrip("/\\")).parts
    name = parts[-1] if parts else str(entry)
    return name[:-4] if name.endswith(".git") and len(name) > 4 else name


def parse(config: dict[str, Any], *, data_dir: Path, now: datetime, tz: tzinfo) -> GitSettings:
    """Settings with defaults applied; assumes `config_problems` found nothing."""
    repos: list[RepoSpec] = []
    for entry in config.get("repositories") or []:
        item = entry if isinstance(entry, dict) else {"path": entry}
        path = Path(str(item["path"])).expanduser()
        refs = tuple(str(r).strip() for r in (item.get("refs") or ["HEAD"]))
        repos.append(
            RepoSpec(
                path=path if path.is_absolute() else data_dir / path,
                name=spec_name(item),
                refs=refs,
                url=item.get("url"),
                key=str(item["path"]),
            )
        )
    since: datetime | None = None
    if config.get("since") is not None:
        since = parse_timestamp(str(config["since"]), tz).instant
    elif config.get("days") is not None:
        since = minus_days(now, int(config["days"]), tz)
    overrides = config.get("activityDefinition") or {}
    return GitSettings(
        repositories=tuple(repos),
        since=since,
        include_merges=bool(config.get("includeMerges", False)),
        co_authors=bool(config.get("coAuthors", True)),
        create_contributors=bool(config.get("createContributors", False)),
        default_role=str(config.get("defaultRole") or "contributor"),
        overrides={str(k): dict(v) for k, v in overrides.items() if isinstance(v, dict)},
    )
