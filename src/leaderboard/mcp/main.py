"""`leaderboard mcp`: resolve the served database, then serve over stdio or HTTP (ECO-01)."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Mapping
from types import FrameType

import anyio

from leaderboard.mcp.server import build_server, run_stdio
from leaderboard.mcp.settings import McpOptions, open_served

__all__ = ["McpOptions", "run"]

log = logging.getLogger("leaderboard")


def run(options: McpOptions, env: Mapping[str, str]) -> int:
    """Serve until the client disconnects (stdio) or the process is interrupted (HTTP)."""
    served = open_served(options, env)
    # SIGTERM (a client or service manager stopping us) exits through `finally`, so the private
    # temporary copy is removed; over HTTP, while the server runs, SIGTERM and SIGINT only ask it
    # to stop and are raised again once it has (`serve_http`).
    signal.signal(signal.SIGTERM, _terminate)
    try:
        view = "public view" if served.public_view else "as is"
        log.info("Serving %s (%s)", served.source, view)
        if options.transport == "stdio":
            anyio.run(run_stdio, served)
        else:
            from leaderboard.mcp.http import serve_http

            serve_http(
                build_server(served),
                host=options.host,
                port=options.port,
                path=options.path,
                token=options.token,
            )
    finally:
        served.close()
    return 0


def _terminate(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)
