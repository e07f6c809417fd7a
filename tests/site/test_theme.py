"""Organisation themes and brand images (WEB-07): Tailwind v4 translation, colour fallbacks,
distinct chart colours, and remote files fetched at build time from a real local server."""

from __future__ import annotations

import dataclasses
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from leaderboard.db.database import Database
from leaderboard.site import BuildOptions, build_site
from leaderboard.site import theme as th
from leaderboard.site.env import PACKAGE_STATIC

FIXTURE_THEME = Path(__file__).parent / "fixture_org" / "theme.css"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4"/></svg>'
)


def test_theme_blocks_become_root_and_tailwind_rules_are_dropped_with_a_warning_each() -> None:
    out = th.translate(FIXTURE_THEME.read_text(), "theme.css")
    assert "@theme" not in out.css and "@import" not in out.css and "@apply" not in out.css
    assert ":root {\n  --color-sage-50: #f4f7f4;" in out.css
    assert ":root {\n  --color-background: var(--background);" in out.css  # @theme inline
    assert "@layer" not in out.css and "body {" in out.css  # unwrapped, so it beats built-ins
    assert ".brand-title {\n  letter-spacing: -0.01em;\n}" in out.css  # the rest verbatim
    assert "--primary: var(--color-sage-700);" in out.css
    lines = {w.split(":")[1] for w in out.warnings}
    # two @import, @plugin, @source, @custom-variant, two @apply, @utility: one warning each
    assert len(out.warnings) == 8, out.warnings
    assert "3" in lines and "4" in lines  # file:line of each dropped rule
    assert all(w.startswith("theme.css:") for w in out.warnings)
    assert any("@apply bg-background text-foreground" in w for w in out.warnings)


def test_translate_keeps_strings_comments_and_media_blocks() -> None:
    css = (
        '/* { not a block } */ .a::before { content: "}{"; }\n'
        "@media (min-width: 640px) { @theme { --x: 1px; } .b { color: red; @apply p-2; } }\n"
        "@keyframes spin { to { transform: rotate(1turn); } }"
    )
    out = th.translate(css, "t.css")
    assert '.a::before { content: "}{"; }' in out.css
    assert "@media (min-width: 640px) { :root { --x: 1px; } .b" in out.css
    assert ".b { color: red;  }" in out.css
    assert "@keyframes spin { to { transform: rotate(1turn); } }" in out.css
    assert out.warnings == ["t.css:2: dropped Tailwind-only @apply p-2;"]


def test_every_colour_variable_the_builtin_css_uses_has_a_fallback() -> None:
    css = (PACKAGE_STATIC / "site.css").read_text()
    bare = re.findall(r"var\(--(?!lb-)([\w-]+)\)", css)
    allowed = {"radius", "font-sans", "font-mono", "font-serif", "activity-graph-radius"}
    assert {b for b in bare if not b.startswith("people-grid")} <= allowed, set(bare) - allowed
    for name in ("primary", "foreground", "border", "ring", "chart-1", "muted-foreground"):
        assert f"--lb-{name}:" in css


def test_near_identical_chart_colours_get_distinct_hues_but_keep_the_brand_colour() -> None:
    warnings: list[str] = []
    base = (PACKAGE_STATIC / "site.css").read_text()
    css = base + th.translate(FIXTURE_THEME.read_text(), "theme.css").css
    extra = th.chart_overrides(css, warnings.append, "theme")
    assert ":root:not(.dark) {" in extra and ".dark {" in extra and len(warnings) == 2
    after = th.collect(css + extra)
    labs = [th.parse_colour(th.resolve(f"--chart-{k}", after.light) or "") for k in range(1, 6)]
    assert th.resolve("--chart-1", after.light) == "#3d573d"  # the brand's own colour stays
    assert all(lab is not None for lab in labs)
    known = [x for x in labs if x is not None]
    closest = min(
        ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2) ** 0.5
        for n, a in enumerate(known)
        for b in known[n + 1 :]
    )
    assert closest >= th.MIN_DISTANCE
    # the built-in palette is distinct already: nothing added
    assert th.chart_overrides(base, warnings.append, "theme") == ""


def test_colour_parsing_agrees_across_notations() -> None:
    red = th.parse_colour("#ff0000")
    assert red is not None
    for text in ("rgb(255 0 0)", "rgb(255, 0, 0)", "hsl(0 100% 50%)", "oklch(62.8% 0.2577 29.23)"):
        other = th.parse_colour(text)
        assert other is not None and max(abs(a - b) for a, b in zip(red, other, strict=True)) < 0.01
    assert th.parse_colour("color-mix(in srgb, red, blue)") is None


class _Files(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict[str, tuple[bytes, str]]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        item = self.files.get(self.path)
        if item is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", item[1])
        self.send_header("Content-Length", str(len(item[0])))
        self.end_headers()
        self.wfile.write(item[0])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def brand_host() -> Iterator[str]:
    _Files.files = {
        "/theme.css": (FIXTURE_THEME.read_bytes(), "text/css"),
        "/logo": (PNG, "image/png"),
        "/og.png": (PNG, "image/png"),
        "/b/bronze.svg": (SVG, "image/svg+xml"),
        "/b/silver.svg": (SVG, "image/svg+xml"),
    }
    _Files.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _brand_build(site_inputs: BuildOptions, host: str, *, offline: bool) -> BuildOptions:
    assert site_inputs.db_path is not None
    db = Database.open(site_inputs.db_path)  # the badge art lives on the brand host too
    with db.transaction():
        for row in db.query("SELECT slug, variants FROM badge_definition"):
            db.execute(
                "UPDATE badge_definition SET variants = ? WHERE slug = ?",
                (row["variants"].replace("https://example.org", host), row["slug"]),
            )
    db.close()
    cfg = site_inputs.config
    cfg = dataclasses.replace(
        cfg,
        org=dataclasses.replace(cfg.org, logo_url=f"{host}/logo"),
        meta=dataclasses.replace(cfg.meta, favicon_url="", image_url=f"{host}/og.png"),
        leaderboard=dataclasses.replace(cfg.leaderboard, theme=f"{host}/theme.css"),
    )
    return dataclasses.replace(
        site_inputs, config=cfg, og=False, explorer=False, offline=offline, avatars="none"
    )


def test_remote_theme_logo_and_image_are_served_from_the_site(
    site_inputs: BuildOptions, brand_host: str
) -> None:
    options = _brand_build(site_inputs, brand_host, offline=False)
    result = build_site(options)
    home = (options.out / "index.html").read_text()
    assert brand_host not in home  # no stylesheet, logo, favicon or og:image on another host
    assert re.search(r'<img class="brand-logo" src="/board/static/media/[0-9a-f]{12}\.png"', home)
    assert re.search(
        r'og:image" content="https://example\.github\.io/board/static/media/\w+\.png"', home
    )
    css = (options.out / "static" / "site.css").read_text()
    assert f"/* leaderboard.theme {brand_host}/theme.css */" in css
    assert "--color-sage-700: #3d573d;" in css and "@theme" not in css
    assert not any("Could not fetch" in w for w in result.warnings)
    assert sum(w.count("dropped Tailwind-only") for w in result.warnings) == 8
    assert sorted(set(_Files.hits)) == [
        "/b/bronze.svg",
        "/b/silver.svg",
        "/logo",
        "/og.png",
        "/theme.css",
    ]
    badges = (options.out / "badges" / "index.html").read_text()
    assert re.search(r'src="/board/static/media/[0-9a-f]{12}\.svg"', badges)
    # the host goes away: the cached copies keep the site whole (offline and online alike)
    _Files.files = {}
    for offline in (True, False):
        again = _brand_build(site_inputs, brand_host, offline=offline)
        again = dataclasses.replace(again, out=options.out.parent / f"again-{offline}")
        warnings = build_site(again).warnings
        assert brand_host not in (again.out / "index.html").read_text()
        assert (again.out / "static" / "site.css").read_text() == css
        assert offline or any("using the cached copy" in w for w in warnings)


def test_a_theme_never_fetched_is_linked_with_a_warning(
    site_inputs: BuildOptions, brand_host: str
) -> None:
    _Files.files = {}
    options = _brand_build(site_inputs, brand_host, offline=False)
    result = build_site(options)
    home = (options.out / "index.html").read_text()
    assert f'<link rel="stylesheet" href="{brand_host}/theme.css">' in home
    assert any(
        f"Could not fetch theme {brand_host}/theme.css (HTTP 404)" in w for w in result.warnings
    )
