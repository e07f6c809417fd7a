"""Validation problems: the one currency of every check (config, data files, plugins).

Every check appends `Problem`s to a `ProblemList` instead of raising, so that a user sees
every problem of a run at once (CORE-15, CORE-55, CORE-56).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with control, bidi and other invisible characters escaped (`\\n`, `\\u202e`).

    Paths and messages quote file names, and a file name may hold a newline (which would split
    one problem into two lines of output) or U+202E (which would reorder what the terminal
    shows). Ordinary text, non-ASCII letters included, is kept as is.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"
        for ch in text
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in one place. `path` is relative to the data dir, POSIX style."""

    path: str
    line: int | None
    column: int | None
    severity: Severity
    code: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.column or 0, self.message)

    def format(self) -> str:
        """`<path>:<line>[:<column>]: <severity>: <message> [<code>]` (CORE-56)."""
        where = printable(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {printable(self.message)} [{self.code}]"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    def as_error(self) -> Problem:
        return Problem(self.path, self.line, self.column, "error", self.code, self.message)


class ProblemList:
    """An append-only collection of problems with helpers for the common cases."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self._items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def error(
        self, path: str, line: int | None, code: str, message: str, column: int | None = None
    ) -> None:
        self._items.append(Problem(path, line, column, "error", code, message))

    def warning(
        self, path: str, line: int | None, code: str, message: str, column: int | None = None
    ) -> None:
        self._items.append(Problem(path, line, column, "warning", code, message))

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self._items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self._items if not p.is_error]

    def has_errors(self) -> bool:
        return any(p.is_error for p in self._items)

    def strict(self) -> ProblemList:
        """A copy in which warnings count as errors (`--strict`)."""
        out = ProblemList()
        out.extend(p.as_error() for p in self._items)
        return out

    def sorted(self) -> list[Problem]:
        return sorted(self._items, key=Problem.sort_key)
