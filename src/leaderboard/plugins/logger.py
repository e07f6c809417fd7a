"""`ctx.logger`: a plugin's logger, tagged with its id and taking an optional metadata dict.

Records go to the standard `logging` logger the runner passes in. The metadata dict travels as
`record.meta` and the plugin id as `record.plugin`, so the CLI's formatter can write the CORE-07
text (`… {"key":1}`) or JSON (`"plugin": …`) forms without parsing the message.
"""

from __future__ import annotations

import logging
from typing import Any


class PluginLogger:
    """debug/info/warn/warning/error(msg, meta=None), each prefixed with the plugin id."""

    def __init__(self, logger: logging.Logger, plugin_id: str) -> None:
        self.logger = logger
        self.plugin_id = plugin_id

    def _log(self, level: int, msg: str, meta: dict[str, Any] | None) -> None:
        extra = {"plugin": self.plugin_id, "meta": dict(meta) if meta else None}
        # The CLI formatter (leaderboard.logs) writes `[<id>] ` from `record.plugin`; the message
        # itself stays bare so the JSON format's `msg` carries no prefix.
        self.logger.log(level, msg, extra=extra)

    def debug(self, msg: str, meta: dict[str, Any] | None = None) -> None:
        self._log(logging.DEBUG, msg, meta)

    def info(self, msg: str, meta: dict[str, Any] | None = None) -> None:
        self._log(logging.INFO, msg, meta)

    def warning(self, msg: str, meta: dict[str, Any] | None = None) -> None:
        self._log(logging.WARNING, msg, meta)

    warn = warning

    def error(self, msg: str, meta: dict[str, Any] | None = None) -> None:
        self._log(logging.ERROR, msg, meta)
