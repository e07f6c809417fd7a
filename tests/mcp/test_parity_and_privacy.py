"""CORE-74…77, NEW-04/05: the MCP answers equal the site's JSON API, and nothing private leaks.

The demo data (fixed seed and now) was built into a site; the server runs on the same data dir
and now. Rankings and contributor statistics must equal the API files byte for byte in value, and
the contributors made hidden and pseudonymous must not appear (by username or by real name) in
any answer of the public view — tools, `run_sql` and resources alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcpfixture import Demo, ServerProcess, client

from leaderboard.site.artefacts import shard_path

PERIODS = ["week", "month", "year", "all-time"]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _contributor_doc(api: Path, username: str) -> Any:
    """A contributor's JSON API document, read from its shard (WEB-64)."""
    return _load(api / shard_path(username))["contributors"][username]


async def _value(c: Any, name: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await c.call_tool(name, args)
    assert not result.is_error, result.content[0].text
    return dict(result.structured_content)


@pytest.fixture(scope="module")
def answers(demo: Demo, http_server: ServerProcess) -> dict[str, Any]:
    """Everything the tests compare, fetched over one Streamable HTTP session."""
    people = _load(demo.api / "contributors.json")["contributors"]

    async def main() -> dict[str, Any]:
        out: dict[str, Any] = {"boards": {}, "ranks": {}, "stats": {}}
        async with client("http", demo, http_server) as c:  # type: ignore[attr-defined]
            for p in PERIODS:
                out["boards"][p] = await _value(c, "get_leaderboard", {"period": p, "limit": 1000})
            for person in people:
                u = person["username"]
                out["stats"][u] = await _value(c, "get_contributor_stats", {"username": u})
                for p in PERIODS:
                    out["ranks"][(u, p)] = await _value(
                        c, "get_contributor_ranking", {"username": u, "period": p}
                    )
        return out

    return anyio.run(main)


@pytest.mark.parametrize("period", PERIODS)
def test_get_leaderboard_equals_the_api(demo: Demo, answers: dict[str, Any], period: str) -> None:
    api = _load(demo.api / "leaderboard" / f"{period}.json")["entries"]
    assert api, "the demo period should have entries"
    mcp = answers["boards"][period]
    assert mcp["total"] == len(api)
    assert [
        (e["rank"], e["username"], e["name"], e["role"], e["total_points"], e["activity_count"])
        for e in mcp["leaderboard"]
    ] == [
        (e["rank"], e["username"], e["name"], e["role"], e["points"], e["activity_count"])
        for e in api
    ]


def test_get_contributor_ranking_equals_the_api(demo: Demo, answers: dict[str, Any]) -> None:
    checked = 0
    for person in _load(demo.api / "contributors.json")["contributors"]:
        doc = _contributor_doc(demo.api, person["username"])
        for p in PERIODS:
            mcp = answers["ranks"][(person["username"], p)]
            api = doc["ranks"][p]
            if person["role_hidden"] or person["is_bot"]:
                assert api is None and mcp["rank"] is None and "excluded" in mcp["message"]
                continue
            if api is not None and api["points"] > 0:
                # active with points: the same position (inactive members rank after them)
                assert (mcp["rank"], mcp["totalPoints"]) == (api["rank"], api["points"]), (
                    person,
                    p,
                )
                checked += 1
            else:
                assert mcp["totalPoints"] == 0
    assert checked > 20


def test_get_contributor_stats_equals_the_api(demo: Demo, answers: dict[str, Any]) -> None:
    for person in _load(demo.api / "contributors.json")["contributors"]:
        doc = _contributor_doc(demo.api, person["username"])
        mcp = answers["stats"][person["username"]]
        assert mcp["stats"] == {
            "totalPoints": doc["totals"]["points"],
            "activityCount": doc["totals"]["activity_count"],
            "badgeCount": len(doc["badges"]),
        }
        assert mcp["recentActivities"] == doc["recent_activities"][:10]
        assert [(b["badge"], b["variant"], b["achieved_on"]) for b in mcp["badges"]] == [
            (b["badge"], b["variant"], b["achieved_on"]) for b in doc["badges"]
        ]
        visible = [a for a in mcp["aggregates"] if not a["hidden"]]
        assert [(a["aggregate"], a["value"]) for a in visible] == [
            (a["slug"], a["value"]) for a in doc["aggregates"]
        ]
        assert mcp["contributor"]["name"] == doc["name"]


def _secrets(demo: Demo) -> list[str]:
    people = _load(demo.api / "contributors.json")["contributors"]
    names = [p["name"] for p in people]
    secrets = [demo.hidden, demo.pseudonymous]
    # real names too, unless another (public) contributor happens to share them
    secrets += [n for n in (demo.hidden_name, demo.pseudonymous_name) if n and n not in names]
    return secrets


def test_the_fixture_is_what_the_site_publishes(demo: Demo) -> None:
    usernames = [p["username"] for p in _load(demo.api / "contributors.json")["contributors"]]
    assert demo.hidden not in usernames and demo.pseudonymous not in usernames
    assert any(u.startswith("contributor-") for u in usernames), "a pseudonym is published"


def test_no_hidden_or_pseudonymous_contributor_in_any_answer(
    demo: Demo, http_server: ServerProcess
) -> None:
    secrets = _secrets(demo)

    async def main() -> list[str]:
        texts: list[str] = []
        async with client("http", demo, http_server) as c:  # type: ignore[attr-defined]

            async def text(name: str, args: dict[str, Any]) -> dict[str, Any]:
                result = await c.call_tool(name, args)
                texts.append(result.content[0].text)
                return dict(result.structured_content or {})

            everyone = {"exclude_roles": [], "include_bots": True}
            people = await text("query_contributors", {"limit": 1000})
            names = [p["username"] for p in people["contributors"]]
            for p in PERIODS:
                await text("get_leaderboard", {"period": p, "limit": 1000, **everyone})
                await text("get_active_contributors", {"period": p, "limit": 1000, **everyone})
            offset, total = 0, 1
            while offset < total:
                page = await text("query_activities", {"limit": 1000, "offset": offset})
                total, offset = page["total"], offset + 1000
            for definition in (await text("get_activity_definitions", {}))["definitions"]:
                await text(
                    "get_top_by_activity",
                    {"activity_type": definition["slug"], "limit": 100, **everyone},
                )
            await text("get_recent_badges", {"limit": 100, **everyone})
            await text("get_top_badge_earners", {"limit": 100, **everyone})
            await text("get_global_aggregates", {})
            await text("get_badges", {})
            await text(
                "batch_get_contributor_stats",
                {"usernames": names, "include_aggregates": True, "include_badges": True},
            )
            for secret in (demo.hidden, demo.pseudonymous):
                for tool in (
                    "get_contributor",
                    "get_contributor_stats",
                    "get_badges",
                    "get_activity_timeline",
                ):
                    result = await c.call_tool(tool, {"username": secret})
                    assert result.is_error, (tool, secret)
                # (these echo their input, so their text is not searched for the secret)
                batch = await c.call_tool("batch_get_contributors", {"usernames": [secret]})
                assert batch.structured_content["found"] == 0
                searched = await c.call_tool("search_activities", {"query": secret, "limit": 1000})
                assert searched.structured_content["total"] == 0
            for table in (
                "contributor",
                "activity",
                "contributor_badge",
                "contributor_aggregate",
                "global_aggregate",
            ):
                offset = 0
                while True:
                    rows = await text(
                        "run_sql",
                        {"sql": f"SELECT * FROM {table} LIMIT 1000 OFFSET {offset}", "limit": 1000},
                    )
                    if rows["row_count"] < 1000:
                        break
                    offset += 1000
            for uri in ("leaderboard://schema", "leaderboard://scoring"):
                texts.append((await c.read_resource(uri)).contents[0].text)
            for u in names[:5]:
                texts.append(
                    (await c.read_resource(f"leaderboard://contributors/{u}")).contents[0].text
                )
        return texts

    texts = anyio.run(main)
    assert len(texts) > 30
    blob = "\n".join(texts)
    for secret in secrets:
        assert secret not in blob, f"{secret!r} leaked into an answer of the public view"


def test_include_bots_and_exclude_roles_change_the_population(
    demo: Demo, http_server: ServerProcess
) -> None:
    api = _load(demo.api / "leaderboard" / "all-time.json")
    people = {e["username"]: e["role"] for e in api["entries"]}
    bots = {e["username"] for e in api["bots"]}  # the bot track (may be empty in the demo)
    maintainers = {u for u, role in people.items() if role == "maintainer"}
    assert maintainers, "the demo has maintainers"

    async def main() -> tuple[set[str], set[str], dict[str, Any]]:
        async with client("http", demo, http_server) as c:  # type: ignore[attr-defined]
            everyone = await _value(
                c, "get_leaderboard", {"limit": 1000, "include_bots": True, "exclude_roles": []}
            )
            no_maintainers = await _value(
                c, "get_leaderboard", {"limit": 1000, "exclude_roles": ["maintainer", "bot"]}
            )
            excluded = await _value(
                c,
                "get_contributor_ranking",
                {"username": sorted(maintainers)[0], "exclude_roles": ["maintainer"]},
            )
        return (
            {e["username"] for e in everyone["leaderboard"]},
            {e["username"] for e in no_maintainers["leaderboard"]},
            excluded,
        )

    everyone, no_maintainers, excluded = anyio.run(main)
    assert everyone == set(people) | bots
    assert no_maintainers == set(people) - maintainers
    assert excluded["rank"] is None and excluded["percentile"] is None
    assert excluded["message"] == (
        "Contributor is excluded from this ranking (role 'maintainer' is excluded)"
    )
