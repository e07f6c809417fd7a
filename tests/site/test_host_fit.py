"""WEB-64 end to end: a real-organisation-shaped site fits its host, every contributor stays
reachable, and a site that cannot fit is a build error naming the limit, figure and option.

The benchmark generator (`bench/generate.py`: a long tail of occasional contributors, a core with
thousands of activities, five years of history) at a tenth of the issue's 5,000 contributors and
450,000 activities, against the default profile with its file and byte limits scaled by the same
tenth; the full size is checked by `bench/hosts.py` (figures in bench/RESULTS.md).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote

import pytest

from leaderboard.config import load_config
from leaderboard.site import BuildOptions, build_site, hosts
from leaderboard.site.artefacts import shard_path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SCALE = 10  # a tenth of the organisation
PEOPLE, ACTIVITIES = 5_000 // SCALE, 450_000 // SCALE
DEFAULT = hosts.HOSTS["github-pages"]
SCALED = dataclasses.replace(
    DEFAULT,
    max_files=20_000 // SCALE,  # the issue: ≤ 20,000 files and ≤ 1 GB at full size
    max_total_bytes=10**9 // SCALE,
    plan_files=DEFAULT.plan_files // SCALE if DEFAULT.plan_files else None,
)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("org") / "data"
    stats = _generator().generate(data, now=NOW, contributors=PEOPLE, activities=ACTIVITIES)
    assert stats["contributors"] == PEOPLE and abs(stats["activities"] - ACTIVITIES) < 100
    return data


def _options(data: Path, out: Path, **config_site: object) -> BuildOptions:
    config = load_config(data, env={}).config
    assert config is not None
    lb = config.leaderboard
    site = dataclasses.replace(lb.site, **config_site)  # type: ignore[arg-type]
    config = dataclasses.replace(config, leaderboard=dataclasses.replace(lb, site=site))
    return BuildOptions(
        data_dir=data,
        config=config,
        now=NOW,
        out=out,
        cache_dir=out.parent / "cache",
        offline=True,
        explorer=False,  # its vendored assets need the network; the DB file is counted below
        logger=logging.getLogger("test.hosts"),
    )


@pytest.fixture(scope="module")
def built(org: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("built") / "_site"
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(hosts.HOSTS, "github-pages", SCALED)
        result = build_site(_options(org, out))
    return out, result


def _files(site: Path) -> list[Path]:
    return [p for p in site.rglob("*") if p.is_file()]


def test_the_default_profile_fits_at_scale(built: tuple[Path, object]) -> None:
    site, result = built
    files = _files(site)
    sizes = [p.stat().st_size for p in files]
    assert len(files) <= SCALED.max_files  # type: ignore[operator]
    assert sum(sizes) <= SCALED.max_total_bytes  # type: ignore[operator]
    assert max(sizes) <= 25 * 1024 * 1024
    assert result.files == len(files)  # type: ignore[attr-defined]
    assert result.bytes == pytest.approx(sum(sizes), rel=0.01)  # type: ignore[attr-defined]
    # every contributor has a profile page; media only for some, JSON in ≤ 256 shards
    people = json.loads((site / "api/v1/contributors.json").read_text())["contributors"]
    assert len(people) == PEOPLE
    for p in people:
        assert (site / _disk(p["profile_url"]) / "index.html").is_file()
    og = list(site.glob("*/opengraph-image.png"))
    avatars = list(site.glob("avatars/*.webp"))
    assert 0 < len(og) < PEOPLE and len(avatars) == len(og)
    assert len(list(site.glob("api/v1/contributors/shards/*.json"))) <= 256


def _disk(url: str) -> str:
    """The directory of a site URL (or path) on disk: raw usernames (WEB-04)."""
    return unquote(url.split("bench.example.org", 1)[-1]).lstrip("/")


def _links(page: str, pattern: str) -> list[str]:
    return re.findall(pattern, page)


def test_every_contributor_is_reachable_from_people_pages_and_the_sitemap(
    built: tuple[Path, object],
) -> None:
    site, _ = built
    base = "/"
    seen: set[str] = set()
    page: str | None = "people/"
    visited = 0
    while page is not None:  # follow rel="next" from the first People page
        html = (site / page / "index.html").read_text(encoding="utf-8")
        visited += 1
        seen |= set(_links(html, r'class="person-card" href="([^"]+)"'))
        nxt = re.search(r'<link rel="next" href="(?:https?://[^/]+)?(/[^"]+)"', html)
        page = nxt.group(1).removeprefix(base) if nxt else None
        assert visited <= PEOPLE
    people = json.loads((site / "api/v1/contributors.json").read_text())["contributors"]
    profiles = {"/" + p["profile_url"].split("bench.example.org/", 1)[1] for p in people}
    assert profiles <= seen, sorted(profiles - seen)[:5]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = {
        "/" + loc.split("bench.example.org/", 1)[1]
        for loc in _links(sitemap, r"<loc>([^<]+)</loc>")
    }
    assert profiles <= locs, sorted(profiles - locs)[:5]
    # each profile link resolves to a page on disk, and each page's avatar to a file or inline
    for url in sorted(profiles)[:50]:
        html = (site / _disk(url) / "index.html").read_text(encoding="utf-8")
        avatar = re.search(r'<img class="avatar profile-avatar" src="([^"]+)"', html)
        assert avatar is not None
        src = avatar.group(1)
        assert src.startswith("data:image/svg+xml,") or (site / _disk(src)).is_file()


def test_contributor_documents_are_found_the_way_the_index_says(built: tuple[Path, object]) -> None:
    site, _ = built
    index = json.loads((site / "api/v1/index.json").read_text())
    assert index["endpoints"]["contributor"].endswith("/api/v1/contributors/shards/{shard}.json")
    people = json.loads((site / "api/v1/contributors.json").read_text())["contributors"]
    for p in people[:: max(1, len(people) // 40)]:
        shard = json.loads((site / "api/v1" / shard_path(p["username"])).read_text())
        assert shard["contributors"][p["username"]]["username"] == p["username"]


def test_a_site_over_a_limit_is_a_build_error_naming_limit_figure_and_option(
    org: Path, tmp_path: Path
) -> None:
    tiny = dataclasses.replace(hosts.HOSTS["cloudflare"], max_files=300, plan_files=None)
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(hosts.HOSTS, "cloudflare", tiny)
        options = _options(org, tmp_path / "_site", host="cloudflare", og_images=False)
        with pytest.raises(hosts.HostLimitError) as caught:
            build_site(options)
    message = str(caught.value)
    assert "300 files per site on Cloudflare Pages (free)" in message
    assert re.search(r"the site has [\d,]+ files \([\d,]+ too many\)", message)
    assert "leaderboard.site.rank_badges: false" in message
    assert not (tmp_path / "_site" / ".leaderboard-build.json").exists()  # never published


def test_older_timeline_months_are_complete_and_compact_in_the_year_files(
    built: tuple[Path, object],
) -> None:
    """A busy profile renders its newest activities; the rest are rows of the year files the
    page lists (WEB-42, WEB-63): together each activity once, at a bounded size per row."""
    site, _ = built
    people = json.loads((site / "api/v1/contributors.json").read_text())["contributors"]
    busiest = max(people, key=lambda p: (p["activity_count"], p["username"]))
    page = (site / _disk(busiest["profile_url"]) / "index.html").read_text()
    remote = json.loads(re.search(r"data-tl-more>(.*?)</script>", page, re.S)[1])  # type: ignore[index]
    keys = {r["key"] for r in remote}
    months = re.findall(
        r'<section class="tl-month" data-month="([\d-]+)">(.*?)</section>', page, re.S
    )
    on_page = sum(m.count('class="tl-item"') for key, m in months if key not in keys)
    rows = 0
    for r in remote:
        doc = json.loads((site / _disk(r["url"])).read_text())
        assert doc["fields"] == ["type", "occurred_at", "day", "points", "title", "link", "text"]
        got = doc["months"][r["key"]]
        assert len(got) == r["count"]
        for row in got:
            name, icon = doc["types"][row[0]]
            assert name and icon and row[1].endswith("Z")
            assert row[2][:7] == r["key"] and isinstance(row[3], int)
        rows += len(got)
    sizes = sum((site / _disk(url)).stat().st_size for url in {r["url"] for r in remote})
    assert on_page + rows == busiest["activity_count"]
    assert sizes / rows < 160  # bytes per older activity: keys and type names are not repeated
