"""`${{ env.NAME }}` substitution in config values, and masking of what it substituted (CORE-14).

Substitution runs on the parsed tree, after YAML loading and before validation, so a substituted
`"5"` stays a string and a value can never inject YAML structure. The substituted values are
returned as secrets: validation messages, logs and `doctor` replace them with `***`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# The data dir is a location, not a secret: masking it would only make messages unreadable.
NOT_SECRET = frozenset({"LEADERBOARD_DATA_DIR"})

_ABSENT = object()


@dataclass(frozen=True)
class Unset:
    """A placeholder naming an unset variable; `path` is where it was (for its line)."""

    name: str
    path: tuple[str | int, ...]


@dataclass
class Substitution:
    """The substituted tree, the values that came from the environment, and the unset names."""

    value: Any
    secrets: frozenset[str] = frozenset()
    unset: list[Unset] = field(default_factory=list)


def substitute(tree: Any, env: Mapping[str, str]) -> Substitution:
    """Replace placeholders in every string value of mappings and sequences (keys untouched).

    A value that is exactly one placeholder of an unset variable makes its key absent (a `None`
    item in a sequence); an unset placeholder inside a longer string becomes `""`.
    """
    secrets: set[str] = set()
    unset: list[Unset] = []

    def one(value: str, path: tuple[str | int, ...]) -> Any:
        whole = PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) not in env:
            unset.append(Unset(whole.group(1), path))
            return _ABSENT

        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                unset.append(Unset(name, path))
                return ""
            found = env[name]
            if found and name not in NOT_SECRET:
                secrets.add(found)
            return found

        return PLACEHOLDER.sub(repl, value)

    def walk(node: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for k, v in node.items():
                new = walk(v, (*path, k))
                if new is not _ABSENT:
                    out[k] = new
            return out
        if isinstance(node, list):
            items = [walk(v, (*path, i)) for i, v in enumerate(node)]
            return [None if v is _ABSENT else v for v in items]
        if isinstance(node, str) and path:
            return one(node, path)
        return node

    return Substitution(walk(tree, ()), frozenset(secrets), unset)


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value in `text` with `***` (longest first, so overlaps mask fully)."""
    for secret in sorted({s for s in secrets if s}, key=lambda s: (-len(s), s)):
        text = text.replace(secret, "***")
    return text
