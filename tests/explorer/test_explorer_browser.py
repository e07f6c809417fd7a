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
    run_query(page, "DELETE FROM activity;")
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
