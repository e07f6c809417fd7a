"""Contributor profiles: `contributors/<username>.md` with YAML front matter (CORE-41, CORE-42).

`parse_profile` turns a file into the DB row (or problems); `render_profile` writes a row back in
the CORE-42 style. Parsing is also what export uses to decide that an existing file already says
the same thing (semantic no-change), so hand formatting and comments survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from leaderboard.datarepo.snapshot import Row
from leaderboard.datarepo.values import describe, encode_json, encode_optional, parse_column
from leaderboard.datarepo.yamlstyle import dump_mapping
from leaderboard.problems import Problem
from leaderboard.timeutil import date_text, local_date, parse_date, parse_timestamp
from leaderboard.usernames import ascii_lower, username_problem
from leaderboard.yaml12 import YamlError, load

KNOWN_KEYS = (
    "name",
    "role",
    "title",
    "avatar_url",
    "social_profiles",
    "joining_date",
    "meta",
    "visibility",
    "pseudonym",
    "bot",
    "identities",
)
VISIBILITIES = ("public", "pseudonymous", "hidden")
NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass
class ParsedProfile:
    """A parsed profile: the row (None when unusable), problems, and lines of the keys."""

    row: Row | None
    problems: list[Problem] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)


_CLOSING = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[str, str] | tuple[None, str]:
    """(yaml, body) or (None, error code) — front matter is between `---` and `---`/`...`."""
    # Searched, not split into lines: a 50 MB hostile profile must not become a million strings.
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    if first.rstrip() != "---":
        return None, "front-matter-missing"
    start = len(text) if end < 0 else end + 1
    close = _CLOSING.search(text, start)
    if close is None:
        return None, "front-matter-unterminated"
    return text[start : close.start()] or "\n", text[close.end() + 1 :]


def _json_compatible(value: Any) -> bool:
    try:
        encode_json(value)
    except ValueError:
        return False
    return True


def parse_profile(
    path: str, username: str, text: str, *, tz: tzinfo, default_role: str | None
) -> ParsedProfile:
    """Parse one profile file (text already decoded, `\\n` line ends)."""
    result = ParsedProfile(None)
    problems = result.problems

    def error(line: int | None, code: str, message: str, column: int | None = None) -> None:
        problems.append(Problem(path, line, column, "error", code, message))

    def warning(line: int | None, code: str, message: str) -> None:
        problems.append(Problem(path, line, None, "warning", code, message))

    yaml_text, body = split_front_matter(text)
    if yaml_text is None:
        if body == "front-matter-missing":
            error(1, body, "missing front matter: the file must start with a line '---'")
        else:
            error(1, body, "unterminated front matter: add a closing line '---'")
        return result
    try:
        loaded = load(yaml_text, line_offset=1)  # the front matter starts on line 2
    except YamlError as exc:
        error(exc.line or 1, exc.code or "yaml-syntax", exc.message, exc.column)
        return result
    data = loaded.value if loaded.value is not None else {}
    if not isinstance(data, dict):
        error(2, "not-a-mapping", f"front matter must be a mapping (got {describe(data)})")
        return result
    lines = {k: (loaded.line_of((k,)) or 0) + 1 for k in data}
    result.key_lines = lines
    ok = True

    def bad(key: str, code: str, message: str) -> None:
        nonlocal ok
        ok = False
        error(lines.get(key, 2), code, message)

    def text_field(key: str) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            bad(key, "wrong-type", f"{key} must be a string (got {describe(value)}); quote it")
            return None
        return value

    name = text_field("name")
    title = text_field("title")
    avatar_url = text_field("avatar_url")
    role = data.get("role")
    if role is None:
        if default_role:
            role = default_role
        else:
            ok = False
            error(
                lines.get("role", 2),
                "missing-key",
                "missing required key 'role' (or set leaderboard.default_role)",
            )
    elif not isinstance(role, str) or role == "":
        bad(
            "role",
            "wrong-type",
            f"role must be a non-empty string (got {describe(role)}); quote it",
        )

    social = data.get("social_profiles")
    if social is not None and not (
        isinstance(social, dict) and all(isinstance(v, str) for v in social.values())
    ):
        bad(
            "social_profiles",
            "wrong-type",
            "social_profiles must be a mapping of platform to URL string",
        )

    joining = data.get("joining_date")
    joining_text: str | None = None
    if joining is not None:
        if not isinstance(joining, str):
            bad(
                "joining_date",
                "wrong-type",
                f"joining_date must be a date YYYY-MM-DD (got {describe(joining)}); quote it",
            )
        else:
            try:
                joining_text = date_text(parse_date(joining))
            except ValueError:
                try:
                    parsed = parse_timestamp(joining, tz)
                except ValueError:
                    bad(
                        "joining_date",
                        "invalid-date",
                        f"joining_date must be a date YYYY-MM-DD (got {joining!r})",
                    )
                else:
                    joining_text = date_text(local_date(parsed.instant, tz))
                    warning(
                        lines["joining_date"],
                        "joining-date-reduced",
                        "joining_date reduced to a date",
                    )

    visibility = data.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        bad(
            "visibility",
            "invalid-visibility",
            f"visibility must be one of public, pseudonymous, hidden (got {describe(visibility)})",
        )

    pseudonym = data.get("pseudonym")
    if pseudonym is not None:
        reason = username_problem(pseudonym) if isinstance(pseudonym, str) else "must be a string"
        if reason:
            bad("pseudonym", "invalid-pseudonym", f"pseudonym is not a valid username: {reason}")

    bot = data.get("bot")
    if bot is not None and not isinstance(bot, bool):
        bad("bot", "wrong-type", f"bot must be true or false (got {describe(bot)})")

    identities = data.get("identities")
    if identities is not None:
        message = identities_problem(identities)
        if message:
            bad("identities", "invalid-identities", message)

    extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
    if "username" in extra and (
        not isinstance(extra["username"], str)
        or ascii_lower(extra["username"]) != ascii_lower(username)
    ):
        warning(
            lines["username"],
            "username-mismatch",
            f"front-matter username '{extra['username']}' ignored; the file name decides",
        )

    for key in ("meta", "social_profiles", "identities", *extra):
        if key in data and not _json_compatible(data[key]):
            bad(key, "invalid-value", f"{key} contains a value JSON cannot hold (NaN or infinity)")
    if not ok:
        return result
    bio = body.strip() or None
    result.row = (
        username,
        name,
        role,
        title,
        avatar_url,
        bio,
        encode_optional(social),
        joining_text,
        encode_optional(data.get("meta")),
        visibility,
        pseudonym,
        None if bot is None else int(bot),
        encode_optional(identities),
        encode_json(extra) if extra else None,
    )
    return result


def identities_problem(value: Any) -> str | None:
    """Why an `identities` value is invalid (NEW-01), or None."""
    if not isinstance(value, dict):
        return f"identities must be a mapping of namespace to account(s) (got {describe(value)})"
    for ns, accounts in value.items():
        if not NAMESPACE.match(ns):
            return f"identities namespace '{ns}' must match ^[a-z][a-z0-9_-]*$"
        items = accounts if isinstance(accounts, list) else [accounts]
        for item in items:
            if not isinstance(item, str) or not item.strip():
                return f"identities.{ns} must be a non-empty string or a list of them (got {describe(item)})"
    return None


def row_to_mapping(row: Row) -> dict[str, Any]:
    """The front-matter mapping of a row, in CORE-42 key order, NULL columns omitted."""
    (
        _,
        name,
        role,
        title,
        avatar_url,
        _bio,
        social,
        joining,
        meta,
        visibility,
        pseudonym,
        bot,
        identities,
        extra,
    ) = row
    out: dict[str, Any] = {}
    for key, value in (
        ("name", name),
        ("role", role),
        ("title", title),
        ("avatar_url", avatar_url),
        ("social_profiles", parse_column(social)),
        ("joining_date", joining),
        ("meta", parse_column(meta)),
        ("visibility", visibility),
        ("pseudonym", pseudonym),
        ("bot", None if bot is None else bool(bot)),
        ("identities", parse_column(identities)),
    ):
        if value is not None:
            out[key] = value
    if extra is not None:
        for key, value in parse_column(extra).items():
            if key not in out:
                out[key] = value
    return out


def render_profile(row: Row) -> str:
    """`---\\n` + YAML + `---\\n` + bio + `\\n` (CORE-42)."""
    bio = row[5] or ""
    return "---\n" + dump_mapping(row_to_mapping(row)) + "---\n" + bio + "\n"
