"""Result envelopes and tool errors (ECO-06).

Success: the object as pretty JSON text (CORE-40) plus `structuredContent` holding the same
object. Errors: `isError: true` with `{"error", "code"}` as pretty JSON, where `code` is
`INVALID_ARGUMENTS` for argument validation and `TOOL_ERROR` for everything else (not found,
invalid filters, unknown tool, an unavailable database). No traceback ever reaches the client.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types

from leaderboard import jsonfmt

TOOL_ERROR = "TOOL_ERROR"
INVALID_ARGUMENTS = "INVALID_ARGUMENTS"


class ToolError(Exception):
    """A failure the client should see as a tool error (message is shown as is)."""

    code = TOOL_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ArgumentError(ToolError):
    """An argument failed validation; the message names the argument."""

    code = INVALID_ARGUMENTS


def pretty(value: Any) -> str:
    """Pretty JSON with the CORE-40 number and string rules."""
    return jsonfmt.dumps_pretty(value)


def success(value: dict[str, Any]) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=pretty(value))],
        structured_content=value,
        is_error=False,
    )


def failure(message: str, code: str = TOOL_ERROR) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=pretty({"error": message, "code": code}))],
        is_error=True,
    )
