"""Log output (CORE-07): every record to stderr, as text or JSON lines, secrets masked.

Records carry optional metadata (`extra={"meta": {...}}`) and a plugin id (`extra={"plugin": id}`);
the formatter renders them in the documented shapes. The log timestamp is the real clock even when
`--now` is set, because it says when something happened, not what "now" the data uses.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

from leaderboard import jsonfmt

LOGGER_NAME = "leaderboard"
_LEVEL_NAMES = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARN",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "ERROR",
}


def _wall_clock(created: float) -> str:
    t = time.gmtime(created)
    ms = int((created - int(created)) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{ms:03d}Z"


def _spellings(secret: str) -> set[str]:
    """The ways a secret shows up in text: as is, percent-encoded in a URL (httpx error messages
    quote the URL), and escaped inside a JSON string (the JSON log format, stored summaries)."""
    return {
        secret,
        quote(secret, safe=""),
        quote(secret, safe="/:@!$&'()*+,;="),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }


class _Masker:
    """The process's registered secrets (CORE-14, CORE-82), replaced by `***` in every log line
    and in everything else that is stored or published from messages (`_run.summary`, files
    written by plugins)."""

    def __init__(self) -> None:
        self.secrets: list[str] = []
        self._registered: set[str] = set()

    @property
    def registered(self) -> frozenset[str]:
        return frozenset(self._registered)

    def set(self, secrets: Iterable[str]) -> None:
        """Replace the registered secrets (tests; production only ever `add`s)."""
        self._registered = set()
        self.secrets = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        new = {s for s in secrets if s and len(s) >= 3} - self._registered
        if not new:
            return
        self._registered |= new
        spelled = {v for s in self._registered for v in _spellings(s) if len(v) >= 3}
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted(spelled, key=lambda v: (-len(v), v))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text


MASK = _Masker()


def register_secrets(secrets: Iterable[str]) -> None:
    """Mask these values from now on, for the rest of the process (values from `${{ env.X }}`:
    the config loader registers them as soon as it substitutes them)."""
    MASK.add(secrets)


class LeaderboardFormatter(logging.Formatter):
    """Text (`[ts] LEVEL: [plugin] msg {meta}`) or JSON (`{"ts","level","msg","plugin",...}`)."""

    def __init__(self, fmt: str = "text", debug: bool = False) -> None:
        super().__init__()
        self.kind = fmt
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        level = _LEVEL_NAMES.get(record.levelno, record.levelname)
        msg = record.getMessage()
        meta: dict[str, Any] = dict(getattr(record, "meta", None) or {})
        plugin = getattr(record, "plugin", None)
        if record.exc_info and record.exc_info[1] is not None:
            meta.setdefault("error", str(record.exc_info[1]))
            if self.debug:
                meta["stack"] = self.formatException(record.exc_info)
        ts = _wall_clock(record.created)
        if self.kind == "json":
            obj: dict[str, Any] = {"ts": ts, "level": level, "msg": msg}
            if plugin:
                obj["plugin"] = plugin
            obj.update(meta)
            return MASK(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str))
        text = f"[{ts}] {level}: "
        if plugin:
            text += f"[{plugin}] "
        text += msg
        if meta:
            try:
                text += " " + jsonfmt.dumps_compact(meta)
            except (TypeError, ValueError):
                text += " " + json.dumps(meta, ensure_ascii=False, default=str)
        return MASK(text)


def configure(
    *, fmt: str = "text", debug: bool = False, quiet: bool = False, stream: TextIO | None = None
) -> logging.Logger:
    """Install our single stderr handler on the `leaderboard` logger (idempotent)."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LeaderboardFormatter(fmt, debug))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO)
    logger.propagate = False
    return logger


def get_logger(name: str | None = None) -> logging.Logger:
    return logging.getLogger(LOGGER_NAME if not name else f"{LOGGER_NAME}.{name}")


def meta(**values: Any) -> dict[str, Any]:
    """`log.info("...", extra=meta(files=3))` reads better than nested dicts."""
    return {"meta": values}
