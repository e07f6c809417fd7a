"""`build_site`: the WEB-02 pipeline, readable as a list of stages.

Each stage is a small function taking the shared `BuildState`; `build_site` runs them in order,
logging each duration. Pages are rendered from one in-memory snapshot of the public DB, profiles
in parallel worker processes (fork) so the build uses every core (CORE-80).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment

from leaderboard.db.database import Database
from leaderboard.site import render, reuse
from leaderboard.site.docsource import load_docs
from leaderboard.site.env import PACKAGE_STATIC, make_environment
from leaderboard.site.icons import SPRITE_FILE, Icons, Sprite, site_icon_names, sprite_svg
from leaderboard.site.model import Features, SiteModel
from leaderboard.site.options import BuildOptions, BuildResult
from leaderboard.site.output import (
    SiteWriter,
    finish,
    load_file_state,
    prepare_clean,
    save_file_state,
    sha256_hex,
)
from leaderboard.site.snapshot import load_snapshot
from leaderboard.site.urls import Urls

# the explorer's scripts (WEB-49: the page's, and the worker the library is started from),
# shipped only in a site with the explorer; their versioned URLs go to `BuildState.assets`
EXPLORER_SCRIPTS = {"explorer.js": "explorer_js", "explorer-worker.js": "explorer_worker_js"}

if TYPE_CHECKING:
    from leaderboard.explorer.page import ExplorerOutcome
    from leaderboard.queries.types import ContributorTotals
    from leaderboard.site.avatars import FallbackPrefetch
    from leaderboard.site.docsource import DocsSet
    from leaderboard.site.render import PageRenderer, ProfileBatch


@dataclass
class ReuseCheck:
    """Set once the public DB is built (`_check_public_key`): its key, and the previous build
    with the same public DB whose outputs are intact (then no page is rendered)."""

    public_key: str | None = None
    previous: BuildResult | None = None
    record: dict[str, Any] = field(default_factory=dict)  # `reuse.previous_record`


@dataclass
class BuildState:
    """What the stages share during one build. Each field says which stage sets it; a stage
    that needs a field asserts it is set, so the order of `STAGES` is checked when it runs."""

    options: BuildOptions
    result: BuildResult
    urls: Urls | None = None
    features: Features | None = None
    tmp: Path | None = None
    working: Database | None = None
    public_path: Path | None = None
    public: Database | None = None
    model: SiteModel | None = None
    env: Environment | None = None
    writer: SiteWriter | None = None
    assets: dict[str, str] = field(default_factory=dict)  # "css"/"js" → versioned URL
    sprite: Sprite | None = None  # the site's icon sprite file (static/icons.svg)
    docs_paths: list[str] = field(default_factory=list)
    docs: DocsSet | None = None  # contexts: the documentation pages (WEB-50), when enabled
    prefetch: FallbackPrefetch | None = None  # avatar prefetch, joined before pages fork
    renderer: PageRenderer | None = None  # pages: also renders the profiles
    profiles: ProfileBatch | None = None  # pages → profiles: the profiles rendering meanwhile
    avatars: dict[str, bytes] = field(default_factory=dict)  # avatars → og: real pictures only
    totals: dict[str, ContributorTotals] | None = None  # files (JSON API) → og: up to now
    avatar_failures: int = 0  # avatars: failed downloads make the build volatile
    brand_failures: int = 0  # static: failed theme/brand downloads, likewise
    explorer: ExplorerOutcome | None = None  # explorer
    reuse: ReuseCheck = field(default_factory=ReuseCheck)  # after the public DB


def cache_dir_of(options: BuildOptions) -> Path:
    """Fingerprints, file state, avatars and vendored assets live here."""
    return options.effective_cache_dir


def features_for(options: BuildOptions) -> Features:
    """Config switches (WEB-01) after command-line overrides."""
    site = options.config.leaderboard.site
    explorer_cfg = options.config.leaderboard.data_explorer
    avatars = options.avatars or site.avatars
    return Features(
        og=site.og_images and options.og is not False,
        avatars=avatars,
        rank_badges=site.rank_badges,
        api=site.api,
        feeds=site.feeds,
        scoring=site.scoring_page,
        all_time=site.all_time_leaderboard,
        explorer=explorer_cfg.enabled and options.explorer is not False,
        timeline_limit=min(max(int(site.timeline_limit), 50), 500),
    )


# -- stages ----------------------------------------------------------------------------------


def stage_config(state: BuildState) -> None:
    """1. Config is validated by the caller; resolve URLs and switches."""
    o = state.options
    cfg = o.config
    state.urls = Urls.create(
        o.site_url or cfg.meta.site_url, o.base_path, cfg.leaderboard.data_explorer.source
    )
    state.features = features_for(o)
    if o.clean:
        prepare_clean(o.out)
    o.out.mkdir(parents=True, exist_ok=True)
    state.writer = SiteWriter(o.out, load_file_state(cache_dir_of(o), o.out))
    state.tmp = Path(tempfile.mkdtemp(prefix="leaderboard-build-"))


def stage_working_db(state: BuildState) -> None:
    """2. Open the working DB read-only, or import the data files into a temporary DB."""
    o = state.options
    if o.db_path is not None and o.db_path.exists() and not o.from_files:
        state.working = Database.open(o.db_path, readonly=True)
        return
    from leaderboard.pipeline import import_only

    assert state.tmp is not None
    db = Database.open(state.tmp / "working.db")
    import_only(
        o.data_dir,
        o.config,
        db,
        now=o.now,
        env=o.env,
        cache_dir=o.effective_cache_dir,
        offline=True,
    )
    state.working = db


def stage_prefetch(state: BuildState) -> None:
    """2b. Start drawing generated avatars in the background (joined before pages fork)."""
    assert state.features is not None
    if state.features.avatars and state.working is not None:
        from leaderboard.site import avatars
        from leaderboard.site.artefacts import media_people

        o, working, parent = state.options, state.working, os.getpid()

        def wanted(names: list[str]) -> frozenset[str] | None:
            """Asked in the drawing processes, which open their own connection (a SQLite
            connection must not be used on both sides of a fork); None (draw everyone) when
            the working DB is in memory."""
            if os.getpid() == parent:
                return media_people(working, o.config, o.now, names)
            if working.path in ("", ":memory:"):
                return None
            own = Database.open(working.path, readonly=True)
            try:
                return media_people(own, o.config, o.now, names)
            finally:
                own.close()

        state.prefetch = avatars.start_prefetch(state, wanted=wanted)


def _join_prefetch(state: BuildState) -> None:
    prefetch, state.prefetch = state.prefetch, None
    if prefetch is not None:
        prefetch.join()


def stage_public_db(state: BuildState) -> None:
    """3. Build the privacy-filtered public DB (NEW-05); every page reads only this."""
    from leaderboard.publicdb import build_public_db

    o = state.options
    assert state.working is not None and state.tmp is not None and state.urls is not None
    target = state.tmp / "public.db"
    # the build's own copy, deleted when it ends: nothing to make durable
    build_public_db(state.working, target, config=o.config, now=o.now,
                    site_url=state.urls.site_url, durable=False)  # fmt: skip
    state.public_path = target
    state.public = Database.open(target, readonly=True)


def _pseudonyms(state: BuildState) -> set[str]:
    try:
        from leaderboard.publicdb import plan_visibility
    except ImportError:
        return set()
    assert state.working is not None
    return set(plan_visibility(state.working, state.options.config).pseudonyms.values())


def stage_contexts(state: BuildState) -> None:
    """4. Load the snapshot and the shared model that page contexts are computed from."""
    o = state.options
    assert state.public is not None and state.urls is not None and state.features is not None
    snap = load_snapshot(state.public, o.config, o.now, pseudonyms=_pseudonyms(state))
    features = state.features
    warnings = state.result.warnings
    docs = load_docs(o.config.leaderboard.site.docs, o.data_dir)  # WEB-50
    features.docs = docs is not None
    state.docs = docs

    def warn(msg: str) -> None:
        warnings.append(msg)
        o.logger.warning("%s", msg)

    for msg in docs.warnings if docs is not None else []:
        warn(msg)
    icons = Icons(warn=warn)
    state.model = SiteModel(snap, o.config, state.urls, features, icons=icons)
    from leaderboard.site.hosts import plan_for_build

    state.model.artefacts = plan_for_build(state)  # per-contributor files sized to the host
    state.env = make_environment(o.data_dir / "templates")
    from leaderboard.site import format as fmt

    # the template globals every page (the explorer's too, rendered before the others) uses
    state.env.globals.update(icons=icons, fmt=fmt, tz=snap.tz)


def _brand_images(state: BuildState) -> dict[str, str | None]:
    """Images the pages show from config and badge definitions, by a label for warnings."""
    cfg = state.options.config
    images: dict[str, str | None] = {
        "org.logo_url": cfg.org.logo_url,
        "meta.favicon_url": cfg.meta.favicon_url,
        "meta.image_url": cfg.meta.image_url,
    }
    model, features = state.model, state.features
    # with `avatars: remote`, images stay where the data says (WEB-02)
    if model is not None and features is not None and features.avatars != "remote":
        for badge in model.snap.badges.values():
            for key, data in badge.variants:
                url = data.get("svg_url")
                if isinstance(url, str):
                    images.setdefault(f"badge {badge.slug}/{key}", url)
    return images


def stage_static(state: BuildState) -> None:
    """6. (before pages, which need the versioned URLs) CSS with the theme, JS, overrides,
    and the brand images downloaded so no page loads from another host (WEB-07)."""
    from leaderboard.site import theme as brand_theme

    o = state.options
    assert state.writer is not None and state.urls is not None
    css = (PACKAGE_STATIC / "site.css").read_bytes()
    cfg = o.config

    def warn(msg: str) -> None:
        state.result.warnings.append(msg)
        o.logger.warning("%s", msg)

    brand = brand_theme.prepare(
        data_dir=o.data_dir,
        cache_dir=cache_dir_of(o),
        theme_url=cfg.leaderboard.theme,
        images=_brand_images(state),
        builtin_css=css,
        offline=o.offline,
        warn=warn,
    )
    state.brand_failures = brand.failures
    if state.model is not None:
        state.model.local_assets.update(brand.local)
        state.model.theme_link = brand.theme_link
    files: dict[str, bytes] = {"static/site.css": css + brand.css, **brand.files}
    for path in sorted(PACKAGE_STATIC.rglob("*")):
        rel = path.relative_to(PACKAGE_STATIC).as_posix()
        if (
            path.is_file()
            and rel not in ("site.css", *EXPLORER_SCRIPTS)
            and not rel.startswith(".")
        ):
            files[f"static/{rel}"] = path.read_bytes()
    for name in EXPLORER_SCRIPTS:  # only in a site with the explorer (WEB-47)
        if (PACKAGE_STATIC / name).is_file() and state.features and state.features.explorer:
            files[f"static/{name}"] = (PACKAGE_STATIC / name).read_bytes()
    override = o.data_dir / "static"
    if override.is_dir():  # NEW-29: data-dir static files replace packaged ones
        for path in sorted(override.rglob("*")):
            if path.is_file() and not path.is_symlink():
                rel = path.relative_to(override).as_posix()
                data = path.read_bytes()
                if rel == "site.css":
                    data += brand.css
                files[f"static/{rel}"] = data
    names = _icon_names(state)
    if names is not None:
        files[SPRITE_FILE] = sprite_svg(names)
    for rel, data in files.items():
        state.writer.write(rel, data)
    if names is not None:
        url = state.urls.path(f"{SPRITE_FILE}?v={sha256_hex(files[SPRITE_FILE])[:8]}")
        state.sprite = Sprite(url, names)
    state.assets["css"] = state.urls.path(
        f"static/site.css?v={sha256_hex(files['static/site.css'])[:8]}"
    )
    state.assets["js"] = state.urls.path(
        f"static/site.js?v={sha256_hex(files['static/site.js'])[:8]}"
    )
    for name, key in EXPLORER_SCRIPTS.items():
        if f"static/{name}" in files:
            state.assets[key] = state.urls.path(
                f"static/{name}?v={sha256_hex(files[f'static/{name}'])[:8]}"
            )


def _icon_names(state: BuildState) -> frozenset[str] | None:
    """The icons of the site's sprite (`icons.Sprite`): the templates' and the data's."""
    if state.model is None:
        return None
    cfg = state.options.config
    socials = cfg.leaderboard.social_profiles
    return site_icon_names(
        [
            *(d.icon for d in state.model.snap.definitions.values()),
            *cfg.org.socials,
            *((v or {}).get("icon") for v in socials.values() if isinstance(v, dict)),
        ]
    )


def stage_pages(state: BuildState) -> None:
    """5. Render every page and write it (changed-only)."""
    _join_prefetch(state)  # no pool may run when the profile pool forks
    render.render_all(state)


def stage_assets(state: BuildState) -> None:
    """6b. Copy `<data dir>/assets/**` (WEB-55): regular files only, symlinks not followed."""
    o = state.options
    assert state.writer is not None
    src = o.data_dir / "assets"
    if not src.is_dir() or src.is_symlink():
        o.logger.info("No assets directory found in data repository")
        return
    for path in sorted(src.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        if any(p.is_symlink() for p in path.relative_to(src).parents if p != Path(".")):
            continue
        state.writer.copy("assets/" + path.relative_to(src).as_posix(), path)


def stage_avatars(state: BuildState) -> None:
    """7. Avatars (WEB-09)."""
    render.write_avatars(state)


def stage_profiles(state: BuildState) -> None:
    """5b. Collect the profiles rendered in parallel with stages 6–9."""
    render.finish_profiles(state)


def stage_og(state: BuildState) -> None:
    """7b. Open Graph images (WEB-45), drawn in their own process pool."""
    render.write_og_images(state)


def stage_explorer(state: BuildState) -> None:
    """8. The explorer's public DB file and vendored assets (WEB-47, WEB-48)."""
    # the avatar drawers are done by now (they ran beside the public DB and the snapshot); their
    # processes must not still count while the explorer holds the public DB in memory (CORE-80)
    _join_prefetch(state)
    render.write_explorer(state)


def stage_files(state: BuildState) -> None:
    """9. Sitemap, robots.txt, _redirects, JSON API, feeds, rank badges (404 is a page)."""
    render.write_files(state)


def stage_host(state: BuildState) -> None:
    """9b. Measure the output against `site.host` (WEB-64); fail before the manifest when it
    would not deploy, naming the limit, the figure and the option to change."""
    from leaderboard.site import hosts

    hosts.check_build(state)


def stage_manifest(state: BuildState) -> None:
    """10. Manifest; delete what the previous build produced and this one did not."""
    assert state.writer is not None and state.urls is not None
    deleted = finish(state.writer, base_path=state.urls.base_path, site_url=state.urls.site_url)
    save_file_state(cache_dir_of(state.options), state.options.out, state.writer.stats)
    state.result.deleted = len(deleted)
    state.result.deleted_paths = deleted


STAGES: list[tuple[str, Callable[[BuildState], None]]] = [
    ("config", stage_config),
    ("working db", stage_working_db),
    ("avatar prefetch", stage_prefetch),
    ("public db", stage_public_db),
    ("contexts", stage_contexts),
    ("static", stage_static),
    # before the profile renderers fork: it holds the whole public DB file in memory for a
    # moment, which must not coincide with a second process counting the parent's pages
    ("explorer", stage_explorer),
    ("pages", stage_pages),
    ("assets", stage_assets),
    ("avatars", stage_avatars),
    ("files", stage_files),
    ("profiles", stage_profiles),
    ("og images", stage_og),
    ("host", stage_host),
    ("manifest", stage_manifest),
]


def build_site(options: BuildOptions) -> BuildResult:
    """Build the whole site into `options.out` (WEB-01…WEB-03); returns the counts.

    When nothing the build reads changed since the previous build into the same directory and
    its files are intact, that build's result is returned without running any stage (`reuse`).
    """
    started = time.perf_counter()
    cache_dir = cache_dir_of(options)
    inputs = reuse.inputs_digest(options)
    key = reuse.keyed(inputs, Path(options.db_path)) if inputs and options.db_path else None
    previous = reuse.reuse_previous(options, cache_dir, key)
    if previous is not None:
        return _reused(options, previous, started)
    result, state = _build(options, inputs)
    reused = state.reuse.previous
    if reused is not None:  # same public DB: remember the new working-DB key with the old result
        record = state.reuse.record
        reuse.remember(options, cache_dir, key, reused, public_key=state.reuse.public_key,
                       files=record["files"], volatile=False, extra_files=record["extra"])  # fmt: skip
        return _reused(options, reused, started)
    reuse.remember(
        options,
        cache_dir,
        key,
        result,
        public_key=state.reuse.public_key,
        files=len(state.writer.files) if state.writer is not None else 0,
        volatile=_volatile(state),
        extra_files=_extra_outputs(state),
    )
    return result


def _reused(options: BuildOptions, previous: BuildResult, started: float) -> BuildResult:
    log = options.logger
    for message in previous.warnings:
        log.warning("%s", message)
    previous.duration = time.perf_counter() - started
    log.info("Nothing changed since the previous build of %s", options.out)
    log.info("%s", previous.summary())
    return previous


def _check_public_key(state: BuildState, inputs: str | None) -> bool:
    """After the public DB is built: is it the previous build's, with its outputs intact?"""
    if inputs is None or state.public_path is None:
        return False
    o = state.options
    public_key = reuse.keyed(inputs, state.public_path)
    state.reuse.public_key = public_key
    previous = reuse.reuse_previous(o, cache_dir_of(o), public_key, field="public_key")
    if previous is None:
        return False
    state.reuse.previous = previous
    state.reuse.record = reuse.previous_record(o, cache_dir_of(o))
    return True


def _extra_outputs(state: BuildState) -> list[Path]:
    """Files written outside the output directory: the public DB to upload (WEB-47)."""
    outcome = state.explorer
    if outcome is None or outcome.db_path is not None:
        return []
    o = state.options
    return [o.effective_public_db_path]


def _volatile(state: BuildState) -> bool:
    """Did this build depend on the network or a cache that may change (see `reuse`)?"""
    if state.avatar_failures or state.brand_failures:
        return True
    outcome = state.explorer
    return bool(
        state.features
        and state.features.explorer
        and not (outcome.available if outcome is not None else True)
        and not state.options.offline  # offline, the cached assets (part of the key) decide
    )


def _children_cpu() -> float:
    """CPU seconds of the children reaped so far (profile renderers, avatar drawers, OG);
    0 where there is no `resource` module (Windows, where no child is forked either)."""
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rss() -> str:
    """Resident memory for the stage log (CORE-80 budgets the process tree's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return f"rss {int(line.split()[1]) // 1024} MB"
    except OSError:
        pass
    return "rss unknown"


def _build(options: BuildOptions, inputs: str | None = None) -> tuple[BuildResult, BuildState]:
    started = time.perf_counter()
    state = BuildState(options, BuildResult(out=options.out))
    log = options.logger
    try:
        for name, stage in STAGES:
            t0, cpu0, children0 = time.perf_counter(), time.process_time(), _children_cpu()
            stage(state)
            # `bench/buildstages.py` reads these lines: wall, this process's CPU, and the CPU of
            # the children reaped during the stage (CORE-80 measures the process tree)
            log.debug(
                "build stage %s: %.3fs, cpu %.3fs, children cpu %.3fs, %s",
                name,
                time.perf_counter() - t0,
                time.process_time() - cpu0,
                _children_cpu() - children0,
                _rss(),
            )
            if stage is stage_public_db and _check_public_key(state, inputs):
                return state.result, state
    finally:
        _join_prefetch(state)  # (only still running when a stage failed)
        batch, state.profiles = state.profiles, None
        if batch is not None:  # a stage failed while profiles were rendering
            batch.close()
        for db in (state.public, state.working):
            if db is not None:
                db.close()
        if state.tmp is not None:
            shutil.rmtree(state.tmp, ignore_errors=True)
    writer = state.writer
    assert writer is not None
    r = state.result
    r.pages = sum(1 for rel in writer.files if rel.endswith(".html"))
    r.written = len(writer.written)
    r.written_paths = sorted(writer.written)
    r.unchanged = writer.unchanged
    r.duration = time.perf_counter() - started
    log.info("%s", r.summary())
    return r, state
