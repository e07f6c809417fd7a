"""CORE-24/28/29/83: context members, HTTP factory, identity resolver, testing helpers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from plugtest import config_with

from leaderboard import __version__
from leaderboard.errors import IdentityConflict, OfflineError, PluginError, ValidationError
from leaderboard.plugins.context import PluginContext
from leaderboard.plugins.http import HttpFactory
from leaderboard.testing import RecordingTransport, make_context, memory_db

# The fixtures come through the pytest11 entry point once it is registered; importing them here
# keeps this test independent of how the package was installed.
from leaderboard.testing.pytest_plugin import lb_context, lb_db  # noqa: F401


def test_members_and_defaults(tmp_path: Path) -> None:
    ctx = make_context(
        "p", config={"k": 1}, data_dir=tmp_path, now="2025-03-01T00:00:00Z", tz="Asia/Kolkata"
    )
    assert ctx.plugin_id == "p" and ctx.config == {"k": 1}
    assert ctx.org is ctx.org_config and ctx.org.name == "Test Org"
    assert str(ctx.tz) == "Asia/Kolkata" and ctx.now.isoformat() == "2025-03-01T00:00:00+00:00"
    assert ctx.data_dir == tmp_path and not ctx.offline
    assert ctx.plugin_cache_dir == tmp_path / ".leaderboard-cache" / "plugins-data" / "p"
    assert ctx.plugin_cache_dir.is_dir()
    ctx.sleep(100)  # injected no-op by default in tests
    asyncio.run(ctx.async_sleep(100))


def test_app_config_is_read_only_and_hides_other_plugins_config() -> None:
    cfg = config_with(
        {
            "mine": {"source": "dummy", "config": {"token": "s3cret"}},
            "other": {"source": "dummy", "config": {"token": "hidden"}},
        }
    )
    cfg = replace(cfg, secrets=frozenset({"s3cret", "hidden"}))
    ctx = make_context("mine", app_config=cfg)
    plugins = ctx.app_config["leaderboard"]["plugins"]
    assert "config" not in plugins["other"] and plugins["other"]["source"] == "dummy"
    assert plugins["mine"]["config"]["token"] == "s3cret"
    with pytest.raises(TypeError):
        ctx.app_config["org"] = {}  # type: ignore[index]


def test_logger_prefix_and_meta(caplog: pytest.LogCaptureFixture) -> None:
    ctx = make_context("gh")
    with caplog.at_level(logging.DEBUG, logger="leaderboard.plugins"):
        ctx.logger.info("Fetched", {"repos": 3})
        ctx.logger.warn("Slow")
    first, second = caplog.records[-2:]
    assert first.getMessage() == "Fetched" and first.meta == {"repos": 3}  # type: ignore[attr-defined]
    assert first.plugin == "gh" and second.levelname == "WARNING"  # type: ignore[attr-defined]


def test_write_file_is_atomic_changed_only_and_confined(tmp_path: Path) -> None:
    ctx = make_context(data_dir=tmp_path)
    assert ctx.write_file("out/state.json", "{}") is True
    assert ctx.write_file("out/state.json", b"{}") is False
    assert (tmp_path / "out" / "state.json").read_text() == "{}"
    for bad in ("../escape.txt", "/etc/passwd", "out/../../x"):
        with pytest.raises(PluginError, match="write_file"):
            ctx.write_file(bad, "x")
    outside = tmp_path.parent / "outside-target"
    outside.mkdir(exist_ok=True)
    (tmp_path / "link").symlink_to(outside)
    with pytest.raises(PluginError, match="outside"):
        ctx.write_file("link/file.txt", "x")


def test_http_factory_user_agent_transport_and_counting() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, json={"ok": True})

    transport = RecordingTransport(handler)
    ctx = make_context("gh", transport=transport)
    with ctx.http("https://api.example", headers={"X-Test": "1"}) as client:
        assert client.get("/old").json() == {"ok": True}  # redirect followed
    assert seen[0].headers["User-Agent"] == f"contributor-leaderboard/{__version__}"
    assert seen[0].headers["X-Test"] == "1"

    async def fetch() -> int:
        async with ctx.async_http("https://api.example") as client:
            return (await client.get("/x")).status_code

    assert asyncio.run(fetch()) == 200
    assert transport.urls() == [
        "https://api.example/old",
        "https://api.example/new",
        "https://api.example/x",
    ]
    assert ctx._http_factory.requests["gh"] == 3


def test_offline_transport_raises_offline_error() -> None:
    ctx = make_context("gh", offline=True)
    with (
        ctx.http() as client,
        pytest.raises(OfflineError, match=r"network access disabled \(--offline\)"),
    ):
        client.get("https://example.org")
    factory = HttpFactory(offline=True)
    with factory.client("x") as client, pytest.raises(OfflineError):
        client.get("https://example.org")


def test_resolver_resolve_or_create_and_conflicts() -> None:
    db = memory_db()
    ctx: PluginContext = make_context("slack", db=db)
    ids = ctx.identities
    assert ids.resolve("github", "Alice") is None
    made = ids.resolve_or_create(
        "github", "Alice", username="alice", defaults={"role": "contributor"}
    )
    assert made == "alice" and ids.resolve("github", "ALICE") == "alice"
    row = db.query_one("SELECT identities FROM contributor WHERE username='alice'")
    assert row == {"identities": None}  # the implicit primary identity is not written out
    slack = ids.resolve_or_create(
        "slack", "u07abc", username="bob", defaults={"role": "contributor"}
    )
    assert slack == "bob" and ids.resolve("slack", "U07ABC") == "bob"
    assert (
        db.scalar("SELECT identities FROM contributor WHERE username='bob'")
        == '{"slack":["u07abc"]}'
    )
    with pytest.raises(IdentityConflict):
        ids.resolve_or_create("slack", "U999", username="Bob", defaults={"role": "contributor"})
    with pytest.raises(ValidationError, match="username must not contain"):
        ids.resolve_or_create("slack", "U1", username="a b", defaults={"role": "contributor"})
    with pytest.raises(ValidationError, match="role"):
        ids.resolve_or_create("slack", "U2", username="carol", defaults={})


def test_resolver_report_unresolved_and_mark_bot() -> None:
    db = memory_db()
    ctx = make_context("git", db=db, now="2025-02-01T00:00:00Z")
    ctx.identities.report_unresolved("email", " X@Example.org ", hint="commit abc")
    ctx.identities.report_unresolved("email", "x@example.org")
    assert db.query_one(
        "SELECT value, plugin, hint, count, first_seen FROM unresolved_identity"
    ) == {
        "value": "x@example.org",
        "plugin": "git",
        "hint": "commit abc",
        "count": 2,
        "first_seen": "2025-02-01T00:00:00.000Z",
    }
    db.execute("INSERT INTO contributor(username, role) VALUES('ci', 'contributor')")
    db.execute("INSERT INTO contributor(username, role, bot) VALUES('human', 'contributor', 0)")
    assert ctx.identities.mark_bot("CI") is True
    assert ctx.identities.mark_bot("human") is False
    assert db.query("SELECT username, bot FROM contributor ORDER BY username") == [
        {"username": "ci", "bot": 1},
        {"username": "human", "bot": 0},
    ]


def test_pytest_fixtures(lb_db, lb_context) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert lb_context.db is lb_db
    assert lb_db.scalar("SELECT COUNT(*) FROM contributor") == 0
    assert lb_context.now.year == 2025
