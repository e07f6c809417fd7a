"""Log line formats (CORE-07)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import quote

from leaderboard.config import load_config
from leaderboard.logs import configure, get_logger


def test_core_07_text_format_with_meta_and_plugin() -> None:
    stream = io.StringIO()
    configure(fmt="text", stream=stream)
    get_logger("x").info("Imported 120 activities", extra={"meta": {"files": 12}})
    get_logger("x").warning("hello", extra={"plugin": "github"})
    lines = stream.getvalue().splitlines()
    assert re.fullmatch(
        r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] INFO: Imported 120 activities \{\"files\":12\}",
        lines[0],
    )
    assert lines[1].endswith("WARN: [github] hello")


def test_core_07_json_format_key_order() -> None:
    stream = io.StringIO()
    configure(fmt="json", stream=stream)
    get_logger().error("failed", extra={"plugin": "p", "meta": {"error": "boom"}})
    obj = json.loads(stream.getvalue())
    assert list(obj) == ["ts", "level", "msg", "plugin", "error"]
    assert obj["level"] == "ERROR" and obj["error"] == "boom"


def test_core_07_levels_quiet_and_debug() -> None:
    stream = io.StringIO()
    configure(quiet=True, stream=stream)
    get_logger().info("hidden")
    get_logger().warning("shown")
    assert "hidden" not in stream.getvalue() and "shown" in stream.getvalue()
    configure(debug=True, stream=stream)
    get_logger().debug("dbg")
    assert "DEBUG: dbg" in stream.getvalue()


def test_core_14_values_substituted_by_the_config_loader_are_masked(tmp_path: Path) -> None:
    """Production registers secrets: loading a config is enough, nothing fills the mask by hand.
    Raw, percent-encoded (httpx quotes URLs) and JSON-escaped spellings are all masked, in
    messages, metadata and debug tracebacks, in both formats."""
    token = 'tok/en+with "quote" and ünï'
    (tmp_path / "config.yaml").write_text(
        "org:\n  name: Org\n  description: d\n  url: https://example.org\n  logo_url: /l.svg\n"
        "leaderboard:\n  plugins:\n    p:\n      source: dummy\n"
        "      config: {token: '${{ env.API_TOKEN }}'}\n"
    )
    assert load_config(tmp_path, env={"API_TOKEN": token}).config is not None
    for fmt in ("text", "json"):
        stream = io.StringIO()
        configure(fmt=fmt, debug=True, stream=stream)
        try:
            raise RuntimeError(f"401 for url 'https://api.example.org/x?t={quote(token, safe='')}'")
        except RuntimeError as exc:
            get_logger().error(
                f"failed with {token}", exc_info=exc, extra={"meta": {"body": {"t": token}}}
            )
        out = stream.getvalue()
        assert "tok/en" not in out and "tok%2Fen" not in out and "***" in out, out
        assert "Traceback" in out
