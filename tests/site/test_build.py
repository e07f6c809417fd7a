"""End-to-end builds of the fixture site: layout, URLs, privacy, incremental writes (WEB-01…04,
WEB-51…55, NEW-04, NEW-09)."""

from __future__ import annotations

import dataclasses
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitefixture import XSS

from leaderboard.db.database import Database
from leaderboard.errors import InvalidInputError, LeaderboardError
from leaderboard.site import BuildOptions, build_site
from leaderboard.site.artefacts import shard_path
from leaderboard.site.output import MANIFEST


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"<{tag} {name}={value}>")
        if tag == "script" and not any(n in ("src", "type") for n, _ in attrs):
            self.bad.append("inline script")  # only the theme snippet is allowed (checked below)


def event_handlers(html: str) -> list[str]:
    parser = _Attrs()
    parser.feed(html)
    return [b for b in parser.bad if b != "inline script"] + (
        ["extra inline script"] if parser.bad.count("inline script") > 1 else []
    )


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text("utf-8")


def test_web_03_layout_and_manifest(site_inputs: BuildOptions) -> None:
    result = build_site(site_inputs)
    out = site_inputs.out
    for rel in [
        "index.html", "leaderboard/index.html", "leaderboard/week/index.html",
        "leaderboard/month/index.html", "leaderboard/year/index.html",
        "leaderboard/all-time/index.html", "people/index.html", "badges/index.html",
        "404.html", "sitemap.xml", "robots.txt", "_redirects", "static/site.css",
        "static/site.js", "alice/index.html", "renovate[bot]/index.html", "erin/index.html",
        "people/docs/index.html", "assets/img/logo.txt", MANIFEST,
    ]:  # fmt: skip
        assert (out / rel).is_file(), rel
    assert not (out / "ghost").exists()  # hidden contributor: no page (NEW-04)
    assert not (out / "mallory").exists()  # pseudonymous: published under the pseudonym
    assert result.pages == len([p for p in out.rglob("*.html")])
    manifest = read(out, MANIFEST)
    assert '"base_path": "/board/"' in manifest and '"version": 1' in manifest


def test_web_47_explorer_scripts_are_versioned_and_only_with_the_explorer(
    site_inputs: BuildOptions,
) -> None:
    """The page's script and the worker the library is started from (explorer-worker.js, which
    loads the pinned sqlite.worker.js) are shipped with the explorer, under `?v=<hash>` URLs."""
    import hashlib
    import json

    build_site(site_inputs)
    out = site_inputs.out
    worker = (out / "static/explorer-worker.js").read_bytes()
    html = read(out, "data/index.html")
    config = json.loads(html.split('id="explorer-config">')[1].split("</script>")[0])
    version = hashlib.sha256(worker).hexdigest()[:8]
    assert config["workerUrl"] == f"/board/static/explorer-worker.js?v={version}"
    assert config["libraryWorkerUrl"].endswith("/sqlite.worker.js")
    assert (out / "static/explorer.js").is_file()
    build_site(dataclasses.replace(site_inputs, explorer=False))
    assert not (out / "static/explorer-worker.js").exists()
    assert not (out / "static/explorer.js").exists()


def test_web_04_urls_canonical_and_base_path(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    out = site_inputs.out
    home = read(out, "index.html")
    assert '<link rel="canonical" href="https://example.github.io/board/">' in home
    assert 'href="/board/leaderboard/week/"' in home
    bot = read(out, "leaderboard/week/index.html")
    assert "/board/renovate%5Bbot%5D/" in bot
    docs = read(out, "people/docs/index.html")
    assert '<link rel="canonical" href="https://example.github.io/board/people/docs/">' in docs
    assert read(out, "robots.txt") == (
        "User-agent: *\nAllow: /\nSitemap: https://example.github.io/board/sitemap.xml\n"
    )
    assert "/board/contributors/:username /board/:username/ 301" in read(out, "_redirects")


def test_web_05_no_external_scripts_and_one_stylesheet(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    for page in site_inputs.out.rglob("*.html"):
        html = page.read_text("utf-8")
        for src in re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", html):
            assert src.startswith("/board/static/"), (page, src)
        assert not event_handlers(html), page
        if "redirect" not in html and 'http-equiv="refresh"' not in html:
            assert html.count('rel="stylesheet"') == 1
            assert re.search(r'/board/static/site\.css\?v=[0-9a-f]{8}"', html)


def test_web_51_sitemap_excludes_pseudonymous(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    sitemap = read(site_inputs.out, "sitemap.xml")
    assert "<loc>https://example.github.io/board/alice/</loc>" in sitemap
    assert "contributor-" not in sitemap and "ghost" not in sitemap
    assert "/board/leaderboard/</loc>" not in sitemap


def test_web_51_sitemap_index_above_the_per_file_limit(
    site_inputs: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above sitemaps.org's 50,000 URLs per file, `sitemap.xml` becomes an index of parts at
    the site's root holding every entry once, in order (limit lowered to 5 here)."""
    from leaderboard.site.pages import misc

    build_site(site_inputs)
    whole = read(site_inputs.out, "sitemap.xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", whole)
    assert len(locs) > 10 and "<urlset" in whole
    monkeypatch.setattr(misc, "SITEMAP_MAX_URLS", 5)
    split = dataclasses.replace(site_inputs, out=site_inputs.out.parent / "split")
    build_site(split)
    index = read(split.out, "sitemap.xml")
    assert index.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex ')
    parts = re.findall(r"<loc>([^<]+)</loc>", index)
    assert parts == [
        f"https://example.github.io/board/sitemap-{n}.xml" for n in range(1, len(parts) + 1)
    ]
    assert len(parts) == -(-len(locs) // 5)
    listed: list[str] = []
    for url in parts:
        part = read(split.out, url.rsplit("/", 1)[1])
        assert "<urlset" in part
        listed += re.findall(r"<loc>([^<]+)</loc>", part)
    assert listed == locs
    assert not (site_inputs.out / "sitemap-1.xml").exists()  # under the limit: one file


def test_new_04_pseudonymous_profile_is_noindex(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    pseudo = [p for p in site_inputs.out.iterdir() if p.name.startswith("contributor-")]
    assert len(pseudo) == 1
    html = read(site_inputs.out, f"{pseudo[0].name}/index.html")
    assert 'content="noindex, nofollow"' in html
    assert "secret bio" not in html and "Mallory" not in html


def test_web_57_xss_corpus_is_inert_in_html(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    for page in site_inputs.out.rglob("*.html"):
        html = page.read_text("utf-8")
        assert "<script>window.__xss" not in html, page
        assert not event_handlers(html), page
    assert XSS  # the corpus is in the fixture data


def test_web_36_populations_on_pages(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    out = site_inputs.out
    week = read(out, "leaderboard/all-time/index.html")
    main_table = week.split('id="lb-main"')[1].split("</table>")[0]
    assert "Erin Intern" not in main_table and "Renovate" not in main_table
    assert "Bots (1)" in week
    assert "Not ranked: Intern accounts are not included in rankings." in read(
        out, "erin/index.html"
    )
    assert "automation account" in read(out, "renovate[bot]/index.html")
    people = read(out, "people/index.html")
    assert "Show 1 contributors in hidden roles" in people


def test_new_09_unchanged_rebuild_writes_nothing(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    stamps = {p: p.stat().st_mtime_ns for p in site_inputs.out.rglob("*") if p.is_file()}
    again = build_site(site_inputs)
    assert again.written == 0 and again.deleted == 0 and again.rendered == 0
    assert {p: p.stat().st_mtime_ns for p in site_inputs.out.rglob("*") if p.is_file()} == stamps


def test_new_09_bio_change_rerenders_only_that_profile(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    assert site_inputs.db_path is not None
    db = Database.open(site_inputs.db_path)
    db.execute("UPDATE contributor SET bio = 'New bio' WHERE username = 'dave'")
    db.close()
    again = build_site(site_inputs)
    # NEW-09: that profile, its JSON document and the explorer DB (when those components run)
    assert "dave/index.html" in again.written_paths
    # (the JSON document lives in dave's shard, WEB-64)
    allowed = {"dave/index.html", "api/v1/" + shard_path("dave"), "data.db", "data/index.html"}
    assert set(again.written_paths) <= allowed, again.written_paths


def test_web_03_stale_files_deleted_unknown_files_kept(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    out = site_inputs.out
    (out / "keep.txt").write_text("mine")
    (site_inputs.data_dir / "assets" / "img" / "logo.txt").unlink()
    again = build_site(site_inputs)
    assert again.deleted_paths == ["assets/img/logo.txt"]
    assert (out / "keep.txt").exists()


def test_web_01_clean_refuses_foreign_directory(site_inputs: BuildOptions, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "x.txt").write_text("x")
    with pytest.raises(LeaderboardError, match="Refusing to clean"):
        build_site(dataclasses.replace(site_inputs, out=foreign, clean=True))


def test_web_01_site_url_required(site_inputs: BuildOptions) -> None:
    cfg = site_inputs.config
    cfg = dataclasses.replace(cfg, meta=dataclasses.replace(cfg.meta, site_url=None))
    with pytest.raises(InvalidInputError, match=r"meta\.site_url is required"):
        build_site(dataclasses.replace(site_inputs, config=cfg))


def test_web_07_theme_css_appended(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    css = read(site_inputs.out, "static/site.css")
    assert css.rstrip().endswith("/* theme.css */\n:root { --primary: #7c3aed; }".rstrip())
    assert (
        Path(__file__).parents[2] / "src/leaderboard/site/static/site.js"
    ).stat().st_size <= 40 * 1024


def test_core_80_parallel_build_is_identical(site_inputs: BuildOptions, tmp_path: Path) -> None:
    build_site(site_inputs)
    other = dataclasses.replace(site_inputs, out=tmp_path / "par", workers=2)
    build_site(other)
    a = {
        p.relative_to(site_inputs.out): p.read_bytes()
        for p in site_inputs.out.rglob("*")
        if p.is_file()
    }
    b = {p.relative_to(other.out): p.read_bytes() for p in other.out.rglob("*") if p.is_file()}
    assert a.keys() == b.keys()
    diff = [k for k in a if a[k] != b[k] and k.name != MANIFEST]
    assert diff == []
    assert os.cpu_count()


def test_web_12_path_logo_favicon_and_theme_get_the_base_path(site_inputs: BuildOptions) -> None:
    cfg = site_inputs.config
    cfg = dataclasses.replace(
        cfg,
        org=dataclasses.replace(cfg.org, logo_url="/assets/img/logo.png"),
        meta=dataclasses.replace(cfg.meta, favicon_url=""),
        leaderboard=dataclasses.replace(cfg.leaderboard, theme="/assets/theme.css"),
    )
    build_site(dataclasses.replace(site_inputs, config=cfg, og=False, explorer=False))
    home = read(site_inputs.out, "index.html")
    assert '<link rel="icon" href="/board/assets/img/logo.png">' in home  # favicon falls back
    assert 'class="brand-logo" src="/board/assets/img/logo.png"' in home
    assert home.count('src="/board/assets/img/logo.png"') == 3  # header, hero, footer
    assert 'src="/assets/img/logo.png"' not in home
    assert '<link rel="stylesheet" href="/board/assets/theme.css">' in home
    # absolute URLs are kept as they are
    build_site(dataclasses.replace(site_inputs, og=False, explorer=False))
    assert 'src="https://example.org/logo.png"' in read(site_inputs.out, "index.html")


def test_web_45_generated_avatar_gives_the_initials_disc(site_inputs: BuildOptions) -> None:
    """Offline, every avatar is a generated fallback (WEB-09): the Open Graph card has no
    picture to show and draws the #3b82f6 initials disc with its #60a5fa ring (WEB-45)."""
    import io

    from PIL import Image

    from leaderboard.site import og

    build_site(dataclasses.replace(site_inputs, explorer=False))
    out = site_inputs.out
    assert (out / "avatars" / "alice.webp").is_file()
    card = Image.open(io.BytesIO((out / "alice" / "opengraph-image.png").read_bytes()))
    rgb = card.convert("RGB")
    outer = og.AVATAR + 2 * og.BORDER
    top = int(og._layout_top())
    assert rgb.getpixel((600 - 60, top + outer // 2)) == og.BLUE  # the disc, not a picture
    assert rgb.getpixel((600 - outer // 2 + 2, top + outer // 2)) == og.LIGHT_BLUE  # its ring
