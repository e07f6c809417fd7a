"""`leaderboard identities` (NEW-02): who owns which account, the conflicts, and the accounts
plugins could not attribute — with paste-ready suggestions, never applied automatically.

Read-only and lock-free: profiles come from the data files (the source of truth), unresolved
accounts from the working DB's `unresolved_identity` table when a DB exists.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaderboard.config.model import Config
from leaderboard.identities import ProfileIdentities, claims_of, normalise, resolve
from leaderboard.problems import Problem

if TYPE_CHECKING:
    from leaderboard.invocation import Common

_NOREPLY = re.compile(r"^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$", re.IGNORECASE)


@dataclass
class PersonIdentities:
    username: str
    name: str | None
    explicit: list[str] = field(default_factory=list)
    implicit: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unresolved:
    namespace: str
    value: str
    plugin: str | None
    hint: str | None
    count: int
    last_seen: str | None


@dataclass(frozen=True)
class Suggestion:
    account: str
    username: str
    reason: str

    def snippet(self) -> str:
        ns, value = self.account.split(":", 1)
        return f"# contributors/{self.username}.md ({self.reason})\nidentities:\n  {ns}: [{value}]"


@dataclass
class IdentityReport:
    people: list[PersonIdentities]
    conflicts: list[Problem]
    unresolved: list[Unresolved]
    suggestions: list[Suggestion] | None = None

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.conflicts)


def read_profiles(
    data_dir: Path, config: Config
) -> tuple[list[ProfileIdentities], dict[str, str | None], list[Problem]]:
    """Identity inputs and display names of every readable profile, plus read problems."""
    from leaderboard.datarepo.reader import read_profile_for_identities

    inputs: list[ProfileIdentities] = []
    names: dict[str, str | None] = {}
    problems: list[Problem] = []
    folder = data_dir / "contributors"
    paths = sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []
    for name in paths:
        identities, display, found = read_profile_for_identities(
            data_dir, config, f"contributors/{name}"
        )
        problems.extend(p for p in found if p.is_error)
        if identities is not None:
            inputs.append(identities)
            names[identities.username] = display
    return inputs, names, problems


def read_unresolved(db_path: str) -> list[Unresolved]:
    """`unresolved_identity` by count (desc); none when there is no working DB yet."""
    if db_path == ":memory:" or not Path(db_path).is_file():
        return []
    uri = f"{Path(db_path).resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        try:
            rows = conn.execute(
                "SELECT namespace, value, plugin, hint, count, last_seen FROM unresolved_identity "
                "ORDER BY count DESC, namespace, value"
            ).fetchall()
        except sqlite3.OperationalError:
            return []
    return [Unresolved(*row) for row in rows]


def suggest(
    report: IdentityReport, owners: dict[tuple[str, str], tuple[str, bool]]
) -> list[Suggestion]:
    """NEW-02's three heuristics, in order of confidence; one suggestion per account."""
    names = {p.username.lower(): p.username for p in report.people}
    by_display = {(p.name or "").strip().lower(): p.username for p in report.people if p.name}
    out: list[Suggestion] = []
    for item in report.unresolved:
        account = f"{item.namespace}:{item.value}"
        found: tuple[str, str] | None = None
        if item.namespace in ("email", "git"):
            m = _NOREPLY.match(item.value.strip())
            if m:
                owner = owners.get(("github", normalise("github", m.group(1))))
                if owner:
                    found = (owner[0], f"GitHub no-reply address of {m.group(1)}")
            if found is None and "@" in item.value:
                local = item.value.split("@", 1)[0].lower()
                owner = owners.get(("github", normalise("github", local)))
                if local in names:
                    found = (names[local], "the address's local part is this username")
                elif owner:
                    found = (owner[0], "the address's local part is this person's GitHub login")
        if found is None and item.hint and item.hint.strip().lower() in by_display:
            found = (by_display[item.hint.strip().lower()], f"author name '{item.hint}' matches")
        if found:
            out.append(Suggestion(account, found[0], found[1]))
    return out


def build_report(
    data_dir: Path, config: Config, db_path: str, *, with_suggestions: bool
) -> tuple[IdentityReport, list[Problem]]:
    inputs, names, problems = read_profiles(data_dir, config)
    identity = config.leaderboard.identity
    resolution = resolve(inputs, identity)
    people = []
    for profile in inputs:
        person = PersonIdentities(profile.username, names.get(profile.username))
        for claim in claims_of(profile, identity):
            text = f"{claim.namespace}:{claim.value}"
            target = person.explicit if claim.explicit else person.implicit
            if text not in target:
                target.append(text)
        people.append(person)
    report = IdentityReport(people, resolution.problems, read_unresolved(db_path))
    if with_suggestions:
        report.suggestions = suggest(report, resolution.owners)
    return report, problems


def render_text(report: IdentityReport) -> str:
    lines = ["Contributors and their accounts:"]
    for person in report.people:
        label = person.username + (f" ({person.name})" if person.name else "")
        lines.append(f"  {label}")
        if person.explicit:
            lines.append(f"    explicit: {', '.join(person.explicit)}")
        if person.implicit:
            lines.append(f"    implicit: {', '.join(person.implicit)}")
    lines.append("")
    if report.conflicts:
        lines.append(f"Conflicts ({len(report.conflicts)}):")
        lines.extend(f"  {p.format()}" for p in report.conflicts)
    else:
        lines.append("Conflicts: none")
    lines.append("")
    if report.unresolved:
        lines.append(f"Unresolved accounts ({len(report.unresolved)}), most frequent first:")
        for u in report.unresolved:
            hint = f" — {u.hint}" if u.hint else ""
            lines.append(
                f"  {u.namespace}:{u.value}  ×{u.count}  from {u.plugin or '?'}, "
                f"last seen {u.last_seen or '?'}{hint}"
            )
    else:
        lines.append("Unresolved accounts: none")
    if report.suggestions is not None:
        lines.append("")
        if report.suggestions:
            lines.append("Suggestions (review, then paste into the profile's front matter):")
            for s in report.suggestions:
                lines.append("")
                lines.extend("  " + line for line in s.snippet().splitlines())
        else:
            lines.append("Suggestions: none")
    return "\n".join(lines) + "\n"


def render_json(report: IdentityReport) -> str:
    data: dict[str, Any] = {
        "contributors": [asdict(p) for p in report.people],
        "conflicts": [
            {
                "path": p.path,
                "line": p.line,
                "severity": p.severity,
                "code": p.code,
                "message": p.message,
            }
            for p in report.conflicts
        ],
        "unresolved": [asdict(u) for u in report.unresolved],
    }
    if report.suggestions is not None:
        data["suggestions"] = [asdict(s) | {"snippet": s.snippet()} for s in report.suggestions]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def identities_command(common: Common, *, fmt: str, with_suggestions: bool) -> int:
    """Exit 0; 1 when data cannot be read or an account is claimed explicitly twice (an error
    that `validate` and `run` refuse as well), so scripts notice."""
    import sys

    from leaderboard.commands import data_dir_of, db_path_of, load_config_for

    data_dir = data_dir_of(common)
    config = load_config_for(common, data_dir)
    report, problems = build_report(
        data_dir, config, db_path_of(common, data_dir), with_suggestions=with_suggestions
    )
    for problem in problems:
        sys.stderr.write(problem.format() + "\n")
    sys.stdout.write(render_json(report) if fmt == "json" else render_text(report))
    return 1 if problems or report.has_errors else 0
