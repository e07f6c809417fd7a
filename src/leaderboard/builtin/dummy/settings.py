"""The dummy plugin's configuration (ECO-34): defaults, merging, and `config_schema`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULTS: dict[str, Any] = {
    "contributors": {
        "count": 50,
        "minActivitiesPerContributor": 5,
        "maxActivitiesPerContributor": 100,
    },
    "activities": {"daysBack": 90, "seed": 42},
    "organization": {
        "name": "Example Org",
        "repoNames": ["main-app", "docs", "api", "cli", "website"],
    },
    "avatars": "dicebear",
}

AVATAR_MODES = ("dicebear", "none")


@dataclass(frozen=True)
class DummySettings:
    count: int
    min_activities: int
    max_activities: int
    days_back: int
    seed: int
    org_name: str
    repo_names: tuple[str, ...]
    avatars: str


def merged(config: dict[str, Any] | None) -> dict[str, Any]:
    """Each section merged key by key over the defaults (ECO-34)."""
    config = dict(config or {})
    out: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        given = config.get(key)
        if isinstance(default, dict):
            out[key] = {**default, **(given if isinstance(given, dict) else {})}
        else:
            out[key] = default if given is None else given
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def config_problems(config: dict[str, Any] | None) -> list[str]:
    """`config_schema` (CORE-21): problems as `key.path: message` strings; [] when valid."""
    problems: list[str] = []
    raw = dict(config or {})
    for section in ("contributors", "activities", "organization"):
        if section in raw and raw[section] is not None and not isinstance(raw[section], dict):
            problems.append(f"{section}: must be a mapping (got {raw[section]!r})")
    m = merged(raw)
    c, a, o = m["contributors"], m["activities"], m["organization"]
    for key in ("count", "minActivitiesPerContributor", "maxActivitiesPerContributor"):
        if not _is_int(c[key]) or c[key] < (1 if key == "count" else 0):
            lowest = "a positive integer" if key == "count" else "an integer ≥ 0"
            problems.append(f"contributors.{key}: must be {lowest} (got {c[key]!r})")
    lo, hi = c["minActivitiesPerContributor"], c["maxActivitiesPerContributor"]
    if _is_int(lo) and _is_int(hi) and lo > hi:
        problems.append(
            f"contributors.minActivitiesPerContributor: must not exceed "
            f"maxActivitiesPerContributor ({lo} > {hi})"
        )
    if not _is_int(a["daysBack"]) or a["daysBack"] < 1:
        problems.append(f"activities.daysBack: must be a positive integer (got {a['daysBack']!r})")
    if not _is_int(a["seed"]):
        problems.append(f"activities.seed: must be an integer (got {a['seed']!r})")
    if not isinstance(o["name"], str) or not o["name"].strip():
        problems.append(f"organization.name: must be a non-empty string (got {o['name']!r})")
    repos = o["repoNames"]
    if not isinstance(repos, list) or not repos or not all(isinstance(r, str) and r for r in repos):
        problems.append(
            f"organization.repoNames: must be a non-empty list of repository names (got {repos!r})"
        )
    if m["avatars"] not in AVATAR_MODES:
        problems.append(f"avatars: must be one of dicebear, none (got {m['avatars']!r})")
    return problems


def parse(config: dict[str, Any] | None) -> DummySettings:
    """Validated settings; raises ValueError listing every problem."""
    problems = config_problems(config)
    if problems:
        raise ValueError("invalid dummy plugin config: " + "; ".join(problems))
    m = merged(config)
    c, a, o = m["contributors"], m["activities"], m["organization"]
    return DummySettings(
        count=c["count"],
        min_activities=c["minActivitiesPerContributor"],
        max_activities=c["maxActivitiesPerContributor"],
        days_back=a["daysBack"],
        seed=a["seed"],
        org_name=o["name"],
        repo_names=tuple(o["repoNames"]),
        avatars=m["avatars"],
    )
