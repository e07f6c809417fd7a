"""Progress bar only on a terminal (issue: foundation, CLI)."""

from __future__ import annotations

import io
import logging

from rich.console import Console

from leaderboard.logs import configure, get_logger
from leaderboard.progress import steps, wanted


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_tty_in_text_mode() -> None:
    assert wanted(stream=_Tty())
    assert not wanted(stream=io.StringIO())
    assert not wanted(stream=_Tty(), quiet=True)
    assert not wanted(stream=_Tty(), log_format="json")


def test_disabled_progress_writes_nothing() -> None:
    stream = io.StringIO()
    configure(stream=stream)
    with steps(3, enabled=False) as bar:
        bar.start("import")
        get_logger().info("hello")
        bar.done()
    assert stream.getvalue().count("\n") == 1 and "\x1b" not in stream.getvalue()


def test_enabled_progress_draws_a_bar_and_keeps_log_lines() -> None:
    out = _Tty()
    console = Console(file=out, force_terminal=True, width=100)
    configure(stream=io.StringIO())
    with steps(2, enabled=True, console=console) as bar:
        bar.start("import")
        get_logger().info("line from a phase")
        bar.done()
        bar.start("export")
        bar.done()
    text = out.getvalue()
    assert "line from a phase" in text
    assert "━" in text or "2/2" in text
    # The handler's stream is restored afterwards.
    handler = logging.getLogger("leaderboard").handlers[0]
    assert not type(handler.stream).__name__.startswith("_Console")
