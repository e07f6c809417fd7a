"""Fixtures and rules for every test.

With LEADERBOARD_FORBID_SKIPS=1 (set by `.ci/run`) any skipped test fails the session, so a
missing prerequisite can never pass CI silently."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from leaderboard.logs import MASK

_skipped: list[str] = []

# Property tests judge results, never speed: a busy CI machine must not fail them on timing.
settings.register_profile(
    "leaderboard", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("leaderboard")


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    """Secrets registered by a config loaded in one test must not mask another test's output
    (in production one process loads one config)."""
    saved = MASK.registered
    yield
    MASK.set(saved)


@pytest.fixture
def meet_other_process(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], None]:
    """A call for the work of a fork map (forkmap.py) to make at each item: the first one in
    each process waits (at most 30 s) until another process has made its first one too. Items
    are shared through a queue, so without it a test cannot know that both processes took part
    (the first one to run may take every item)."""
    markers = tmp_path_factory.mktemp("meet")
    met: set[int] = set()  # copied into each forked child with whatever the parent had

    def meet() -> None:
        pid = os.getpid()
        if pid in met:
            return
        met.add(pid)
        (markers / str(pid)).touch()
        deadline = time.monotonic() + 30
        while len(list(markers.iterdir())) < 2:
            assert time.monotonic() < deadline, "no other process took part"
            time.sleep(0.002)

    return meet


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
