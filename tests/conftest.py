"""Fixtures and rules for every test.

With LEADERBOARD_FORBID_SKIPS=1 (set by `.ci/run`) any skipped test fails the session, so a
missing prerequisite can never pass CI silently."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from leaderboard.logs import MASK

_skipped: list[str] = []

# Property tests judge results, never speed: a busy CI machine must not fail them on timing.
settings.register_profile("leaderboard", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("leaderboard")


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    """Secrets registered by a config loaded in one test must not mask another test's output
    (in production one process loads one config)."""
    saved = MASK.registered
    yield
    MASK.set(saved)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("LEADERBOARD_FORBID_SKIPS") == "1" and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"{len(_skipped)} test(s) skipped while LEADERBOARD_FORBID_SKIPS=1: "
                + ", ".join(_skipped[:10]),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
