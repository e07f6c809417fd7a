"""ECO-03…06, NEW-10, NEW-28 over every transport, with the SDK's own client against a real server.

For stdio the client launches `leaderboard-mcp`; for Streamable HTTP and legacy SSE it connects
to a `leaderboard-mcp --transport http` process on an ephemeral 127.0.0.1 port. Each transport:
initialize, list the 21 tools, call every tool, list and read every resource, and get errors in
the ECO-06 envelope.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from mcpfixture import Demo, ServerProcess, client

from leaderboard import __version__

TOOL_NAMES = {
    "query_contributors", "get_contributor", "get_contributor_stats", "batch_get_contributors",
    "query_activities", "get_activity", "get_activity_definitions", "get_activity_timeline",
    "search_activities", "get_leaderboard", "get_contributor_ranking", "get_top_by_activity",
    "get_active_contributors", "get_badges", "get_recent_badges", "get_top_badge_earners",
    "get_global_aggregates", "get_contributor_aggregates", "get_aggregate_definitions",
    "batch_get_contributor_stats", "run_sql",
}  # fmt: skip


def ok(result: Any) -> dict[str, Any]:
    """The success envelope: not an error, pretty JSON text equal to structuredContent."""
    assert not result.is_error, result.content[0].text
    text = result.content[0].text
    value = json.loads(text)
    assert value == result.structured_content
    assert text == json.dumps(value, indent=2, ensure_ascii=False)
    return value


def err(result: Any, code: str) -> str:
    assert result.is_error
    value = json.loads(result.content[0].text)
    assert set(value) == {"error", "code"}
    assert value["code"] == code, value
    assert "Traceback" not in value["error"]
    return str(value["error"])


async def exercise(c: Any, demo: Demo) -> dict[str, Any]:
    """Initialize (done by entering), then everything; returns a few results for checks."""
    assert c.server_info.name == "leaderboard-mcp"
    assert c.server_info.version == __version__
    assert c.instructions.startswith("Read-only access to the Example Organization")
    assert c.server_capabilities.tools is not None and c.server_capabilities.resources is not None

    listed = await c.list_tools()
    assert {t.name for t in listed.tools} == TOOL_NAMES
    board_tool = next(t for t in listed.tools if t.name == "get_leaderboard")
    schema = board_tool.input_schema
    assert schema["properties"]["limit"]["maximum"] == 1000
    assert schema["properties"]["period"]["enum"] == ["week", "month", "year", "all-time"]
    assert schema["properties"]["start_date"]["format"] == "date"

    seen: set[str] = set()

    async def call(name: str, **args: Any) -> dict[str, Any]:
        seen.add(name)
        return ok(await c.call_tool(name, args))

    people = await call("query_contributors", limit=5)
    assert people["total"] >= 25 and len(people["contributors"]) == 5
    user = people["contributors"][0]["username"]
    assert (await call("get_contributor", username=user.upper()))["username"] == user
    stats = await call("get_contributor_stats", username=user)
    assert set(stats) == {
        "contributor",
        "stats",
        "recentActivities",
        "aggregates",
        "badges",
        "activityByDate",
    }
    batch = await call("batch_get_contributors", usernames=[user, "nobody-here"])
    assert batch["found"] == 1 and batch["results"][1] == {
        "username": "nobody-here",
        "found": False,
        "data": None,
    }
    acts = await call("query_activities", contributor=user, limit=3)
    assert acts["total"] >= len(acts["activities"]) > 0
    slug = acts["activities"][0]["slug"]
    one = await call("get_activity", slug=slug)
    assert one["slug"] == slug and "raw_points" in one and one["activity_name"]
    defs = await call("get_activity_definitions")
    definition = defs["definitions"][0]["slug"]
    assert (await call("get_activity_definitions", slug=definition))["slug"] == definition
    line = await call("get_activity_timeline", username=user, group_by="month")
    assert line["total_periods"] == len(line["timeline"]) > 0
    title_word = (acts["activities"][0]["title"] or "a").split()[0]
    found = await call("search_activities", query=title_word, limit=2)
    assert found["total"] >= 1
    board = await call("get_leaderboard", period="month", limit=3)
    assert [e["rank"] for e in board["leaderboard"]] == [1, 2, 3]
    assert (await call("get_contributor_ranking", username=user))["username"] == user
    top = await call("get_top_by_activity", activity_type=definition, limit=3)
    assert top["activity_type"] == definition
    active = await call("get_active_contributors", period="week")
    assert active["period"]["end_date"] == "2025-06-30T12:00:00.000Z"
    badges = await call("get_badges")
    assert badges["total"] >= 1
    await call("get_badges", badge_slug=badges["badges"][0]["slug"])
    await call("get_badges", username=user)
    await call("get_recent_badges", limit=3)
    await call("get_top_badge_earners", limit=3)
    await call("get_global_aggregates")
    await call("get_contributor_aggregates", username=user)
    await call("get_aggregate_definitions", visible_only=False)
    await call(
        "batch_get_contributor_stats",
        usernames=[user],
        include_aggregates=True,
        include_badges=True,
    )
    sql = await call("run_sql", sql="SELECT COUNT(*) AS n FROM contributor", limit=5)
    assert sql["columns"] == ["n"] and sql["row_count"] == 1 and sql["truncated"] is False
    assert seen == TOOL_NAMES

    # errors: ECO-06 envelope, right code, and the connection keeps working
    assert err(await c.call_tool("no_such_tool", {}), "TOOL_ERROR") == "Unknown tool: no_such_tool"
    assert "limit" in err(
        await c.call_tool("get_leaderboard", {"limit": "ten"}), "INVALID_ARGUMENTS"
    )
    assert "username" in err(await c.call_tool("get_contributor", {}), "INVALID_ARGUMENTS")
    assert err(await c.call_tool("get_contributor", {"username": "nobody-here"}), "TOOL_ERROR") == (
        "Contributor not found: nobody-here"
    )
    assert (
        err(await c.call_tool("get_leaderboard", {"start_date": "2025-13-45"}), "TOOL_ERROR")
        == "Invalid date format: 2025-13-45"
    )
    assert "SELECT" in err(
        await c.call_tool("run_sql", {"sql": "DELETE FROM activity"}), "TOOL_ERROR"
    )
    big = ok(await c.call_tool("get_leaderboard", {"limit": 10**9}))
    assert len(big["leaderboard"]) == big["total"]

    # resources (NEW-28)
    listed_resources = await c.list_resources()
    assert {str(r.uri) for r in listed_resources.resources} == {
        "leaderboard://schema",
        "leaderboard://scoring",
    }
    templates = await c.list_resource_templates()
    assert [t.uri_template for t in templates.resource_templates] == [
        "leaderboard://contributors/{username}"
    ]
    schema_text = (await c.read_resource("leaderboard://schema")).contents[0].text
    assert "CREATE TABLE contributor" in schema_text and "_leaderboard_public" in schema_text
    scoring = json.loads((await c.read_resource("leaderboard://scoring")).contents[0].text)
    assert scoring["activity_definitions"] and scoring["badges"]
    doc = json.loads((await c.read_resource(f"leaderboard://contributors/{user}")).contents[0].text)
    assert doc["username"] == user and "totals" in doc
    with pytest.raises(MCPError) as info:
        await c.read_resource("leaderboard://nothing")
    assert info.value.code == -32602 and "Unknown resource" in info.value.message
    assert ok(await c.call_tool("get_contributor", {"username": user}))["username"] == user
    return {"board": board, "stats": stats}


@pytest.mark.parametrize("transport", ["stdio", "http", "sse"])
def test_every_tool_and_resource_over(
    transport: str, demo: Demo, http_server: ServerProcess
) -> None:
    async def main() -> dict[str, Any]:
        async with client(transport, demo, http_server) as c:  # type: ignore[attr-defined]
            return await exercise(c, demo)

    results = anyio.run(main)
    assert results["board"]["filters"]["period"] == "month"
    assert http_server.proc.poll() is None, "the server must keep serving"
