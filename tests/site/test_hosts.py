"""Host profiles and the per-contributor artefact plan (WEB-64), without building a site."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

import pytest

from leaderboard.config.sections import HOSTS as CONFIG_HOSTS
from leaderboard.site import hosts
from leaderboard.site.artefacts import (
    Population,
    initials_data_uri,
    plan_artefacts,
    plan_media,
    shard_of,
    shard_path,
)
from leaderboard.site.rankbadge import ranked_badge_files

DAY = 86_400_000
NOW = 400 * DAY


def test_profiles_match_the_config_values_and_the_issue_limits() -> None:
    assert hosts.HOST_NAMES == CONFIG_HOSTS
    gh, cf, paid, gl = (
        hosts.HOSTS[n] for n in ("github-pages", "cloudflare", "cloudflare-paid", "gitlab")
    )
    assert (gh.max_files, gh.max_total_bytes) == (None, 10**9)
    assert (cf.max_files, cf.max_file_bytes) == (20_000, 25 * 1024 * 1024)
    assert paid.max_files == 100_000
    assert (gl.max_files, gl.max_total_bytes) == (200_000, 10**9)
    assert hosts.HOSTS["netlify"].max_files is None and hosts.HOSTS["none"].plan_files is None
    assert hosts.profile(None).name == "github-pages"
    # the default keeps a site deployable to Cloudflare's free plan too
    assert gh.plan_files is not None and gh.plan_files <= 20_000


def test_site_size_counts_files_bytes_largest_and_kinds() -> None:
    size = hosts.SiteSize.of(
        [
            ("alice/index.html", 10),
            ("alice/opengraph-image.png", 30),
            ("alice/badge-all-time.svg", 1),
            ("avatars/alice.webp", 5),
            ("api/v1/contributors/shards/2b.json", 7),
            ("data.db", 50),
        ]
    )
    assert (size.files, size.bytes, size.largest_path, size.largest_bytes) == (
        6,
        103,
        "data.db",
        50,
    )
    assert size.kinds == {
        "avatars": 1,
        "contributor json": 1,
        "explorer": 1,
        "og images": 1,
        "profiles": 1,
        "rank badges": 1,
    }


def test_a_limit_exceeded_names_the_limit_the_figure_and_the_option() -> None:
    size = hosts.SiteSize(
        files=23_412,
        bytes=900_000_000,
        largest_path="data.db.000",
        largest_bytes=24 * 1024 * 1024,
        kinds={"og images": 3_000, "avatars": 3_000, "rank badges": 9_000, "profiles": 8_000},
    )
    cf = hosts.HOSTS["cloudflare"]
    problems = hosts.check(size, cf, media_top_fit=1_294)
    assert len(problems) == 1
    message = hosts.error_message(problems, cf)
    assert "20,000 files per site on Cloudflare Pages (free)" in message  # the limit
    assert "23,412 files (3,412 too many)" in message  # the figure
    assert "leaderboard.site.media_top: 1,294" in message  # the options
    assert "leaderboard.site.rank_badges: false" in message
    assert "leaderboard.site.host: " in message and "cloudflare-paid" in message
    assert hosts.check(size, hosts.HOSTS["github-pages"]) == []
    assert hosts.check(size, hosts.HOSTS["none"]) == []


def test_bytes_and_per_file_limits() -> None:
    big = hosts.SiteSize(5, 2 * 10**9, "data.db", 30 * 1024 * 1024, {"explorer": 1})
    gh = hosts.check(big, hosts.HOSTS["github-pages"])
    assert [p.limit for p in gh] == ["1.00 GB per site on GitHub Pages"]
    assert "2.00 GB" in gh[0].figure and "data_explorer" in gh[0].advice
    cf = hosts.check(big, hosts.HOSTS["cloudflare"])
    assert [p.limit for p in cf] == ["25 MiB per file on Cloudflare Pages (free)"]
    # measured sites name what each option removes, the heaviest first
    built = hosts.SiteSize.of(
        [*((f"data.db.{i:03}", 90_000_000) for i in range(12)), ("a/index.html", 90_000),
         ("a/opengraph-image.png", 20_000_000), ("b/opengraph-image.png", 30_000_000),
         ("api/v1/contributors/shards/00.json", 5_000), ("api/v1/index.json", 1_000)]
    )  # fmt: skip
    assert built.kind_bytes == {
        "api": 1_000, "contributor json": 5_000, "explorer": 1_080_000_000, "og images": 50_000_000,
        "profiles": 90_000,
    }  # fmt: skip
    (over,) = hosts.check(built, hosts.HOSTS["github-pages"])
    assert (
        over.advice.index("(removes up to 1.08 GB)")
        < over.advice.index("(removes up to 50.0 MB)")
        < over.advice.index("(removes up to 0.0 MB)")
    )
    assert "data_explorer.enabled: false" in over.advice.split("(removes up to 1.08 GB)")[0]
    assert over.advice.count("leaderboard.site.api: false") == 1  # its files counted once
    assert "Bytes by kind: api 0.0 MB, contributor json 0.0 MB, explorer 1.08 GB" in "\n".join(
        hosts.report_lines(built, hosts.HOSTS["github-pages"])
    )
    assert "data.db is 30 MiB" in cf[0].figure and "chunk" in cf[0].advice


def test_media_policies() -> None:
    people = ["a", "b", "c", "d"]
    last = {"a": NOW - DAY, "b": NOW - 400 * DAY, "c": NOW - 364 * DAY}
    points = {"a": 5, "b": 50, "c": 1}
    active = plan_media("active", 0, people, last, points, NOW)
    assert active.chosen == frozenset({"a", "c"})  # d never contributed, b not this year
    assert plan_media("all", 0, people, last, points, NOW).has_media("d")
    top = plan_media("top", 2, people, last, points, NOW)
    assert top.chosen == frozenset({"b", "a"})


def _population(n: int) -> Population:
    people = [f"u{i:04d}" for i in range(n)]
    return Population(
        people=people,
        last_ms={u: NOW - DAY for u in people},
        points={u: n - i for i, u in enumerate(people)},
        recent={u: n - i for i, u in enumerate(people)},
        ranked={"week": n // 10, "month": n // 4, "year": n, "all-time": n},
        timeline_files=0,
    )


def test_the_plan_fills_the_budget_in_order_and_never_drops_a_profile() -> None:
    pop = _population(1_000)
    roomy = plan_artefacts(pop, policy="active", top=0, now_ms=NOW, budget=None, reserved=0,
                           og=True, avatar_files=True, rank_badges=True)  # fmt: skip
    assert roomy.media.count(1_000) == 1_000 and roomy.badge_top is None and not roomy.notes
    # 1,000 profiles reserved + 1,000 all-time badges leave 1,500 files: 750 people get media,
    # the most recent points first; no room is left for week/month/year badges
    tight = plan_artefacts(pop, policy="active", top=0, now_ms=NOW, budget=3_500,
                           reserved=1_000, og=True, avatar_files=True, rank_badges=True)  # fmt: skip
    assert tight.media.count(1_000) == 750
    assert tight.has_media("u0000") and not tight.has_media("u0999")
    assert tight.badge_top == 0
    assert len(tight.notes) == 2 and "750 of 1,000" in tight.notes[0]
    # enough room for media, part of the period badges: the best ranks get them
    part = plan_artefacts(pop, policy="active", top=0, now_ms=NOW, budget=4_400,
                          reserved=1_000, og=True, avatar_files=True, rank_badges=True)  # fmt: skip
    assert part.media.count(1_000) == 1_000
    assert part.badge_top is not None and 0 < part.badge_top < 1_000
    k = part.badge_top
    used = min(100, k) + 3 * min(250, k) + min(1_000, k)
    assert used <= 400 < min(100, k + 1) + 3 * min(250, k + 1) + min(1_000, k + 1)


def test_rank_badges_only_for_ranked_periods() -> None:
    files = {n: b"x" for n in ("badge-all-time.svg", "badge-month.svg", "badge-week.svg",
                               "badge-year.svg", "badge.json", "badge.svg")}  # fmt: skip
    kept = ranked_badge_files(files, {"week": None, "month": None, "year": 4, "all-time": 9})
    assert sorted(kept) == ["badge-all-time.svg", "badge-year.svg"]
    kept = ranked_badge_files(files, {"week": None, "month": 2, "year": 4, "all-time": 9})
    assert sorted(kept) == ["badge-all-time.svg", "badge-month.svg", "badge-year.svg",
                            "badge.json", "badge.svg"]  # fmt: skip
    assert ranked_badge_files(files, dict.fromkeys(("week", "month", "year", "all-time"))) == {}


def test_shards_are_bounded_and_documented() -> None:
    expected = hashlib.sha256(b"dependabot[bot]").hexdigest()[:2]
    assert shard_of("Dependabot[bot]") == expected
    assert shard_path("dependabot[bot]") == f"contributors/shards/{expected}.json"
    assert len({shard_of(f"user{i}") for i in range(20_000)}) == 256


@pytest.mark.parametrize("name", ["Alice Smith", "<b>&", "名前"])
def test_initials_are_an_inline_svg(name: str) -> None:
    uri = initials_data_uri("alice", name)
    assert uri.startswith("data:image/svg+xml,") and len(uri) < 600
    svg = unquote(uri.split(",", 1)[1])
    assert "<script" not in svg and "<b>" not in svg
    assert svg.count("<text") == 1


def test_the_report_says_a_file_plan_is_not_a_host_limit() -> None:
    size = hosts.SiteSize(352, 8_200_000, "data.db", 1_200_000, {"profiles": 31})
    gh = hosts.report_lines(size, hosts.profile("github-pages"))[0]
    assert "352 files (no host limit; planned within 19,400)" in gh
    assert "8.2 MB (limit 1.00 GB)" in gh and "data.db 1.2 MB (limit 100 MiB)" in gh
    cf = hosts.report_lines(size, hosts.profile("cloudflare"))[0]
    assert "352 files (limit 20,000)" in cf
    assert "352 files (no limit)" in hosts.report_lines(size, hosts.profile("none"))[0]


def test_doctor_estimate_counts_the_public_db_once_in_chunks_of_chunk_size() -> None:
    """WEB-47: the chunks concatenated are the database, so the estimate adds the DB's bytes
    (no per-chunk overlap) and the largest file is one chunk, or the DB when it is one file."""
    from leaderboard.config.model import DataExplorerConfig
    from leaderboard.site.artefacts import explorer_files

    mib = 1024 * 1024
    explorer = DataExplorerConfig()
    assert explorer.chunk_size == 8 * mib  # WEB-47's default, under every host's file limit
    db = 340 * mib  # the benchmark's 10× public DB
    assert explorer_files(db, explorer) == 1 + 43  # 43 chunks and their JSON
    assert hosts.explorer_largest(db, explorer) == ("data.db.000", 8 * mib)
    assert hosts.explorer_largest(19 * mib, explorer) == ("data.db", 19 * mib)
    small = DataExplorerConfig(chunk_threshold=mib, chunk_size=4 * mib)
    assert hosts.explorer_largest(3 * mib, small) == ("data.db.000", 3 * mib)
