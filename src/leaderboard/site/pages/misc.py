"""Small files and pages: redirect page, 404, sitemap, robots.txt, _redirects (WEB-25, WEB-51…54)."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from leaderboard.site.contexts import Link, NotFoundContext, RedirectContext
from leaderboard.site.model import SiteModel


def build_redirect(model: SiteModel) -> RedirectContext:
    return RedirectContext(target=model.urls.path("leaderboard/week/"))


def build_not_found(model: SiteModel) -> NotFoundContext:
    u = model.urls
    return NotFoundContext(
        links=[
            Link("Home", u.path(""), "house"),
            Link("Leaderboard", u.path("leaderboard/week/"), "trophy"),
            Link("People", u.path("people/"), "users"),
        ]
    )


def robots_txt(model: SiteModel) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {model.urls.absolute('sitemap.xml')}\n"


def redirects_file(model: SiteModel) -> str:
    b = model.urls.base_path
    return (
        f"{b}contributors/:username {b}:username/ 301\n"
        f"{b}leaderboard {b}leaderboard/week/ 301\n"
        f"{b}leaderboard/ {b}leaderboard/week/ 301\n"
    )


SITEMAP_MAX_URLS = 50_000  # sitemaps.org: per sitemap file (and at most 50 MB uncompressed)
SITEMAP_MAX_BYTES = 50 * 1000 * 1000


def sitemap_files(model: SiteModel, docs_paths: list[str]) -> dict[str, str]:
    """`sitemap.xml` (WEB-51), or, above sitemaps.org's limits per file (50,000 URLs, 50 MB),
    a sitemap index at `sitemap.xml` listing `sitemap-<n>.xml` (n from 1) of at most
    `SITEMAP_MAX_URLS` entries each, in the same order. The parts sit at the site's root because a
    sitemap may only list URLs under its own directory; `robots.txt` keeps pointing at
    `sitemap.xml`, so crawlers find every profile of an organisation of any size."""
    entries = sitemap_entries(model, docs_paths)
    max_urls = SITEMAP_MAX_URLS
    whole = _urlset(entries)
    if len(entries) <= max_urls and len(whole.encode("utf-8")) <= SITEMAP_MAX_BYTES:
        return {"sitemap.xml": whole}
    files: dict[str, str] = {}
    index = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for n, at in enumerate(range(0, len(entries), max_urls), start=1):
        part = entries[at : at + max_urls]
        name = f"sitemap-{n}.xml"
        files[name] = _urlset(part)
        dates = [e[3] for e in part if e[3]]
        index.append("  <sitemap>")
        index.append(f"    <loc>{escape(model.urls.absolute(name))}</loc>")
        if dates:
            index.append(f"    <lastmod>{max(dates)}</lastmod>")
        index.append("  </sitemap>")
    index.append("</sitemapindex>")
    return {"sitemap.xml": "\n".join(index) + "\n", **files}


def sitemap_entries(
    model: SiteModel, docs_paths: list[str]
) -> list[tuple[str, str, str, str | None]]:
    """WEB-51 entries in table order; profiles by path; pseudonymous profiles excluded:
    (absolute URL, changefreq, priority, lastmod)."""
    snap = model.snap
    f = model.features
    log = snap.log
    latest = date.fromordinal(log.day[-1]).isoformat() if len(log) else None
    latest_award = max((a.achieved_on[:10] for a in snap.awards), default=None)
    rows: list[tuple[str, str, str, str | None]] = [
        ("", "daily", "1.0", latest),
        ("leaderboard/week/", "weekly", "0.8", latest),
        ("leaderboard/month/", "monthly", "0.8", latest),
        ("leaderboard/year/", "yearly", "0.7", latest),
    ]
    if f.all_time:
        rows.append(("leaderboard/all-time/", "monthly", "0.7", latest))
    rows.append(("people/", "weekly", "0.8", latest))
    rows.append(("badges/", "weekly", "0.7", latest_award))
    if f.explorer:
        rows.append(("data/", "daily", "0.6", latest))
    if f.scoring:
        rows.append(("scoring/", "monthly", "0.5", None))
    for path in docs_paths:
        rows.append((path, "monthly", "0.5", None))
    profiles = []
    for p in snap.people.values():
        if p.pseudonymous:
            continue
        last = log.last(p.username)
        profiles.append(
            (
                model.urls.profile_rel(p.username),
                "weekly",
                "0.6",
                date.fromordinal(log.day[last]).isoformat() if last is not None else None,
            )
        )
    rows.extend(sorted(profiles))
    return [(model.urls.absolute(path), freq, prio, lastmod) for path, freq, prio, lastmod in rows]


def _urlset(rows: list[tuple[str, str, str, str | None]]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url, freq, prio, lastmod in rows:
        out.append("  <url>")
        out.append(f"    <loc>{escape(url)}</loc>")
        if lastmod:
            out.append(f"    <lastmod>{lastmod}</lastmod>")
        out.append(f"    <changefreq>{freq}</changefreq>")
        out.append(f"    <priority>{prio}</priority>")
        out.append("  </url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"
