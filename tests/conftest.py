"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leaderboard.logs import MASK


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    """Secrets registered by a config loaded in one test must not mask another test's output
    (in production one process loads one config)."""
    saved = MASK.registered
    yield
    MASK.set(saved)
