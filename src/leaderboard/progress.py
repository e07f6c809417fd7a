"""A progress bar for long runs on a terminal (rich), and nothing at all anywhere else.

The bar lives on stderr next to the log lines; while it is shown, log records are printed through
rich's console so they scroll above the bar instead of tearing it. When stderr is not a TTY (CI,
pipes, files), or with `--quiet` or JSON logs, no control characters are ever written.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from leaderboard.logs import LOGGER_NAME


def wanted(*, quiet: bool = False, log_format: str = "text", stream: IO[str] | None = None) -> bool:
    stream = stream or sys.stderr
    return not quiet and log_format == "text" and bool(getattr(stream, "isatty", lambda: False)())


class _ConsoleStream:
    """A file-like object that prints through a rich console (so the live bar stays intact)."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def write(self, text: str) -> int:
        self.console.print(text, end="", markup=False, highlight=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        pass


class Steps:
    """What the runner reports to: one step per phase (or stage)."""

    def __init__(self, bar: Any = None, task: Any = None) -> None:
        self._bar = bar
        self._task = task

    def start(self, name: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=name)

    def done(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)


@contextmanager
def steps(total: int, *, enabled: bool, label: str = "run", console: Any = None) -> Iterator[Steps]:
    """A bar over `total` steps when enabled; otherwise a do-nothing `Steps`."""
    if not enabled or total <= 0:
        yield Steps()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = console or Console(stderr=True)
    bar = Progress(
        SpinnerColumn(),
        TextColumn(f"{label}: [bold]{{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    handlers = [
        h for h in logging.getLogger(LOGGER_NAME).handlers if isinstance(h, logging.StreamHandler)
    ]
    previous = [h.stream for h in handlers]
    with bar:
        task = bar.add_task("starting", total=total)
        for handler in handlers:
            handler.setStream(_ConsoleStream(console))
        try:
            yield Steps(bar, task)
        finally:
            for handler, stream in zip(handlers, previous, strict=True):
                handler.setStream(stream)
