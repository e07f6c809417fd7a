"""WEB-49, NEW-20, CORE-80: the Data Explorer in headless Chromium against `leaderboard serve`.

Needs Debian's chromium (/usr/bin/chromium) and the real sql.js-httpvfs files in node_modules/
(`make system-deps` fetches both); fails loudly when either is missing.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from siteasm import REAL_VENDOR, write_site

from leaderboard.serve import make_server

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("LEADERBOARD_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
N_ACTIVITIES = 20000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: run `make system-deps` (apt-get install chromium)")
    if not (REAL_VENDOR / "dist" / "index.js").is_file():
        pytest.fail("sql.js-httpvfs is not in node_modules/: run `make system-deps`")
    out = tmp_path_factory.mktemp("explorer") / "site"
    outcome = write_site(out, n_activities=N_ACTIVITIES)
    assert outcome.available
    server = make_server(out, host="127.0.0.1", port=0, base_path="/")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", out
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(site: tuple[str, Path]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, site: tuple[str, Path]) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


def open_explorer(page: Any, url: str, fragment: str = "") -> None:
    page.goto(f"{url}/data/{fragment}")
    page.wait_for_selector("[data-explorer][data-ready]", timeout=30000)


def run_query(page: Any, sql: str | None = None) -> None:
    if sql is not None:
        page.fill("[data-sql-editor]", sql)
    page.click("[data-run]")
    page.wait_for_function(
        "document.querySelector('[data-run]').textContent === 'Run'"
        " && document.querySelector('[data-results]').children.length > 0",
        timeout=30000,
    )


def fetched_share(page: Any, site_dir: Path) -> float:
    stats = page.locator("[data-stats]")
    fetched = int(stats.get_attribute("data-fetched-bytes"))
    return fetched / (site_dir / "data.db").stat().st_size


def test_web_49_loads_with_first_example(page: Any, site: tuple[str, Path]) -> None:
    url, _ = site
    open_explorer(page, url)
    assert page.input_value("[data-sql-editor]").startswith("SELECT username, name, role, title")
    assert page.get_attribute("[data-example]:first-child", "aria-pressed") == "true"
    assert page.text_content("[data-shortcut]") == "Ctrl+Enter"
    assert page.is_enabled("[data-run]")


def test_core_80_recent_activity_within_2_percent(page: Any, site: tuple[str, Path]) -> None:
    url, out = site
    open_explorer(page, url)
    page.get_by_role("button", name="Recent activity").click()
    assert page.get_attribute("button:has-text('Recent activity')", "aria-pressed") == "true"
    run_query(page)
    assert page.locator(".explorer-table tbody tr").count() == 20
    assert "20 rows · 5 columns" in page.text_content(".explorer-footer")
    stats = page.text_content("[data-stats]")
    assert " ms · " in stats and " fetched · " in stats and "request" in stats
    assert fetched_share(page, out) <= 0.02


def test_core_80_top_10_by_points_within_30_percent(page: Any, site: tuple[str, Path]) -> None:
    url, out = site
    open_explorer(page, url)
    page.get_by_role("button", name="Top 10 by points").click()
    run_query(page)
    assert page.locator(".explorer-table tbody tr").count() == 10
    assert fetched_share(page, out) <= 0.30
    # numbers are right-aligned cells, the `#` column counts rows
    assert page.locator(".explorer-table tbody tr:first-child td.num").count() >= 2


def test_new_20_row_cap_and_csv(page: Any, site: tuple[str, Path]) -> None:
    url, _ = site
    open_explorer(page, url)
    run_query(page, "SELECT slug, contributor, points FROM activity ORDER BY slug;")
    text = page.text_content("[data-results]")
    assert "Showing the first 1,000 of" in text
    assert page.locator(".explorer-table tbody tr").count() == 1000
    with page.expect_download() as info:
        page.click("[data-download-csv]")
    download = info.value
    assert download.suggested_filename == "query-result.csv"
    content = Path(download.path()).read_bytes().decode()
    lines = content.split("\r\n")
    assert lines[0] == "slug,contributor,points"
    assert lines[-1] == ""
    assert len(lines) - 2 > 1000  # every row, not just the rendered ones
    assert any(line.endswith(",") for line in lines[1:-1])  # NULL → empty field


def test_new_20_csv_quoting(page: Any, site: tuple[str, Path]) -> None:
    url, _ = site
    open_explorer(page, url)
    run_query(page, "SELECT 'a,b' AS x, 'say \"hi\"' AS y, NULL AS z, 1.5 AS n;")
    assert page.text_content(".explorer-table td.null") == "NULL"
    with page.expect_download() as info:
        page.click("[data-download-csv]")
    content = Path(info.value.path()).read_bytes().decode()
    assert content == 'x,y,z,n\r\n"a,b","say ""hi""",,1.5\r\n'


def test_new_20_copy_link_and_open(page: Any, site: tuple[str, Path], browser: Any) -> None:
    url, _ = site
    open_explorer(page, url)
    sql = "SELECT name FROM activity_definition WHERE name != 'ü' ORDER BY 1;"
    page.fill("[data-sql-editor]", sql)
    page.click("[data-copy-link]")
    page.wait_for_function("document.querySelector('[data-copy-status]').textContent !== ''")
    fragment = page.evaluate("location.hash")
    encoded = base64.urlsafe_b64encode(sql.encode()).decode().rstrip("=")
    assert fragment == f"#sql={encoded}"
    other = browser.new_page()
    try:
        open_explorer(other, url, fragment)
        assert other.input_value("[data-sql-editor]") == sql
        assert other.locator("[data-results] *").count() == 0  # not run automatically
    finally:
        other.close()


def test_new_20_history(page: Any, site: tuple[str, Path]) -> None:
    url, _ = site
    open_explorer(page, url)
    for n in range(3):
        run_query(page, f"SELECT {n};")
    run_query(page, "SELECT 1;")
    stored = page.evaluate("JSON.parse(localStorage.getItem('leaderboard_sql_history'))")
    assert stored[:3] == ["SELECT 1;", "SELECT 2;", "SELECT 0;"]
    assert len(stored) == len(set(stored))
    page.click("[data-history-toggle]")
    items = page.locator("[data-history-item]")
    assert items.first.text_content() == "SELECT 1;"
    page.locator("[data-history-item]", has_text="SELECT 0;").click()
    assert page.input_value("[data-sql-editor]") == "SELECT 0;"


def test_web_49_read_only_and_errors(page: Any, site: tuple[str, Path]) -> None:
    url, _ = site
    open_explorer(page, url)
    run_query(page, "DELETE FROM contributor;")
    assert "readonly" in page.text_content("[data-query-error] pre").lower().replace("-", "")
    run_query(page, "PRAGMA query_only = 0;")
    assert page.locator("[data-query-error]").count() == 1
    run_query(page, "SELEC 1;")
    assert "syntax error" in page.text_content("[data-query-error] pre")
    run_query(page, "SELECT COUNT(*) FROM activity;")
    assert page.locator("[data-query-error]").count() == 0


def test_web_49_no_rows_and_keyboard(page: Any, site: tuple[str, Path]) -> None:
    url, _ = site
    open_explorer(page, url)
    page.fill("[data-sql-editor]", "")
    assert page.is_disabled("[data-run]")
    page.click("[data-sql-editor]")
    page.keyboard.type("SELECT")
    page.keyboard.press("Tab")
    page.keyboard.type("1 WHERE 0;")
    assert page.input_value("[data-sql-editor]") == "SELECT  1 WHERE 0;"
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "document.querySelector('[data-results]').textContent.includes('No rows')"
    )
    assert "Query executed successfully. No rows returned." in page.text_content("[data-results]")


# ---------------------------------------------------------------- WEB-47: chunked serving

CHUNK = 64 * 1024  # a threshold and chunk size lowered for the test (defaults 20 and 8 MiB)


@pytest.fixture(scope="module")
def chunked_site(site: tuple[str, Path]) -> Iterator[tuple[str, Path]]:
    from dataclasses import replace

    from lbsample import make_config

    from leaderboard.config.model import DataExplorerConfig

    config = make_config(
        data_explorer=replace(DataExplorerConfig(), chunk_threshold=CHUNK, chunk_size=CHUNK)
    )
    out = site[1].parent / "chunked-site"
    outcome = write_site(out, n_activities=N_ACTIVITIES, config=config)
    assert outcome.available and outcome.chunks > 10
    server = make_server(out, host="127.0.0.1", port=0, base_path="/")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", out
    server.shutdown()
    server.server_close()


def test_web_47_chunks_concatenate_to_the_database(chunked_site: tuple[str, Path]) -> None:
    """Chunk files of exactly `chunk_size` bytes (the last one shorter), no overlap: their
    concatenation is the database, byte for byte, and the JSON is the library's config."""
    import json

    _, out = chunked_site
    assert not (out / "data.db").exists()
    settings = json.loads((out / "data.db.json").read_text())
    chunks = sorted(out.glob("data.db.[0-9][0-9][0-9]"))
    public = (out.parent / "chunked-site-public.db").read_bytes()
    assert len(public) > 40 * CHUNK  # dozens of chunk boundaries
    assert len(chunks) == -(-len(public) // CHUNK)
    assert settings == {
        "serverMode": "chunked",
        "requestChunkSize": 4096,
        "databaseLengthBytes": len(public),
        "serverChunkSize": CHUNK,
        "urlPrefix": "/data.db.",
        "suffixLength": 3,
    }
    assert [c.stat().st_size for c in chunks[:-1]] == [CHUNK] * (len(chunks) - 1)
    assert 0 < chunks[-1].stat().st_size <= CHUNK
    assert b"".join(c.read_bytes() for c in chunks) == public


def _results(page: Any) -> list[str]:
    return page.locator(".explorer-table tbody tr").all_inner_texts()


def test_web_47_every_example_runs_against_the_chunked_database(
    browser: Any, site: tuple[str, Path], chunked_site: tuple[str, Path]
) -> None:
    """The explorer opens the chunked database (serverMode "chunked") and every example gives
    exactly the rows it gives against the single file, within the same byte budgets."""
    from leaderboard.explorer.page import EXAMPLES

    whole = (chunked_site[1].parent / "chunked-site-public.db").stat().st_size
    budgets = {"Recent activity": 0.02, "Top 10 by points": 0.30}
    for label, _ in EXAMPLES:
        rows = {}
        for name, (url, _) in (("single", site), ("chunked", chunked_site)):
            context = browser.new_context()
            tab = context.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            requested: list[str] = []
            tab.on("request", lambda r, requested=requested: requested.append(r.url))
            open_explorer(tab, url)
            tab.get_by_role("button", name=label).click()
            run_query(tab)
            rows[name] = _results(tab)
            assert errors == [] and rows[name], (label, name, tab.text_content("[data-results]"))
            if name == "chunked":
                assert not any(u.split("?")[0].endswith("/data.db") for u in requested)
                assert any(".db.0" in u for u in requested)
                if label in budgets:
                    fetched = int(tab.locator("[data-stats]").get_attribute("data-fetched-bytes"))
                    assert fetched / whole <= budgets[label], label
            context.close()
        assert rows["chunked"] == rows["single"] and rows["single"], label


def test_web_47_a_whole_database_scan_reads_across_chunk_ends(
    browser: Any, chunked_site: tuple[str, Path]
) -> None:
    """A query reading every page of the chunked database: the library's read-ahead doubles to
    its 5 MiB maximum, so most requests run past a 64 KiB chunk's end (many boundaries in one
    read); `explorer-worker.js` answers them from the consecutive chunks and the results are
    those of SQLite itself. Before, without the worker, these reads came back short ("doXHR
    failed")."""
    import sqlite3

    url, out = chunked_site
    public = out.parent / "chunked-site-public.db"
    # every table and index read whole: rows, sums over every column, and integrity
    sql = (
        "SELECT (SELECT COUNT(*) FROM _activity), (SELECT SUM(length(title)) FROM activity), "
        "(SELECT SUM(points) FROM activity), (SELECT COUNT(*) FROM contributor), "
        "(SELECT group_concat(integrity_check) FROM pragma_integrity_check);"
    )
    conn = sqlite3.connect(f"{public.as_uri()}?mode=ro", uri=True)
    try:
        expected = [str(v) if v is not None else "NULL" for v in conn.execute(sql).fetchone()]
    finally:
        conn.close()
    assert expected[-1] == "ok" and int(expected[0]) > N_ACTIVITIES // 2
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    ranges: list[tuple[str, str]] = []
    tab.on(
        "request",
        lambda r: (
            ranges.append((r.url.split("?")[0], r.headers.get("range", "")))
            if ".db.0" in r.url
            else None
        ),
    )
    open_explorer(tab, url)
    run_query(tab, sql)
    assert tab.locator("[data-query-error]").count() == 0, tab.text_content("[data-results]")
    [row] = _results(tab)
    assert row.split("\t")[1:] == expected  # after the `#` column
    fetched = int(tab.locator("[data-stats]").get_attribute("data-fetched-bytes"))
    size = public.stat().st_size
    assert fetched >= 0.9 * size  # the whole file was read
    # the worker asked for pieces starting at a chunk's first byte (a read continued from the
    # previous chunk), in every chunk past the first few, and never past a chunk's end
    continued = {u for u, r in ranges if r.startswith("bytes=0-")}
    assert len(continued) > len(list(out.glob("data.db.[0-9][0-9][0-9]"))) // 2
    for _, r in ranges:
        if r:
            first, last = (int(x) for x in r.removeprefix("bytes=").split("-"))
            assert 0 <= first <= last < CHUNK
    context.close()
    assert errors == []


def test_web_47_download_link_saves_the_chunks_joined(
    browser: Any, chunked_site: tuple[str, Path]
) -> None:
    """A static host has the chunks, not `data.db`: the page's download link fetches them and
    saves their concatenation, the database byte for byte (no request for `/data.db`, which
    only `leaderboard serve` provides)."""
    url, out = chunked_site
    context = browser.new_context(accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    requested: list[str] = []
    tab.on("request", lambda r: requested.append(r.url.split("?")[0]))
    open_explorer(tab, url)
    with tab.expect_download(timeout=60000) as info:
        tab.click("[data-explorer-download]")
    download = info.value
    assert download.suggested_filename == "data.db"
    public = (out.parent / "chunked-site-public.db").read_bytes()
    assert Path(download.path()).read_bytes() == public
    assert not any(u.endswith("/data.db") for u in requested)
    chunks = len(list(out.glob("data.db.[0-9][0-9][0-9]")))
    assert {f"{url}/data.db.{i:03d}" for i in range(chunks)} <= set(requested)
    tab.wait_for_function(
        "document.querySelector('[data-explorer-download]').textContent.startsWith('Download the')"
    )
    context.close()
    assert errors == []
