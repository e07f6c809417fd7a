"""The chrome shared by every page (WEB-11…WEB-14): navigation, footer, assets, head metadata."""

from __future__ import annotations

from urllib.parse import urlsplit

from leaderboard import __version__
from leaderboard.site.contexts import CONTEXT_VERSION, Link, PageMeta, SiteContext
from leaderboard.site.format import format_month
from leaderboard.site.model import SiteModel
from leaderboard.timeutil import parse_date

PROJECT_URL = "https://github.com/contributor-leaderboard/contributor-leaderboard"
SOCIAL_ORDER = ("github", "slack", "linkedin", "youtube", "email")


def project_url() -> str:
    """The project's home page from package metadata (WEB-13), with a fixed fallback."""
    try:
        from importlib.metadata import metadata

        for entry in metadata("contributor-leaderboard").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() == "homepage":
                return url.strip()
    except Exception:  # metadata missing in odd installs: keep the fallback
        pass
    return PROJECT_URL


def data_source_link(url: str | None) -> Link | None:
    """`owner/repo` for github.com URLs, else host + path (WEB-13)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.hostname == "github.com":
        segs = [s for s in parts.path.split("/") if s]
        if len(segs) >= 2:
            repo = segs[1].removesuffix(".git")
            return Link(f"{segs[0]}/{repo}", url, external=True)
    return Link(f"{parts.netloc}{parts.path}".rstrip("/") or url, url, external=True)


def cron_texts(expr: str | None, model: SiteModel) -> tuple[str | None, str | None]:
    """`Updates <description>` text and the next fire time after now in tz (WEB-13)."""
    if not expr:
        return None, None
    try:
        from cron_descriptor import Options, get_description
        from croniter import croniter

        options = Options()
        options.use_24hour_time_format = False
        options.verbose = False
        text = get_description(expr, options)
        local_now = model.snap.now.astimezone(model.snap.tz)
        nxt = croniter(expr, local_now).get_next(type(local_now))
    except Exception:  # not a cron expression: the footer simply omits the line
        return None, None
    from leaderboard.timeutil import canonical

    return text[:1].lower() + text[1:], canonical(nxt)


def site_context(model: SiteModel, css_url: str, js_url: str) -> SiteContext:
    cfg = model.config
    urls = model.urls
    f = model.features
    nav = [
        Link("Home", urls.path(""), "house"),
        Link("Leaderboard", urls.path("leaderboard/week/"), "trophy"),
        Link("People", urls.path("people/"), "users"),
    ]
    if model.snap.badges:  # no badge definitions: the (empty) page stays, out of the navigation
        nav.append(Link("Badges", urls.path("badges/"), "award"))
    socials: list[Link] = []
    raw = {k: v for k, v in cfg.org.socials.items() if isinstance(v, str) and v.strip()}
    keys = [k for k in SOCIAL_ORDER if k in raw] + [k for k in raw if k not in SOCIAL_ORDER]
    for key in keys:
        value = raw[key].strip()
        href = (
            ("mailto:" + value if not value.startswith("mailto:") else value)
            if key == "email"
            else value
        )
        socials.append(
            Link(
                key, href, model.icons.name_for(key, "link", "social icon"), external=key != "email"
            )
        )
    pages = [Link("Home", urls.path("")), Link("People", urls.path("people/"))]
    if f.explorer:
        pages.append(Link("Data Explorer", urls.path("data/")))
    if model.snap.badges:
        pages.append(Link("Badges", urls.path("badges/")))
    if f.docs:
        pages.append(Link("Docs", urls.path("docs/")))
    if f.scoring:
        pages.append(Link("How scoring works", urls.path("scoring/")))
    boards = [
        Link("This Week", urls.path("leaderboard/week/")),
        Link("This Month", urls.path("leaderboard/month/")),
        Link("This Year", urls.path("leaderboard/year/")),
    ]
    if f.all_time:
        boards.append(Link("All Time", urls.path("leaderboard/all-time/")))
    since = None
    if cfg.org.start_date:
        try:
            since = format_month(parse_date(str(cfg.org.start_date)[:10]))
        except ValueError:
            since = None
    update_text, next_update = cron_texts(cfg.leaderboard.data_update_frequency, model)
    feeds = []
    if f.feeds:
        feeds = [
            Link(f"{cfg.org.name} — Achievements", urls.absolute("feeds/achievements.xml")),
            Link(f"{cfg.org.name} — New contributors", urls.absolute("feeds/new-contributors.xml")),
        ]
    from leaderboard.timeutil import canonical

    updated = model.snap.meta.get("data_updated_at") or canonical(model.snap.now)
    return SiteContext(
        version=CONTEXT_VERSION,
        package_version=__version__,
        org_name=cfg.org.name,
        org_description=cfg.org.description,
        org_url=cfg.org.url,
        logo_url=model.asset_url(cfg.org.logo_url),
        favicon_url=model.asset_url(cfg.meta.favicon_url or cfg.org.logo_url),
        meta_title=cfg.meta.title,
        home_url=urls.path(""),
        site_url=urls.site_url,
        base_path=urls.base_path,
        css_url=css_url,
        js_url=js_url,
        theme_url=_theme_url(cfg.leaderboard.theme, model),
        nav=nav,
        github_url=raw.get("github"),
        socials=socials,
        footer_pages=pages,
        footer_leaderboards=boards,
        building_since=since,
        data_updated_at=updated,
        update_description=update_text,
        next_update_at=next_update,
        data_source=data_source_link(cfg.leaderboard.data_source),
        year=model.snap.today.year,
        feeds=feeds,
        api_index_url=urls.absolute("api/v1/index.json") if f.api else None,
        sitemap_url=urls.path("sitemap.xml"),
        project_url=project_url(),
    )


def _theme_url(theme: str | None, model: SiteModel) -> str | None:
    """Only a theme that could not be read is linked; otherwise it is part of site.css."""
    if theme and model.theme_link == theme:
        return model.asset_url(theme)
    return None


def page_meta(
    model: SiteModel,
    path: str,
    title: str,
    description: str,
    *,
    nav: str = "",
    og_type: str = "website",
    og_image: str | None = None,
) -> PageMeta:
    image = og_image if og_image is not None else default_image(model)
    return PageMeta(
        path=path,
        title=title,
        description=description,
        canonical=model.urls.absolute(path),
        og_type=og_type,
        og_image=image,
        nav=nav,
    )


def default_image(model: SiteModel) -> str:
    url = model.config.meta.image_url or ""
    if url in model.local_assets:
        return model.urls.absolute(model.local_assets[url])
    if not url or "://" in url:
        return url
    return model.urls.absolute(url.lstrip("/"))
