"""`Common`: what one command invocation was given — the common options of CORE-03, resolved
against the environment once by the command line (`cli.make_common`).

It lives here, not in `cli`, so that the library functions taking it (`commands`, `demo`,
`doctor`, …) do not depend on the command-line module that calls them (no import cycle).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Common:
    """The common options of CORE-03, resolved against the environment."""

    data_dir: str | None
    db: str | None
    now: str | None
    offline: bool
    debug: bool
    quiet: bool
    log_format: str
    strict: bool
    env: Mapping[str, str]
    started: datetime
