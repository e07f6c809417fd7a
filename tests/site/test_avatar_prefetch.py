"""Generated avatars drawn ahead of the avatar step (CORE-80): same bytes, same counts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from leaderboard.db.database import Database
from leaderboard.publicdb import published_people
from leaderboard.site import BuildOptions, build_site
from leaderboard.site import avatars as av
from leaderboard.site.artefacts import media_people

REQUESTS = [
    av.AvatarRequest("alice", "Alice", None),
    av.AvatarRequest("bob", "Bob", "https://img.example/b.png"),
    av.AvatarRequest("carol", "Carol", "/assets/carol.png"),
    av.AvatarRequest("contributor-1a2b3c4d", "contributor-1a2b3c4d", None),
]


def test_needs_fallback_follows_build_avatars(tmp_path: Path) -> None:
    cache = tmp_path / "cache"

    def needs(r: av.AvatarRequest, mode: str, offline: bool) -> bool:
        return av.needs_fallback(r, mode=mode, cache_dir=cache, offline=offline, refresh=False)

    alice, bob, carol, _ = REQUESTS
    assert needs(alice, "cache", False) and needs(alice, "remote", True)
    assert needs(bob, "none", False)
    assert not needs(bob, "remote", True)
    assert not needs(bob, "cache", False)  # online: fetched
    assert needs(bob, "cache", True)  # offline, not cached: generated
    av.replace_file(av.cache_path(cache, "https://img.example/b.png"), b"webp")
    assert not needs(bob, "cache", True)  # offline but cached
    assert not needs(carol, "cache", True)  # a data-dir file is processed


def test_prefetched_avatars_are_the_drawn_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(av, "PARALLEL_MIN", 1)
    # the prefetch forks only when its process has no other thread; a test worker may still
    # hold idle threads of earlier tests' servers, which made this test depend on test order
    monkeypatch.setattr(av, "_can_fork", lambda: True)
    requests = [r for r in REQUESTS if r.avatar_url is None]
    prefetch = av.FallbackPrefetch(requests, cache_dir=tmp_path / "cache", font_path=None)
    assert prefetch.job is not None and prefetch.job.children
    prefetch.join()
    written: dict[str, bytes] = {}
    stats = av.build_avatars(
        requests,
        write=written.__setitem__,
        cache_dir=tmp_path / "cache",
        data_dir=tmp_path,
        mode="cache",
        offline=True,
    )
    assert stats.generated == len(requests)
    for r in requests:
        assert written[av.avatar_relpath(r.username)] == av.fallback_avatar(
            r.username, r.display_name
        )


def test_published_people_match_the_public_db(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    assert site_inputs.db_path is not None
    working = Database.open(site_inputs.db_path, readonly=True)
    try:
        people = published_people(working, site_inputs.config)
    finally:
        working.close()
    listed = sorted(p.name for p in (site_inputs.out / "avatars").glob("*.webp"))
    assert sorted(f"{u}.webp" for u, _, _ in people) == listed
    public = Database.open(site_inputs.out / "data.db", readonly=True)
    try:
        rows = public.conn.execute(
            "SELECT username, COALESCE(name, username), avatar_url FROM contributor"
        ).fetchall()
    finally:
        public.close()
    assert sorted(people) == sorted(rows)


def test_prefetch_is_joined_before_the_explorer_holds_the_public_db(
    site_inputs: BuildOptions,
) -> None:
    """CORE-80: the explorer step briefly holds the whole public DB; neither the avatar drawers
    nor the profile renderers may be alive then (their resident memory adds to the peak)."""
    from leaderboard.site.builder import STAGES, BuildState, stage_explorer
    from leaderboard.site.model import Features
    from leaderboard.site.options import BuildResult

    joined: list[bool] = []

    class Prefetch:
        def join(self) -> None:
            joined.append(True)

    state = BuildState(site_inputs, BuildResult(out=site_inputs.out))
    state.features = Features(explorer=False)
    state.prefetch = Prefetch()  # type: ignore[assignment]
    stage_explorer(state)
    assert joined == [True] and state.prefetch is None
    names = [name for name, _ in STAGES]
    assert names.index("explorer") < names.index("pages")


@pytest.mark.parametrize("policy", ["active", "all", "top"])
def test_prefetch_names_the_people_the_build_gives_avatars(
    site_inputs: BuildOptions, policy: str
) -> None:
    """CORE-80: the drawers draw only the avatars the build writes (`site.media`); drawing
    everyone was a third of their CPU at the benchmark's 1x."""
    cfg = site_inputs.config
    site = replace(cfg.leaderboard.site, media=policy, media_top=2)
    site_inputs = replace(
        site_inputs, config=replace(cfg, leaderboard=replace(cfg.leaderboard, site=site))
    )
    build_site(site_inputs)
    assert site_inputs.db_path is not None
    working = Database.open(site_inputs.db_path, readonly=True)
    try:
        people = [u for u, _, _ in published_people(working, site_inputs.config)]
        media = media_people(working, site_inputs.config, site_inputs.now, people)
    finally:
        working.close()
    written = {p.stem for p in (site_inputs.out / "avatars").glob("*.webp")}
    assert written == (set(people) if media is None else media)
    assert (media is None) == (policy == "all")
    if policy == "top":
        assert len(written) == 2 < len(people)


def test_prefetch_drawers_ask_who_is_wanted_only_when_drawing_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(av, "PARALLEL_MIN", 1)
    monkeypatch.setattr(av, "_can_fork", lambda: True)
    cache = tmp_path / "cache"
    requests = [av.AvatarRequest(u, u.title(), None) for u in ("alice", "dave", "erin")]
    asked: list[bool] = []

    def two() -> frozenset[str]:
        asked.append(True)
        return frozenset({"alice", "erin"})

    av.FallbackPrefetch(requests, cache_dir=cache, font_path=None, wanted=two).join()
    assert asked == []  # asked by the drawers, never by the parent (the critical path)
    assert len(list(cache.rglob("*.webp"))) == 2  # not dave

    for r in requests:  # dave drawn too (by the avatar step, in a build)
        path = av.cache_path(cache, av._fallback_key(r, av.font_digest(None)))
        if not path.exists():
            av.replace_file(path, av.fallback_avatar(r.username, r.display_name))

    def never() -> frozenset[str]:
        raise AssertionError("asked although every avatar is in the cache")

    prefetch = av.FallbackPrefetch(requests, cache_dir=cache, font_path=None, wanted=never)
    assert prefetch.job is None


def test_a_build_draws_no_avatar_nobody_gets(
    site_inputs: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end, with the drawers forked (each opens its own connection to the working DB to
    ask `site.media`): the avatar cache holds exactly the avatars the site has."""
    monkeypatch.setattr(av, "PARALLEL_MIN", 1)
    monkeypatch.setattr(av, "_can_fork", lambda: True)
    cfg = site_inputs.config
    site = replace(cfg.leaderboard.site, media="top", media_top=3)
    site_inputs = replace(
        site_inputs, config=replace(cfg, leaderboard=replace(cfg.leaderboard, site=site))
    )
    build_site(site_inputs)
    assert site_inputs.cache_dir is not None
    cached = sorted(p.read_bytes() for p in (site_inputs.cache_dir / "avatars").glob("*.webp"))
    written = sorted(p.read_bytes() for p in (site_inputs.out / "avatars").glob("*.webp"))
    assert len(written) == 3 and cached == written
