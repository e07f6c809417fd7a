"""Signals while the HTTP server starts (`http._stop_requests`).

Before uvicorn's own handlers are in place, SIGTERM and SIGINT must only ask the server to stop:
the process's usual handlers raise SystemExit or KeyboardInterrupt wherever the main thread is,
and inside uvloop's start-up that could hang the process with the private copy left behind.
"""

from __future__ import annotations

import os
import signal
from types import SimpleNamespace

import pytest

from leaderboard.mcp.http import _stop_requests


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_serving_is_a_stop_request_and_the_handlers_come_back(sig: int) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    server = SimpleNamespace(should_exit=False)
    with _stop_requests(server) as stopping:
        os.kill(os.getpid(), sig)  # delivered to the main thread before kill returns here
        assert server.should_exit is True
        assert stopping == [sig]
    assert {s: signal.getsignal(s) for s in before} == before
