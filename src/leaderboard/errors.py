"""The error hierarchy. Each error knows its exit code (CORE-06) and says what to do about it."""

from __future__ import annotations

from leaderboard.problems import Problem


class LeaderboardError(Exception):
    """Base class; `exit_code` follows CORE-06."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(LeaderboardError):
    """Bad command-line usage: unknown phase, bad option value."""

    exit_code = 2


class InvalidInputError(LeaderboardError):
    """Config or data validation failed; nothing was written."""

    exit_code = 3

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ConfigNotFoundError(InvalidInputError):
    """`config.yaml` is missing from the data dir (CORE-04)."""


class LockedError(LeaderboardError):
    """The data dir is locked by another live process (CORE-08)."""

    exit_code = 4


class ValidationError(LeaderboardError, ValueError):
    """A value the importer would reject was written through the query layer (CORE-30)."""


class IdentityConflict(ValidationError):
    """`resolve_or_create` found a contributor with that username that does not own the account."""


class OfflineError(LeaderboardError):
    """Network access was attempted while `--offline` is set (CORE-28)."""


class PluginError(LeaderboardError):
    """A plugin could not be resolved, loaded or validated (CORE-22, CORE-23)."""


class SchemaTooNewError(LeaderboardError):
    """The working DB was written by a newer version of this package (CORE-35)."""
