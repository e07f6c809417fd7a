"""Bytes the Data Explorer fetches for its budgeted examples (CORE-80), in real headless Chromium.

Serves the built site with `leaderboard serve`'s server on 127.0.0.1, opens `/data/` in a fresh
page per example, clicks the example, runs it and reads the page's own fetched-bytes counter
(everything fetched since the page loaded, the database header and schema included).
"""

from __future__ import annotations

import threading
from pathlib import Path

BUDGETS = {"Recent activity": 0.02, "Top 10 by points": 0.30}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def probe(site: Path, chromium: str = "/usr/bin/chromium") -> str | None:
    if not Path(chromium).exists() or not (site / "data" / "index.html").exists():
        return None
    from playwright.sync_api import sync_playwright

    from leaderboard.serve import make_server

    server = make_server(site, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    chunked = site / "data.db.json"  # WEB-47: shipped in chunks above the threshold
    if chunked.is_file():
        import json

        size = int(json.loads(chunked.read_text())["databaseLengthBytes"])
    else:
        size = (site / "data.db").stat().st_size
    parts = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            for name, budget in BUDGETS.items():
                page = browser.new_page()
                page.goto(f"{url}/data/")
                page.wait_for_selector("[data-explorer][data-ready]", timeout=60000)
                page.get_by_role("button", name=name).click()
                page.click("[data-run]")
                page.wait_for_function(
                    "document.querySelector('[data-run]').textContent === 'Run'"
                    " && document.querySelector('[data-results]').children.length > 0",
                    timeout=60000,
                )
                rows = page.locator(".explorer-table tbody tr").count()
                fetched = int(page.locator("[data-stats]").get_attribute("data-fetched-bytes") or 0)
                share = fetched / size
                verdict = "ok" if share <= budget else "OVER"
                parts.append(
                    f"{name}: {rows} rows, {fetched:,} of {size:,} bytes "
                    f"({share:.2%}, budget {budget:.0%}) {verdict}"
                )
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return "; ".join(parts)


if __name__ == "__main__":
    import sys

    print(probe(Path(sys.argv[1])))
