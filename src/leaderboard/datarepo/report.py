"""The output of `leaderboard validate` (CORE-56): text lines or one JSON document."""

from __future__ import annotations

from collections.abc import Iterable

from leaderboard.jsonfmt import dumps_compact
from leaderboard.problems import Problem


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)


def summary_line(problems: list[Problem], files_checked: int) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if not problems:
        return f"OK: {files_checked} files checked, no problems"
    return f"{errors} error(s), {warnings} warning(s) in {files_checked} file(s)"


def render_text(problems: list[Problem], files_checked: int) -> str:
    """One `<path>:<line>[:<col>]: <severity>: <message> [<code>]` line per problem, sorted by
    path, line, column and message, then the summary line; ends with a newline."""
    lines = [p.format() for p in _sorted(problems)]
    lines.append(summary_line(problems, files_checked))
    return "\n".join(lines) + "\n"


def render_json(problems: list[Problem], files_checked: int) -> str:
    """`{"ok", "errors", "warnings", "files_checked", "problems": [...]}` plus a newline."""
    errors = sum(1 for p in problems if p.is_error)
    document = {
        "ok": errors == 0,
        "errors": errors,
        "warnings": len(problems) - errors,
        "files_checked": files_checked,
        "problems": [p.to_json() for p in _sorted(problems)],
    }
    return dumps_compact(document) + "\n"
