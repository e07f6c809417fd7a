"""WEB-47 / WEB-48: the explorer stage's files, page content and degraded mode (no browser)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import replace
from pathlib import Path

import pytest
from lbsample import HIDDEN, PSEUDO, make_config
from siteasm import REAL_VENDOR, write_site

from leaderboard.config.model import DataExplorerConfig
from leaderboard.explorer.page import EXAMPLES, format_size, schema_listing, source_location

needs_vendor = pytest.mark.usefixtures("real_vendor")


@pytest.fixture
def real_vendor() -> None:
    """The real sql.js-httpvfs files; a missing prerequisite fails, it never skips."""
    if not (REAL_VENDOR / "dist" / "index.js").is_file():
        pytest.fail("sql.js-httpvfs is not in node_modules/: run `make system-deps`")


def config_block(html: str) -> dict[str, object]:
    m = re.search(
        r'<script type="application/json" id="explorer-config">(.*?)</script>', html, re.S
    )
    assert m
    return json.loads(m.group(1))


@needs_vendor
def test_web_47_page_and_files(tmp_path: Path) -> None:
    out = tmp_path / "site"
    outcome = write_site(out, n_activities=200, base_path="/lb/")
    assert outcome.available and outcome.db_path == "data.db"
    html = (out / "data" / "index.html").read_text()
    assert "<h1>Data Explorer</h1>" in html
    assert (
        "Query the leaderboard database with SQL. The database is loaded in your browser via "
        "WebAssembly — all queries run locally." in html
    )
    size = format_size((out / "data.db").stat().st_size)
    assert (
        f'<noscript><p class="notice">The Data Explorer needs JavaScript. You can download the '
        f'database (<a href="/lb/data.db" download>{size}</a>) instead.</p></noscript>' in html
    )
    assert '<script src="/lb/static/explorer.js" defer></script>' in html
    assert "unavailable" not in html.split('<section class="explorer-schema"')[0].lower()
    cfg = config_block(html)
    digest = hashlib.sha256((out / "data.db").read_bytes()).hexdigest()
    assert cfg["cacheBust"] == digest[:16]
    assert cfg["sourceUrl"] == "/lb/data.db"
    # the library's worker starts from ours, which loads the pinned one (WEB-47, WEB-48)
    assert cfg["workerUrl"] == "/lb/static/explorer-worker.js"
    assert cfg["libraryWorkerUrl"] == "/lb/static/vendor/sql.js-httpvfs-0.8.12/sqlite.worker.js"
    assert cfg["maxBytesToRead"] == 268435456 and cfg["requestChunkSize"] == 4096
    vendored = sorted(p.name for p in (out / "static/vendor/sql.js-httpvfs-0.8.12").iterdir())
    assert vendored == ["LICENSE", "index.js", "sql-wasm.wasm", "sqlite.worker.js"]
    # examples in order, first one first
    labels = re.findall(r'data-example="[^"]*">([^<]+)</button>', html)
    assert labels == [label for label, _ in EXAMPLES]


@needs_vendor
def test_web_47_schema_listing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(out, n_activities=50)
    tables = schema_listing(out / "data.db")
    assert [t.name for t in tables] == sorted(t.name for t in tables)
    assert "_leaderboard_public" not in [t.name for t in tables]
    # the documented tables, `activity` being a view over `_activity` (which is not listed)
    assert [t.name for t in tables] == [
        "activity",
        "activity_definition",
        "badge_definition",
        "contributor",
        "contributor_aggregate",
        "contributor_aggregate_definition",
        "contributor_badge",
        "global_aggregate",
    ]
    activity = tables[0]
    assert [(c.name, c.type) for c in activity.columns][:3] == [
        ("slug", "TEXT"),
        ("contributor", "TEXT"),
        ("activity_definition", "TEXT"),
    ]
    contributor = next(t for t in tables if t.name == "contributor")
    assert contributor.columns[-1].name == "is_bot"
    assert {c.type for c in contributor.columns} <= {"TEXT", "JSON", "INTEGER"}
    html = (out / "data" / "index.html").read_text()
    assert "<summary><code>activity</code> (10 columns)</summary>" in html


def test_web_48_offline_without_cache_degrades(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "site"
    with caplog.at_level(logging.WARNING):
        outcome = write_site(out, n_activities=50, env={}, offline=True)
    assert not outcome.available
    assert any("not cached and --offline is set" in w for w in outcome.warnings)
    assert "Data Explorer assets unavailable" in caplog.text
    html = (out / "data" / "index.html").read_text()
    assert "The Data Explorer is unavailable in this build." in html
    assert "<details>" in html and 'href="/data.db" download' in html
    assert "explorer.js" not in html
    assert not (out / "static" / "vendor").exists()
    assert (out / "data.db").is_file()


def test_web_47_absolute_source_url(tmp_path: Path) -> None:
    cfg = make_config(data_explorer=DataExplorerConfig(source="https://cdn.test/db/data.db"))
    assert source_location(cfg, "/lb/") == ("https://cdn.test/db/data.db", None)
    assert source_location(make_config(), "/lb/") == ("/lb/data.db", "data.db")
    cfg2 = replace(
        make_config(),
        leaderboard=replace(
            make_config().leaderboard, data_explorer=DataExplorerConfig(source="/files/x.db")
        ),
    )
    assert source_location(cfg2, "/") == ("/files/x.db", "files/x.db")


def test_privacy_hidden_username_in_no_file(tmp_path: Path) -> None:
    """Issue criterion: a hidden contributor appears in no file of the built explorer output."""
    out = tmp_path / "site"
    write_site(out, n_activities=300, env={}, offline=True)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "data.db" for p in files)
    for path in files:
        data = path.read_bytes()
        assert HIDDEN.encode() not in data, path
        assert PSEUDO.encode() not in data, path


def test_format_size() -> None:
    assert format_size(10) == "10 B"
    assert format_size(1536) == "1.5 KB"
    assert format_size(3 * 1024 * 1024) == "3.0 MB"
