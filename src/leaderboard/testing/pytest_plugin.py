"""pytest fixtures for plugin tests (CORE-83), registered through the `pytest11` entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from leaderboard.db import Database
from leaderboard.plugins.context import PluginContext
from leaderboard.testing import make_context, memory_db

if TYPE_CHECKING:
    from leaderboard.testing.github_server import GitHubServer
    from leaderboard.testing.slack_server import FakeSlack


@pytest.fixture
def lb_db() -> Iterator[Database]:
    """A fresh migrated in-memory database, closed after the test."""
    db = memory_db()
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def lb_context(lb_db: Database, tmp_path: Path) -> PluginContext:
    """A `PluginContext` on `lb_db` with a fixed now, a temporary data dir and no network."""
    return make_context(db=lb_db, data_dir=tmp_path)


@pytest.fixture
def lb_github_server() -> Iterator[Callable[..., GitHubServer]]:
    """A factory of started fake GitHub servers (ECO-50): `lb_github_server(document, latency=…)`;
    every server it made is stopped after the test."""
    from leaderboard.testing.github_server import GitHubServer

    started: list[GitHubServer] = []

    def make(documents: Any, **options: Any) -> GitHubServer:
        server = GitHubServer(documents, **options).start()
        started.append(server)
        return server

    try:
        yield make
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def fake_slack() -> Iterator[Callable[..., FakeSlack]]:
    """Start fake Slack Web API servers: `fake_slack(workspace, token=…, scopes=…, page_size=…)`
    returns a running `FakeSlack` on 127.0.0.1; every server is stopped after the test."""
    from leaderboard.testing.slack_server import FakeSlack

    started: list[FakeSlack] = []

    def start(workspace: dict[str, Any], **options: Any) -> FakeSlack:
        server = FakeSlack(workspace, **options).start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()
