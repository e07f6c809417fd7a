"""Documentation pages `/docs/**` (WEB-50): page contexts and rendering.

Each `DocPage` (site/docsource.py) becomes a `DocsContext`: the sanitised body, whether to print
the title (not when the body opens with its own `#` heading), the "On this page" headings and the
sidebar. Relative links to other `.md` files are rewritten to the pages' URLs so documentation
written for GitHub also works on the site. Without an `index.md` a generated `/docs/` index lists
the sidebar pages.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from leaderboard.site.contexts import DocsContext, Link, PageMeta
from leaderboard.site.docsource import DocPage, DocsSet, page_rel
from leaderboard.site.model import SiteModel
from leaderboard.site.pages import chrome

if TYPE_CHECKING:
    from leaderboard.site.render import PageRenderer

_HREF = re.compile(r'href="([^"#?:]+\.md)((?:#[^"]*)?)"')


def rewrite_links(html: str, page: DocPage, docs: DocsSet, model: SiteModel) -> str:
    """`[x](other.md#part)` → `<base>docs/other/#part` when `other.md` is a page of the set."""
    keys = docs.by_key()
    base_dir = posixpath.dirname(page.key)

    def replace(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(base_dir, match.group(1)))
        key = target.removesuffix(".md")
        if key not in keys:
            return match.group(0)
        url = model.urls.path(page_rel(key)) + match.group(2)
        return f'href="{escape(url)}"'

    return _HREF.sub(replace, html)


def sidebar(docs: DocsSet, model: SiteModel, current_rel: str) -> list[Link]:
    return [
        Link(p.title, model.urls.path(p.rel), active=p.rel == current_rel) for p in docs.sidebar
    ]


def build_doc(model: SiteModel, docs: DocsSet, page: DocPage) -> tuple[PageMeta, DocsContext]:
    title = model.config.meta.title
    meta = chrome.page_meta(model, page.rel, f"{page.title} - {title}", page.description)
    body = rewrite_links(str(page.rendered.html), page, docs, model)
    ctx = DocsContext(
        title=page.title,
        show_title=not page.starts_with_h1,
        body=Markup(body),
        toc=[{"level": h.level, "id": h.id, "text": h.text} for h in page.rendered.toc()],
        sidebar=sidebar(docs, model, page.rel),
        sidebar_title=docs.sidebar_title,
    )
    return meta, ctx


def build_index(model: SiteModel, docs: DocsSet) -> tuple[PageMeta, DocsContext]:
    """The generated `/docs/` page when the source has no `index.md`."""
    title = docs.sidebar_title
    items = "".join(
        f'<li><a href="{escape(model.urls.path(p.rel))}">{escape(p.title)}</a>'
        + (f" — {escape(p.description)}" if p.description else "")
        + "</li>"
        for p in docs.sidebar
    )
    meta = chrome.page_meta(
        model,
        "docs/",
        f"{title} - {model.config.meta.title}",
        f"Documentation of the {model.config.org.name} leaderboard.",
    )
    ctx = DocsContext(
        title=title,
        show_title=True,
        body=Markup(f'<ul class="docs-index">{items}</ul>'),
        toc=[],
        sidebar=sidebar(docs, model, "docs/"),
        sidebar_title=docs.sidebar_title,
    )
    return meta, ctx


def render_docs(r: PageRenderer, docs: DocsSet) -> list[str]:
    """Render every docs page; returns their paths (relative to the base path) for the sitemap."""
    model = r.model
    paths: list[str] = []
    if not docs.has_index:
        meta, ctx = build_index(model, docs)
        r.page("docs/", "docs.html", meta, ctx)
        paths.append("docs/")
    for page in docs.pages:
        meta, ctx = build_doc(model, docs, page)
        r.page(page.rel, "docs.html", meta, ctx)
        paths.append(page.rel)
    return sorted(set(paths))
