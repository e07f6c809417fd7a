"""Every page type of a real-organisation-shaped site in Chromium at 320, 390 and 1280 px, light
and dark (WEB-07, WEB-60): no horizontal overflow, no text overflowing its box, text and controls
readable (contrast ≥ 4.5:1, 3:1 for large text), a visible focus ring (≥ 3:1) on every control
reached by Tab, and no request to another host. Screenshots go to `tests/site/artifacts/`
(ignored by git; CI keeps the folder as an artefact)."""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from orgfixture import make_org_data_dir, org_config
from sitefixture import NOW

from leaderboard.site import BuildOptions, build_site

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = [320, 390, 1280]
SCHEMES = ["light", "dark"]
PAGES = {
    "home": "",
    "week": "leaderboard/week/",
    "month": "leaderboard/month/",
    "all-time": "leaderboard/all-time/",
    "all-time-page-2": "leaderboard/all-time/page/2/",
    "people": "people/",
    "people-page-2": "people/page/2/",
    "badges": "badges/",
    "profile-core": "rithviknishad/",
    "profile-long": "khavinshankar-contributions-account/",
    "profile-bot": "dependabot[bot]/",
    "docs": "docs/site/",
    "scoring": "scoring/",
    "explorer": "data/",
    "404": "404.html",
}
VENDOR = Path(__file__).resolve().parents[2] / "node_modules" / "sql.js-httpvfs"
READY = "[data-explorer][data-ready]"  # the Data Explorer has loaded the database
TABS = 40  # Tab presses per page: header, main controls and the first content links

# WCAG colour helpers shared by the page measures below: rgba() normalises any CSS colour through
# a canvas, ratio() is the contrast ratio of two colours.
COLOURS = r"""
  const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  const rgba = (c) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1); const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
"""

# Measures in the page; colours are normalised through a canvas so oklch(), color-mix() and
# color(srgb …) compare like hex.
JS = (
    r"""
() => {
"""
    + COLOURS
    + r"""
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const bgOf = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none' && !e.matches('html, body')) return null;  // gradients
      const c = rgba(s.backgroundColor); if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break; }
    let out = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) out = over(layers[i], out);
    return out; };
  const opacity = (el) => { let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o; };
  const clipped = (el) => { for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (['hidden', 'clip', 'auto', 'scroll'].includes(s.overflowX)) return true; }
    return false; };
  const problems = {overflow: [], contrast: []};
  const W = document.documentElement.clientWidth;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || seen.has(el)) continue;
    if (el.closest('svg, script, style, noscript, .sr-only, [hidden], template, pre, code')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.checkVisibility && !el.checkVisibility()) continue;
    seen.add(el);
    const r = document.createRange(); r.selectNodeContents(n);
    const rects = [...r.getClientRects()];
    const label = (el.tagName + '.' + el.className + ' «' + n.textContent.trim().slice(0, 40) + '»');
    if (!clipped(el)) {
      for (const t of rects) {
        if (t.right > box.right + 1.5 || t.left < box.left - 1.5 || t.right > W + 0.5) {
          problems.overflow.push(label + ` text ${Math.round(t.left)}–${Math.round(t.right)} box ${Math.round(box.left)}–${Math.round(box.right)}`);
          break; } } }
    if (opacity(el) < 0.99) continue;  // de-emphasised on purpose (dimmed zero columns, locks)
    const s = getComputedStyle(el);
    const bg = bgOf(el); if (!bg) continue;
    const fg = over(rgba(s.color), bg);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const c = ratio(fg, bg);
    if (c < need) problems.contrast.push(label + ` ${c.toFixed(2)} < ${need} (${s.color} on ${bg.slice(0,3)})`);
  }
  problems.scrollWidth = document.documentElement.scrollWidth;
  problems.innerWidth = window.innerWidth;
  return problems;
}
"""
)

FOCUS_JS = r"""
() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  const rgba = (c) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1); const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const name = el.tagName + (el.id ? '#' + el.id : '') + (el.type ? '[' + el.type + ']' : '') + '.' + (el.getAttribute('class') || '') +
    ' «' + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30) + '»';
  let target = el;
  if (el.matches('input') && parseFloat(getComputedStyle(el).opacity) === 0) target = el.nextElementSibling;
  const s = getComputedStyle(target);
  // the ring is drawn outside the element (offset 2px): compare it with what is behind it
  const layers = [];
  for (let e = target.parentElement; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break; }
  let bg = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  if (target.closest('svg')) {
    const ok = s.stroke !== 'none' && parseFloat(s.strokeWidth) >= 1;
    return {name, ok, contrast: ok ? ratio(over(rgba(s.stroke), bg), bg) : 0};
  }
  const ok = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1.5;
  return {name, ok, contrast: ok ? ratio(over(rgba(s.outlineColor), bg), bg) : 0};
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def org_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is not installed (scripts/install-system-deps.sh)")
    if not (VENDOR / "dist" / "index.js").is_file():
        pytest.fail("sql.js-httpvfs is not in node_modules/ (scripts/install-system-deps.sh)")
    tmp = tmp_path_factory.mktemp("org")
    art = tmp / "art" / "b"
    art.mkdir(parents=True)
    for name, colour in (("bronze", "#b45309"), ("silver", "#64748b")):
        (art / f"{name}.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="{colour}"/></svg>'
        )
    art_server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp / "art"))
    )
    threading.Thread(target=art_server.serve_forever, daemon=True).start()
    data, db = make_org_data_dir(tmp, f"http://127.0.0.1:{art_server.server_address[1]}")
    root = tmp / "root"
    options = BuildOptions(
        data_dir=data, config=org_config(), now=NOW, out=root / "board", db_path=db,
        cache_dir=tmp / "cache", offline=False, workers=1, logger=logging.getLogger("test.org"),
        avatars="none", og=False, explorer=True,
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:  # the explorer's verified files, offline
        patch.setenv("LEADERBOARD_VENDOR_DIR", str(VENDOR))
        build_site(options)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ARTIFACTS.mkdir(exist_ok=True)
    yield f"http://127.0.0.1:{server.server_address[1]}/board/"
    server.shutdown()
    art_server.shutdown()


def _browser() -> Any:
    from playwright.sync_api import sync_playwright

    return sync_playwright()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_web_60_every_page_type_at_every_width_and_scheme(
    org_site: str, width: int, scheme: str
) -> None:
    problems: list[str] = []
    with _browser() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            color_scheme=scheme,
            has_touch=width < 1024,
            reduced_motion="reduce",
        )
        page = context.new_page()
        foreign: list[str] = []
        origin = org_site.split("/board/")[0]
        page.on(
            "request",
            lambda r: None if r.url.startswith((origin, "data:")) else foreign.append(r.url),
        )
        for name, path in PAGES.items():
            page.goto(org_site + path)
            page.wait_for_load_state("load")
            if name == "explorer":  # its console shows once loaded; checked with results
                page.wait_for_selector(READY, timeout=30000)
                page.click("[data-example] >> nth=0")
                page.click("[data-run]")
                page.wait_for_selector("[data-results] table tbody tr", timeout=30000)
            assert page.evaluate("document.documentElement.classList.contains(arguments[0])"
                                 .replace("arguments[0]", repr(scheme)))  # fmt: skip
            page.screenshot(path=str(ARTIFACTS / f"{width}-{scheme}-{name}.png"))
            found = page.evaluate(JS)
            if found["scrollWidth"] > found["innerWidth"]:
                problems.append(f"{name}: page is {found['scrollWidth']}px wide at {width}px")
            problems += [f"{name}: overflow {x}" for x in found["overflow"][:5]]
            problems += [f"{name}: contrast {x}" for x in found["contrast"][:5]]
            if width != 320:  # keyboard users: once per scheme at a phone and a desktop width
                page.evaluate("window.scrollTo(0, 0)")
                for _ in range(TABS):
                    page.keyboard.press("Tab")
                    ring = page.evaluate(FOCUS_JS)
                    if ring is None:
                        continue
                    if not ring["ok"] or ring["contrast"] < 3:
                        problems.append(f"{name}: focus ring on {ring['name']}: {ring}")
                        break
        assert foreign == [], f"requests to another host: {foreign[:5]}"
        browser.close()
    assert problems == [], "\n".join(problems[:40])


def _page(p: Any, width: int = 390, scheme: str = "light") -> Any:
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    context = browser.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme, reduced_motion="reduce",
        has_touch=width < 1024,
    )  # fmt: skip
    return browser, context.new_page()


def test_web_63_every_contributor_reachable_and_show_more_and_search_use_the_json(
    org_site: str,
) -> None:
    with _browser() as p:
        browser, page = _page(p, 1280)
        page.goto(org_site + "leaderboard/all-time/")
        rows = page.locator("#lb-main tr[data-row]")
        assert rows.count() == 100
        total = int(page.get_attribute("[data-count]", "data-total") or 0)
        assert total > 250 and page.inner_text("[data-count]") == f"1–100 of {total}"
        assert (
            page.locator("link[rel=next]").get_attribute("href")
            == "/board/leaderboard/all-time/page/2/"
        )
        # without JavaScript: the numbered pages hold every ranked contributor once
        seen: set[str] = set()
        for n in (1, 2, 3):
            path = "" if n == 1 else f"page/{n}/"
            html = (page.context.request.get(org_site + "leaderboard/all-time/" + path)).text()
            seen |= set(re.findall(r'data-username="([^"]+)"', html.split('id="lb-bots"')[0]))
        assert len(seen) == total and "tail-249" in seen
        # with JavaScript: "Show more" appends the next 100 from the JSON API
        page.click("[data-show-more]")
        page.wait_for_function(
            "document.querySelectorAll('#lb-main tr[data-row]:not([hidden])').length === 200"
        )
        assert page.is_hidden("[data-pager]")
        # search covers the whole ranking, not only the rows on the page
        page.fill("[data-search]", "tail-249")
        assert page.locator("#lb-main tr[data-row]:visible").count() == 1
        # Escape closes the role popover and gives focus back to its button (WEB-32)
        page.click("[data-role-button]")
        assert page.is_visible("[data-role-popover]")
        page.keyboard.press("Escape")
        assert page.is_hidden("[data-role-popover]")
        assert page.evaluate("document.activeElement.hasAttribute('data-role-button')")
        # sort control: by name, ranks unchanged
        page.click("[data-clear]")
        page.select_option("[data-sort]", "name")
        first = page.locator("#lb-main tr[data-row]:visible").first
        assert first.get_attribute("data-username") == "a" * 39
        assert first.get_attribute("data-rank") != "1"
        # the People list: numbered pages and a search over everyone
        page.goto(org_site + "people/")
        assert page.locator(".view-list > .people-section .person-card").count() == 200
        page.fill("[data-people-query]", "tail-249")
        page.wait_for_selector("[data-people-results] .person-card")
        assert page.locator("[data-people-results] .person-card").count() == 1
        browser.close()


def test_web_60_phone_details(org_site: str) -> None:
    with _browser() as p:
        browser, page = _page(p, 390)
        for path in ("", "leaderboard/week/", "leaderboard/month/", "badges/"):
            page.goto(org_site + path)
            spots = page.locator(".podium-spot").all()
            assert len(spots) == 3, path
            boxes = [s.locator(".nm").first.bounding_box() for s in spots]
            for a, b in itertools.pairwise(boxes):  # podium names never overlap
                assert a and b and a["x"] + a["width"] <= b["x"] + 0.5, (path, boxes)
            for pedestal in page.locator(".pedestal").all():  # the digit fits its pedestal
                assert pedestal.evaluate("e => e.scrollHeight <= e.clientHeight + 1"), path
        # the bottom tab bar and the sticky header are opaque
        for sel in (".main-nav", ".site-header"):
            alpha = page.evaluate(
                "s => { const c = document.createElement('canvas').getContext('2d');"
                " c.fillStyle = getComputedStyle(document.querySelector(s)).backgroundColor;"
                " c.fillRect(0, 0, 1, 1); return c.getImageData(0, 0, 1, 1).data[3]; }",
                sel,
            )
            assert alpha == 255, sel
        # the heatmap starts at the newest weeks; a day is reachable by keyboard
        page.goto(org_site + "rithviknishad/")
        scroll = page.locator("[data-heatmap-scroll]:visible").first
        assert scroll.evaluate(
            "e => e.scrollLeft > 0 && e.scrollLeft + e.clientWidth >= e.scrollWidth - 1"
        )
        page.focus("svg.heatmap:visible rect[tabindex='0']")
        before = page.evaluate("document.activeElement.getAttribute('x')")
        page.keyboard.press("ArrowLeft")
        after = page.evaluate("document.activeElement.getAttribute('x')")
        assert page.evaluate("document.activeElement.tagName") == "rect" and int(after) <= int(
            before
        )
        assert page.evaluate("document.activeElement.getAttribute('tabindex')") == "0"
        # People list/gallery toggle shows its state in light mode (≥ 3:1 against the other)
        page.goto(org_site + "people/")
        bg = page.evaluate(
            "() => [...document.querySelectorAll('.view-switch label')].map(l => getComputedStyle(l).backgroundColor)"
        )
        assert bg[0] != bg[1]
        # no Ctrl+Enter hint on touch screens (the explorer's shortcut is hidden by CSS)
        css = page.context.request.get(org_site + "static/site.css").text()
        assert (
            "@media (hover: none) and (pointer: coarse) { [data-shortcut] { display: none; } }"
            in css
        )
        browser.close()


# Probe points of the visible heatmap: the centre of an empty in-range day, of each active day
# and of a column-0 cell before the range starts (or null), in the SVG's own pixels.
HEATMAP_PROBES = r"""
() => {
  const svg = [...document.querySelectorAll('svg.heatmap')].find(s => s.getClientRects().length);
  const active = [...svg.querySelectorAll('rect.c')].map(r =>
    [+r.getAttribute('x'), +r.getAttribute('y'), r.getAttribute('class')]);
  const taken = new Set(active.map(([x, y]) => x + ',' + y));
  let empty = null;
  for (let x = 45; x < 700 && !empty; x += 15)
    for (let y = 16; y < 117 && !empty; y += 15) if (!taken.has(x + ',' + y)) empty = [x, y];
  const top = /^M30 (\d+)/.exec(svg.querySelector('path').getAttribute('d'))[1];
  const css = getComputedStyle(document.documentElement);
  const colour = (n) => (css.getPropertyValue('--activity-graph-' + n)
    || css.getPropertyValue('--lb-activity-graph-' + n)).trim();
  return {empty, active: active.slice(0, 5), outside: +top > 16 ? [30, 16] : null,
          levels: [0, 1, 2, 3, 4].map(colour), card: getComputedStyle(svg.closest('.card')).backgroundColor};
}
"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_web_40_heatmap_paints_empty_days_from_one_pattern(org_site: str, scheme: str) -> None:
    """Empty days are a pattern under the active days (WEB-63): each must still show as a cell
    of level 0, active days in their level's colour, days outside the range not at all."""
    import io

    from PIL import Image

    with _browser() as p:
        browser, page = _page(p, 1280, scheme)
        page.goto(org_site + "rithviknishad/")
        probes = page.evaluate(HEATMAP_PROBES)
        svg = page.locator("svg.heatmap:visible").first
        shot = Image.open(io.BytesIO(svg.screenshot())).convert("RGB")
        rgb = page.evaluate(
            "cs => cs.map(c => { const x = document.createElement('canvas').getContext('2d');"
            " x.fillStyle = c; x.fillRect(0, 0, 1, 1); return [...x.getImageData(0, 0, 1, 1)"
            ".data.slice(0, 3)]; })",
            [*probes["levels"], probes["card"]],
        )
        levels, card = rgb[:5], rgb[5]

        def near(a: tuple[int, ...], b: list[int]) -> bool:
            return all(abs(x - y) <= 3 for x, y in zip(a, b, strict=True))

        x, y = probes["empty"]
        assert near(shot.getpixel((x + 5, y + 5)), levels[0]), (scheme, "empty day")
        assert probes["active"], "the core member has active days in the last year"
        for ax, ay, cls in probes["active"]:
            level = int(cls.rsplit("hl-", 1)[1])
            assert near(shot.getpixel((ax + 5, ay + 5)), levels[level]), (scheme, cls)
        if probes["outside"]:
            ox, oy = probes["outside"]
            assert near(shot.getpixel((ox + 5, oy + 5)), card), (scheme, "outside the range")
        # the gaps between cells stay the card's colour (the pattern tiles line up with cells)
        assert near(shot.getpixel((x + 13, y + 5)), card), (scheme, "gap")
        # the page defines its shared paint servers once: the pattern and the sparkline gradient
        assert page.evaluate("document.querySelectorAll('#hm-empty').length") == 1
        assert page.evaluate("document.querySelectorAll('#spark-fill').length") == 1
        # icons are drawn with Lucide's strokes from the stylesheet, from the page's symbols
        # (the timeline repeats its type icons) and from the site's sprite file alike
        for sel in ("svg.icon use[href^='#']", "svg.icon use[href*='icons.svg']"):
            style = page.evaluate(
                "s => { const c = getComputedStyle(document.querySelector(s));"
                " return [c.fill, c.stroke, c.strokeWidth, c.strokeLinecap]; }",
                sel,
            )
            assert (
                style[0] == "none" and style[1].startswith("rgb") and style[2:] == ["2px", "round"]
            )
        # the chrome's icons come from the site's sprite file (an external, same-origin `<use>`,
        # base path honoured) and are painted: the navigation's house is not blank
        house = page.locator(".main-nav svg.icon").first
        href = house.locator("use").get_attribute("href") or ""
        assert href.startswith("/board/static/icons.svg?v=") and href.endswith("#i-house")
        assert page.context.request.get(org_site + "static/icons.svg").ok
        for _ in range(50):  # the sprite document loads asynchronously
            shot = Image.open(io.BytesIO(house.screenshot())).convert("RGB")
            if shot.getcolors(2) is None:  # None: more than two colours
                break
            page.wait_for_timeout(100)
        assert shot.getcolors(2) is None, (scheme, "the sprite's house icon is not drawn")
        browser.close()


@pytest.mark.parametrize("js", [True, False])
def test_web_43_one_showcase_closed_above_the_breakdown_or_beside_the_timeline(
    org_site: str, js: bool
) -> None:
    """The achievements are in the page once (they were rendered twice, one copy per width):
    below md a closed <details> above the breakdown, at md the sidebar beside the timeline,
    shown with and without JavaScript."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        request = browser.new_context().request
        board = request.get(org_site + "leaderboard/all-time/").text()
        paths = re.findall(r'<a class="who stretched" href="/board/([^"]+)"', board)
        url = next(
            org_site + u for u in paths if "data-achievements" in request.get(org_site + u).text()
        )
        for width in (390, 1280):
            page = browser.new_context(
                viewport={"width": width, "height": 800}, java_script_enabled=js
            ).new_page()
            page.goto(url)
            html = page.content()
            assert html.count("data-achievements") == 1 and html.count("Achievements ·") == 1
            cards = page.locator("[data-achievements] .badge-card")
            assert cards.count() > 0
            box = page.evaluate(
                "() => Object.fromEntries(['[data-achievements] summary', '.breakdown',"
                " '.timeline'].map(s => [s, document.querySelector(s).getBoundingClientRect()"
                ".toJSON()]))"
            )
            summary, breakdown, timeline = box.values()
            if width < 768:
                assert not cards.first.is_visible()  # closed
                assert summary["bottom"] <= breakdown["top"]
            else:
                assert cards.first.is_visible()
                assert (
                    summary["left"] >= timeline["right"] and summary["top"] >= breakdown["bottom"]
                )
            page.context.close()
        browser.close()


def test_web_42_timeline_is_bounded_loads_older_months_and_filters(org_site: str) -> None:
    with _browser() as p:
        browser, page = _page(p, 1280)
        html = page.context.request.get(org_site + "rithviknishad/").text()
        assert html.count('class="tl-item"') == 100  # timeline_limit (WEB-42 revised)
        assert "Showing the 100 most recent of 420 activities" in html
        page.goto(org_site + "rithviknishad/")
        status = page.locator("[data-tl-status]")
        assert page.locator("[data-month]:visible").count() == 1
        assert status.inner_text().endswith("months")
        rendered = page.locator("[data-month]").count()
        for _ in range(rendered + 1):  # past the rendered months: the next one comes from JSON
            page.click("[data-load-more]")
        page.wait_for_function(f"document.querySelectorAll('[data-month]').length > {rendered}")
        items = page.eval_on_selector_all(
            ".tl-item",
            "els => els.map(e => e.querySelector('time').getAttribute('datetime') + ' '"
            " + e.dataset.type + ' ' + e.querySelector('.tl-title').textContent)",
        )
        assert len(items) == len(set(items)) > 100  # the cut month was completed, not doubled
        # the loaded items have the rendered ones' shape: icon, type, time, points, linked title
        loaded = page.locator(".tl-item").nth(len(items) - 1)
        assert loaded.locator("svg use").count() == 1 and loaded.locator("time").count() == 1
        assert loaded.locator(".tl-title a[rel='noopener nofollow']").count() == 1
        # the external-link icon of linked titles comes from the stylesheet, rendered or loaded
        for item in (page.locator(".tl-item").first, loaded):
            after = item.locator(".tl-title a").evaluate(
                "a => { const c = getComputedStyle(a, '::after');"
                " return [c.maskImage || c.webkitMaskImage, c.width]; }"
            )
            assert after[0].startswith('url("data:image/svg+xml') and after[1] == "12px"
        # the month the limit cuts now holds all its activities, each once (page + year file)
        more = json.loads(re.search(r"data-tl-more>(.*?)</script>", html, re.S)[1])  # type: ignore[index]
        cut = page.locator("[data-month]").nth(rendered - 1)
        key = cut.get_attribute("data-month")
        assert more[0]["key"] == key and cut.locator(".tl-item").count() == more[0]["count"]
        # activity-type filter: persisted, "(filtered)" header, Clear
        page.click("[data-tl-type-button]")
        page.check("[data-tl-type][value='PR Reviewed']")
        page.keyboard.press("Escape")
        assert page.is_hidden("[data-tl-type-popover]")
        assert (
            page.evaluate("localStorage.getItem('leaderboard_activity_type_filter')")
            == '["PR Reviewed"]'
        )
        assert status.inner_text().endswith("(filtered)")
        types = page.eval_on_selector_all(
            ".tl-item:not([hidden])", "els => [...new Set(els.map(e => e.dataset.type))]"
        )
        assert types == ["PR Reviewed"]
        # a date range with no activity: the filtered-empty message
        page.fill("[data-tl-from]", "2001-01-01")
        page.fill("[data-tl-to]", "2001-01-31")
        page.dispatch_event("[data-tl-to]", "change")
        assert page.is_visible("[data-tl-empty]")
        page.click("[data-tl-clear]")
        assert page.is_hidden("[data-tl-empty]") and not status.inner_text().endswith("(filtered)")
        assert page.evaluate("localStorage.getItem('leaderboard_activity_type_filter')") is None
        browser.close()


# The Run button's label on its own background, and the button against the page (WCAG 1.4.11).
RUN_JS = (
    r"""
() => {
"""
    + COLOURS
    + r"""
  const run = document.querySelector('[data-run]');
  const page = rgba(getComputedStyle(document.body).backgroundColor);
  const s = getComputedStyle(run), bg = rgba(s.backgroundColor), box = run.getBoundingClientRect();
  return {alpha: bg[3], label: ratio(rgba(s.color), bg), against: ratio(bg, page),
          width: box.width, height: box.height, text: run.textContent.trim()};
}
"""
)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_web_49_explorer_run_button_focus_shortcut_and_an_example_query(
    org_site: str, scheme: str
) -> None:
    with _browser() as p:
        browser, page = _page(p, 1280, scheme)
        page.goto(org_site + "data/")
        page.wait_for_selector(READY, timeout=30000)
        # an example query fills the editor; Run shows its rows
        page.click("[data-example] >> nth=0")
        assert page.input_value("[data-sql-editor]").strip()
        run = page.locator("[data-run]")
        assert run.is_enabled()
        found = page.evaluate(RUN_JS)
        assert found["text"] == "Run" and found["width"] >= 40 and found["height"] >= 24, found
        assert found["alpha"] == 1 and found["label"] >= 4.5 and found["against"] >= 3, found
        run.click()
        page.wait_for_selector("[data-results] table tbody tr", timeout=30000)
        assert page.locator("[data-results] table tbody tr").count() > 0
        # keyboard: out of the editor with Escape then Tab, onto Run, with a visible ring
        page.click("[data-sql-editor]")
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.hasAttribute('data-run')")
        ring = page.evaluate(FOCUS_JS)
        assert ring and ring["ok"] and ring["contrast"] >= 3, ring
        # the shortcut hint is shown with a keyboard and a mouse …
        assert page.is_visible("[data-shortcut]")
        assert page.inner_text("[data-shortcut]") == "Ctrl+Enter"
        page.press("[data-sql-editor]", "Control+Enter")  # … and does what it says
        page.wait_for_selector("[data-results] table tbody tr", timeout=30000)
        browser.close()
        # … and hidden on a touch screen (a phone: touch, no hover, coarse pointer)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        phone = browser.new_context(
            viewport={"width": 390, "height": 800}, color_scheme=scheme, has_touch=True,
            is_mobile=True, device_scale_factor=2, reduced_motion="reduce",
        )  # fmt: skip
        page = phone.new_page()
        page.goto(org_site + "data/")
        page.wait_for_selector(READY, timeout=30000)
        assert page.evaluate("matchMedia('(hover: none) and (pointer: coarse)').matches")
        assert page.is_hidden("[data-shortcut]")
        assert page.is_visible("[data-run]")
        browser.close()
