"""The validation toolkit shared by every config section: typed getters that record issues.

Config validation reports every problem in one pass (CORE-15), so nothing here raises: each getter
returns the value when it has the expected type and otherwise records an `Issue` (path, severity,
code, message) and returns `None`. Paths are tuples of mapping keys and sequence indices; they are
rendered as `leaderboard.badges.rules[1].streak_type` and mapped to `config.yaml` lines by the
caller, which keeps this module independent of files (the badge engine reuses it for plugin rules).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from leaderboard.config.env import mask

PathKey = tuple[str | int, ...]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem at one path; `at` is the node whose line to report (defaults to `path`)."""

    path: PathKey
    severity: Severity
    code: str
    message: str
    at: PathKey | None = None
    bare: bool = False  # the message is complete without the `<path>: ` prefix

    def text(self, prefix: str = "") -> str:
        """`<path>: <message>`, the form every config problem is printed in (CORE-15)."""
        if self.bare:
            return self.message
        return f"{render_path(self.path, prefix)}: {self.message}"


def render_path(path: PathKey, prefix: str = "") -> str:
    """`("leaderboard", "rules", 1, "x")` → `leaderboard.rules[1].x`; the root is `(root)`."""
    out = prefix
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def describe(value: Any, secrets: Iterable[str] = ()) -> str:
    """How a value is named in messages: `'hourly'`, `5`, `null`, `a list` (secrets masked)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return repr(mask(value, secrets))
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


@dataclass
class Checker:
    """Collects issues; `secrets` are masked wherever a value is quoted in a message."""

    secrets: frozenset[str] = frozenset()
    issues: list[Issue] = field(default_factory=list)

    # -- recording -------------------------------------------------------------------------
    def error(self, path: PathKey, code: str, message: str, at: PathKey | None = None) -> None:
        self.issues.append(Issue(path, "error", code, message, at))

    def warning(self, path: PathKey, code: str, message: str, at: PathKey | None = None) -> None:
        self.issues.append(Issue(path, "warning", code, message, at))

    def got(self, value: Any) -> str:
        return describe(value, self.secrets)

    def wrong_type(self, path: PathKey, expected: str, value: Any) -> None:
        if is_nan(value):
            return  # reported once by the .nan pass
        self.error(path, "wrong-type", f"must be {expected} (got {self.got(value)})")

    def missing(self, path: PathKey, what: str = "") -> None:
        suffix = f" ({what})" if what else ""
        self.error(path, "missing-key", f"is required{suffix}", at=path[:-1])

    # -- structure -------------------------------------------------------------------------
    def mapping(self, value: Any, path: PathKey) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.wrong_type(path, "a mapping", value)
        return None

    def unknown_keys(self, m: Mapping[str, Any], path: PathKey, allowed: Iterable[str]) -> None:
        known = list(dict.fromkeys(allowed))
        for key in m:
            if key not in known:
                self.warning(
                    path,
                    "unknown-config-key",
                    f"unknown key '{key}'{did_you_mean(key, known)}",
                    at=(*path, key),
                )

    def section(
        self, parent: Mapping[str, Any], path: PathKey, key: str, allowed: Iterable[str]
    ) -> dict[str, Any]:
        """An optional sub-mapping (absent or null → `{}`), with unknown-key warnings."""
        value = parent.get(key)
        if value is None:
            return {}
        m = self.mapping(value, (*path, key))
        if m is None:
            return {}
        self.unknown_keys(m, (*path, key), allowed)
        return m

    # -- scalars (absent and null both mean "not given" for optional keys) -----------------
    def string(
        self,
        m: Mapping[str, Any],
        path: PathKey,
        key: str,
        *,
        required: bool = False,
        nonempty: bool = False,
        what: str = "",
    ) -> str | None:
        p = (*path, key)
        if key not in m or (m[key] is None and not required):
            if required:
                self.missing(p, what)
            return None
        value = m[key]
        if not isinstance(value, str):
            self.wrong_type(p, "a non-empty string" if nonempty else "a string", value)
            return None
        if nonempty and not value.strip():
            self.error(p, "invalid-value", "must not be empty")
            return None
        return value

    def boolean(self, m: Mapping[str, Any], path: PathKey, key: str) -> bool | None:
        value = m.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.wrong_type((*path, key), "true or false", value)
            return None
        return value

    def integer(
        self, m: Mapping[str, Any], path: PathKey, key: str, *, minimum: int | None = None
    ) -> int | None:
        value = m.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong_type((*path, key), "an integer", value)
            return None
        if minimum is not None and value < minimum:
            self.error((*path, key), "invalid-value", f"must be ≥ {minimum} (got {value})")
            return None
        return value

    def number(
        self, m: Mapping[str, Any], path: PathKey, key: str, *, required: bool = False
    ) -> float | int | None:
        p = (*path, key)
        if m.get(key) is None:
            if required:
                self.missing(p, "a number")
            return None
        value = m[key]
        if not is_number(value):
            self.wrong_type(p, "a number", value)
            return None
        if is_nan(value):
            return None
        return value

    def choice(
        self,
        m: Mapping[str, Any],
        path: PathKey,
        key: str,
        allowed: tuple[str, ...],
        *,
        required: bool = False,
    ) -> str | None:
        p = (*path, key)
        if m.get(key) is None:
            if required:
                self.missing(p, "one of " + ", ".join(allowed))
            return None
        value = m[key]
        if value not in allowed or not isinstance(value, str):
            self.error(
                p, "invalid-value", f"must be one of {', '.join(allowed)} (got {self.got(value)})"
            )
            return None
        return value

    def string_list(self, m: Mapping[str, Any], path: PathKey, key: str) -> list[str] | None:
        p = (*path, key)
        value = m.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.wrong_type(p, "a list of strings", value)
            return None
        out: list[str] = []
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.wrong_type((*p, i), "a string", item)
                ok = False
            else:
                out.append(item)
        return out if ok else None


def did_you_mean(key: Any, known: Iterable[str]) -> str:
    """` (did you mean 'timezone'?)` for a near miss such as `timezon`, else empty."""
    import difflib

    if not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    if not close:
        lowered = {k.lower(): k for k in known}
        close = [lowered[key.lower()]] if key.lower() in lowered else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def nan_issues(value: Any, path: PathKey = ()) -> list[Issue]:
    """Every `.nan` in a tree, free-form maps included (CORE-13: rejected everywhere)."""
    if is_nan(value):
        return [Issue(path, "error", "invalid-value", "must be a number, not .nan")]
    found: list[Issue] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(nan_issues(v, (*path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(nan_issues(v, (*path, i)))
    return found
