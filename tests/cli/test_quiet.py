"""`-q` beats `LEADERBOARD_DEBUG=1` from the environment (issue 15 item 11); `--debug` wins."""

from __future__ import annotations

import logging

import pytest

from leaderboard.cli import make_common


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    logger = logging.getLogger("leaderboard")
    level, handlers = logger.level, list(logger.handlers)
    yield None
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_quiet_beats_debug_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADERBOARD_DEBUG", "1")
    assert make_common({"quiet": True}).debug is False
    assert logging.getLogger("leaderboard").level == logging.WARNING
    assert make_common({}).debug is True
    assert make_common({"quiet": True, "debug": True}).debug is True
