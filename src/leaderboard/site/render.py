"""Rendering pages and writing the generated files of a build (WEB-02 steps 5, 7, 8, 9).

Profiles dominate the work, so they are rendered in forked worker processes that inherit the
snapshot and write their own files; each returns `(path, sha256, written)` for the manifest.
A page whose fingerprint (its context, the template sources and the package version) equals the
one stored from the previous build is not rendered at all (NEW-09).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from markupsafe import Markup

from leaderboard import __version__
from leaderboard.forkmap import start_fork_map
from leaderboard.site.charts import with_chart_defs
from leaderboard.site.contexts import PageMeta, SiteContext
from leaderboard.site.env import PACKAGE_TEMPLATES, template_digest
from leaderboard.site.icons import use_sprite
from leaderboard.site.model import PERIOD_LABELS
from leaderboard.site.output import Stat, write_if_changed, write_known
from leaderboard.site.pages import badges, chrome, home, leaderboard, misc, people, profile
from leaderboard.site.ranking import Standings, entries, ranked, window

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState
    from leaderboard.site.options import BuildOptions

FINGERPRINTS = "build-fingerprints.json"


def _default(value: Any) -> Any:
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(type(value).__name__)


def fingerprint(salt: str, *parts: Any) -> str:
    h = hashlib.sha256(salt.encode())
    for part in parts:
        h.update(orjson.dumps(part, default=_default, option=orjson.OPT_PASSTHROUGH_SUBCLASS))
    return h.hexdigest()


class PageRenderer:
    """Renders templates with the three documented names: `site`, `page`, `ctx`."""

    def __init__(self, state: BuildState) -> None:
        assert state.env is not None and state.model is not None
        self.state = state
        self.env = state.env
        self.model = state.model
        from leaderboard.site import format as fmt

        self.env.globals.update(icons=self.model.icons, fmt=fmt, tz=self.model.snap.tz)
        self.site: SiteContext = chrome.site_context(
            self.model, state.assets["css"], state.assets["js"]
        )
        # the sprite's versioned URL: which icons a page references from it, and how
        sprite = state.sprite.url if state.sprite is not None else ""
        self.salt = template_digest(self.env) + __version__ + sprite
        self.old: dict[str, str] = _load_fingerprints(state.options)
        self.new: dict[str, str] = {}
        self.previous_files = _previous_files(state)
        assert state.writer is not None
        self.file_state = state.writer.previous
        self.rendered = 0

    def page(self, rel_dir: str, template: str, page: PageMeta, ctx: Any) -> None:
        """Write `<rel_dir>/index.html` (or the exact file name when rel_dir ends in .html)."""
        rel = rel_dir if rel_dir.endswith(".html") else (rel_dir + "index.html")
        digest, written, rendered, st = self.render_to(rel, template, page, ctx)
        assert self.state.writer is not None
        self.state.writer.record(rel, digest, written, st)
        self.rendered += rendered

    def render_to(
        self, rel: str, template: str, page: PageMeta, ctx: Any
    ) -> tuple[str, bool, int, Stat | None]:
        """(sha256, written, rendered, stat): a page whose fingerprint is unchanged and whose
        file still matches the recorded size and mtime is neither rendered nor read."""
        fp = fingerprint(self.salt, template, self.site, page, ctx)
        self.new[rel] = fp
        prev = self.previous_files.get(rel)
        root = self.state.options.out
        if prev and self.old.get(rel) == fp:
            known = self.file_state.verify(rel, root / rel, prev)
            if known is not None:
                return prev, False, 0, known
        html = with_chart_defs(
            use_sprite(
                self.env.get_template(template).render(site=self.site, page=page, ctx=ctx),
                self.state.sprite,
            )
        )
        digest, written, st = write_known(self.file_state, root, rel, html.encode("utf-8"))
        return digest, written, 1, st


def _previous_files(state: BuildState) -> dict[str, str]:
    from leaderboard.site.output import read_manifest

    manifest = read_manifest(state.options.out) or {}
    files = manifest.get("files")
    return files if isinstance(files, dict) else {}


def _cache_dir(options: BuildOptions) -> Path:
    return options.effective_cache_dir


def _load_fingerprints(options: BuildOptions) -> dict[str, str]:
    try:
        data = json.loads((_cache_dir(options) / FINGERPRINTS).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or str(options.out.resolve()) not in data:
        return {}
    entry = data[str(options.out.resolve())]
    return entry if isinstance(entry, dict) else {}


def _save_fingerprints(options: BuildOptions, prints: dict[str, str]) -> None:
    path = _cache_dir(options) / FINGERPRINTS
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[str(options.out.resolve())] = dict(sorted(prints.items()))
    write_if_changed(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


# -- profiles, rendered by forked children ------------------------------------------------------

ProfileResult = tuple[str, str, bool, int, str, Stat | None]


def _profile_job(
    renderer: PageRenderer, boards: dict[str, Standings], usernames: list[str]
) -> list[ProfileResult]:
    out = []
    for username in usernames:
        meta, ctx = profile.build_profile(renderer.model, username, boards)
        rel = renderer.model.urls.profile_dir(username) + "/index.html"
        digest, written, rendered, st = renderer.render_to(rel, "profile.html", meta, ctx)
        out.append((rel, digest, written, rendered, renderer.new[rel], st))
    return out


def _workers(options: BuildOptions, jobs: int) -> int:
    """Processes rendering profiles, the parent included."""
    if options.workers is not None:
        return max(1, options.workers)
    return max(1, min(os.cpu_count() or 1, 4, jobs // 50 or 1))


CHUNK = 25  # profiles per job: small enough for the parent and the children to share the tail


class ProfileBatch:
    """Profiles rendered by forked children *while* the parent builds everything else.

    `start_fork_map` (the project's one process mechanism) forks `workers - 1` children (one
    child on a 2-core machine, which also keeps the process tree's memory, where every child
    counts the parent's shared pages again, in budget) over a queue of small chunks of
    profiles; the objects the children inherit are frozen out of the GC meanwhile. `finish`
    then lets the parent take the chunks still queued, and records every result in the writer
    and the fingerprints.
    """

    def __init__(self, r: PageRenderer, boards: dict[str, Standings]) -> None:
        self.r = r
        names = list(r.model.snap.people)
        chunks = [names[i : i + CHUNK] for i in range(0, len(names), CHUNK)]
        children = _workers(r.state.options, len(names)) - 1
        self.job = start_fork_map(
            partial(_profile_job, r, boards), chunks, children=children, freeze=True
        )

    def finish(self) -> None:
        results = [row for chunk in self.job.results() for row in chunk]
        writer = self.r.state.writer
        assert writer is not None
        for rel, digest, written, rendered, fp, st in results:
            writer.record(rel, digest, written, st)
            self.r.new[rel] = fp
            self.r.rendered += rendered

    def close(self) -> None:
        self.job.close()


def finish_profiles(state: BuildState) -> None:
    """Collect the profiles started by `render_all` and save the page fingerprints."""
    batch, state.profiles = state.profiles, None
    r = state.renderer
    assert r is not None
    if batch is not None:
        batch.finish()
    state.result.rendered = r.rendered
    _save_fingerprints(state.options, r.new)


# -- all pages -----------------------------------------------------------------------------------


def render_all(state: BuildState) -> None:
    model = state.model
    assert model is not None
    r = PageRenderer(state)
    org = model.config.org.name
    title = model.config.meta.title
    cm = chrome.page_meta
    # profiles first: forked children render them while this process does everything else,
    # and `finish_profiles` collects them
    boards: dict[str, Standings] = {}
    for period in ("week", "month", "year", "all-time"):
        rows = entries(model.snap, window(model.snap, period), ranked, with_daily=False)
        boards[period] = Standings.of(rows)
    model.awards_of("")  # group the awards once, before the renderers fork
    state.renderer = r
    state.profiles = ProfileBatch(r, boards)
    # home
    r.page(
        "",
        "home.html",
        cm(model, "", title, model.config.meta.description, nav="home"),
        home.build_home(model),
    )
    # leaderboards
    redirect = misc.build_redirect(model)
    rmeta = cm(
        model,
        "leaderboard/",
        f"{PERIOD_LABELS['week']} Leaderboard - {title}",
        "",
        nav="leaderboard",
    )
    rmeta.canonical = model.urls.absolute("leaderboard/week/")
    rmeta.robots = "noindex"
    r.page("leaderboard/", "redirect.html", rmeta, redirect)
    phrases = {
        "week": "this week",
        "month": "this month",
        "year": "this year",
        "all-time": "of all time",
    }
    for period in leaderboard.periods(model):
        base = f"leaderboard/{period}/"
        for n, ctx in enumerate(leaderboard.build_leaderboard_pages(model, period), start=1):
            meta = cm(
                model,
                leaderboard.page_path(base, n),
                f"{PERIOD_LABELS[period]} Leaderboard - {title}"
                + (f" (page {n})" if n > 1 else ""),
                f"Top contributors to {org} {phrases[period]}.",
                nav="leaderboard",
            )
            meta.canonical = model.urls.absolute(base)  # numbered pages point at page 1
            if ctx.pager is not None:
                meta.prev_url, meta.next_url = ctx.pager.prev, ctx.pager.next
            r.page(leaderboard.page_path(base, n), "leaderboard.html", meta, ctx)
    # people
    for n, pctx in enumerate(people.build_people_pages(model), start=1):
        path = leaderboard.page_path("people/", n)
        pmeta = cm(
            model,
            path,
            f"People - {title}" + (f" (page {n})" if n > 1 else ""),
            f"Meet the {pctx.count} contributors who make {org} possible. View all community members and their contributions.",
            nav="people",
        )
        pmeta.canonical = model.urls.absolute("people/")
        if pctx.pager is not None:
            pmeta.prev_url, pmeta.next_url = pctx.pager.prev, pctx.pager.next
        r.page(path, "people.html", pmeta, pctx)
    # badges
    r.page(
        "badges/",
        "badges.html",
        cm(
            model,
            "badges/",
            f"Badges - {org}",
            f"Explore all achievement badges and see who's earned them in the {org} community. View badge requirements, recent achievements, and top badge earners.",
            nav="badges",
        ),
        badges.build_badges(model),
    )
    # 404
    nf = cm(model, "404.html", f"Page not found - {title}", "")
    nf.canonical = model.urls.absolute("404.html")
    r.page("404.html", "404.html", nf, misc.build_not_found(model))
    # optional pages
    _render_optional(state, r)


def _render_optional(state: BuildState, r: PageRenderer) -> None:
    """The scoring page (NEW-18) and the documentation pages (WEB-50), when enabled."""
    from leaderboard.site.pages import docs, scoring

    model = r.model
    if model.features.scoring:
        title = model.config.meta.title
        meta = chrome.page_meta(
            model,
            "scoring/",
            f"How scoring works - {title}",
            f"How {model.config.org.name} counts activities, points and badges.",
        )
        r.page("scoring/", "scoring.html", meta, scoring.build_scoring(model))
    docs_set = state.docs
    if model.features.docs and docs_set is not None:
        state.docs_paths = docs.render_docs(r, docs_set)


def write_avatars(state: BuildState) -> None:
    """Avatars through the site-components module (when present)."""
    from leaderboard.site import media

    media.write_avatars(state)


def write_og_images(state: BuildState) -> None:
    """OG images (after the profiles are collected: no forked pool may be running)."""
    from leaderboard.site import media

    media.write_og_images(state)


def write_explorer(state: BuildState) -> None:
    from leaderboard.site import media

    media.write_explorer(state)


def write_files(state: BuildState) -> None:
    model = state.model
    writer = state.writer
    assert model is not None and writer is not None
    writer.write("robots.txt", misc.robots_txt(model))
    writer.write("_redirects", misc.redirects_file(model))
    for rel, text in misc.sitemap_files(model, state.docs_paths).items():
        writer.write(rel, text)
    from leaderboard.site import media

    media.write_api(state)
    if model.features.api:
        write_timeline_months(state)
    media.write_feeds(state)
    media.write_rank_badges(state)


def write_timeline_months(state: BuildState) -> None:
    """`api/v1/contributors/<u>/activities/<yyyy>.json` for the months a profile does not
    render (WEB-42, WEB-63), one file per year (WEB-64): `{"username", "year", "fields",
    "types": [[name, icon]], "months": {"<yyyy-mm>": [rows]}}`, newest first, each row the
    `fields` of one activity (`profile.month_row`). Only contributors with more than
    `timeline_limit` activities have any, so the file count follows the very active few."""
    import orjson

    model, writer = state.model, state.writer
    assert model is not None and writer is not None
    log, limit = model.snap.log, model.features.timeline_limit
    for username in model.snap.people:
        positions = log.of(username)
        if len(positions) <= limit:
            continue
        months = profile.older_months(model, positions, limit)
        acts = iter(log.details([i for items in months.values() for i in items]))  # one query
        years: dict[str, dict[str, Any]] = {}
        types: dict[str, dict[tuple[str, str], int]] = {}
        for key, items in months.items():  # newest first
            year = key[:4]
            doc = years.setdefault(year, {"username": username, "year": year, "months": {}})
            kinds = types.setdefault(year, {})
            doc["months"][key] = [profile.month_row(model, next(acts), kinds) for _ in items]
        for year, doc in years.items():
            out = {
                "username": username,
                "year": year,
                "fields": profile.MONTH_FIELDS,
                "types": [list(k) for k in types[year]],
                "months": doc["months"],
            }
            # orjson: these files are read by the page only; canonical formatting (CORE-40)
            # cost half of this step
            path = profile.month_api_path(model, username, f"{year}-01")
            writer.write(path, orjson.dumps(out) + b"\n")


__all__ = ["PACKAGE_TEMPLATES", "render_all"]
