"""Log line formats (CORE-07)."""

from __future__ import annotations

import io
import json
import re

from leaderboard.logs import MASK, configure, get_logger


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


def test_core_14_secrets_are_masked() -> None:
    stream = io.StringIO()
    configure(stream=stream)
    MASK.set(["s3cr3t-token"])
    try:
        get_logger().info("token is s3cr3t-token", extra={"meta": {"t": "s3cr3t-token"}})
    finally:
        MASK.set([])
    assert "s3cr3t" not in stream.getvalue() and "***" in stream.getvalue()
