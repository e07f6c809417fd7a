"""Small builders shared by the plugin tests."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from leaderboard.config.model import Config, PluginEntry
from leaderboard.testing import make_config


def config_with(plugins: dict[str, dict[str, Any]], **board: Any) -> Config:
    """A Config whose `leaderboard.plugins` holds the given entries (id -> PluginEntry fields)."""
    base = make_config()
    entries = {pid: PluginEntry(id=pid, **fields) for pid, fields in plugins.items()}
    raw = dict(base.raw)
    raw["leaderboard"] = {
        "timezone": "UTC",
        "plugins": {
            pid: {"source": f["source"], "config": f.get("config", {})}
            for pid, f in plugins.items()
        },
    }
    return replace(base, leaderboard=replace(base.leaderboard, plugins=entries, **board), raw=raw)


def write_plugin(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


SIMPLE_PLUGIN = """
name = "simple"
version = "1.2.3"

def scrape(ctx):
    return None
"""


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [f"{r.levelname}: {r.getMessage()}" for r in self.records]


def capture_logger(name: str = "test.plugins") -> tuple[logging.Logger, ListHandler]:
    logger = logging.getLogger(name)
    logger.handlers = []
    handler = ListHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, handler
