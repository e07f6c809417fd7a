"""Host profiles (WEB-64): the file and size limits of the static host a site deploys to.

`site.host` names the host; the build measures what it produced (files, bytes, the largest file)
against that host's limits and fails with a message naming the limit, the figure and the option
that changes it, instead of producing a site the host refuses (or, worse, one it truncates).
`leaderboard doctor` shows the same figures from an estimate made before any build.

The limits are the hosts' published ones, rounded down where a host states them loosely (GitHub
Pages' "1 GB" is taken as 10^9 bytes) so that a site that passes here deploys there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaderboard.config.sections import HOSTS as CONFIG_HOSTS
from leaderboard.errors import LeaderboardError

if TYPE_CHECKING:
    from leaderboard.site.artefacts import ArtefactPlan

MiB = 1024 * 1024
GB = 1000**3
DEFAULT_HOST = "github-pages"
PLAN_MARGIN = 97  # percent of a file cap the plan fills (its counts of fixed files are estimates)
PLAN_MARGIN = 97  # percent of a file cap the plan fills (its counts of fixed files are estimates)


@dataclass(frozen=True)
class HostProfile:
    """One host's limits; None = no limit."""

    name: str
    label: str
    max_files: int | None = None
    max_file_bytes: int | None = None
    max_total_bytes: int | None = None
    note: str = ""
    # the file count the build sizes per-contributor artefacts to (WEB-64); GitHub Pages has no
    # file cap, but its default keeps a site deployable to Cloudflare's free plan as well (and
    # within GitHub's 10-minute deployment)
    plan_files: int | None = None


HOSTS: dict[str, HostProfile] = {
    p.name: p
    for p in (
        HostProfile(
            "github-pages",
            "GitHub Pages",
            max_file_bytes=100 * MiB,
            max_total_bytes=1 * GB,
            note="deployments also time out after 10 minutes",
            plan_files=PLAN_MARGIN * 20_000 // 100,
        ),
        HostProfile(
            "cloudflare",
            "Cloudflare Pages (free)",
            max_files=20_000,
            max_file_bytes=25 * MiB,
            plan_files=PLAN_MARGIN * 20_000 // 100,
        ),
        HostProfile(
            "cloudflare-paid",
            "Cloudflare Pages (paid)",
            max_files=100_000,
            max_file_bytes=25 * MiB,
            plan_files=PLAN_MARGIN * 100_000 // 100,
        ),
        HostProfile(
            "gitlab",
            "GitLab Pages",
            max_files=200_000,
            max_total_bytes=1 * GB,
            plan_files=PLAN_MARGIN * 200_000 // 100,
        ),
        HostProfile("netlify", "Netlify", note="no published file cap; every file is uploaded"),
        HostProfile("none", "no host limits"),
    )
}
HOST_NAMES = tuple(HOSTS)
assert HOST_NAMES == CONFIG_HOSTS, "site.host values and profiles disagree"


def profile(name: str | None) -> HostProfile:
    return HOSTS[name or DEFAULT_HOST]


@dataclass(frozen=True)
class SiteSize:
    """What a site (built or estimated) ships: file count, total bytes, the largest file, and
    files per kind (for the message saying which option cuts what)."""

    files: int
    bytes: int
    largest_path: str
    largest_bytes: int
    kinds: Mapping[str, int] = field(default_factory=dict)  # kind → files
    kind_bytes: Mapping[str, int] = field(default_factory=dict)  # kind → bytes (when known)

    @classmethod
    def of(cls, sizes: Iterable[tuple[str, int]]) -> SiteSize:
        files = total = 0
        largest, largest_bytes = "", -1
        kinds: dict[str, int] = {}
        kind_bytes: dict[str, int] = {}
        for rel, size in sizes:
            files += 1
            total += size
            if size > largest_bytes or (size == largest_bytes and rel < largest):
                largest, largest_bytes = rel, size
            kind = kind_of(rel)
            kinds[kind] = kinds.get(kind, 0) + 1
            kind_bytes[kind] = kind_bytes.get(kind, 0) + size
        return cls(
            files, total, largest, max(largest_bytes, 0), dict(sorted(kinds.items())),
            dict(sorted(kind_bytes.items())),
        )  # fmt: skip


def kind_of(rel: str) -> str:
    """The artefact family of an output path, named after the option that controls it."""
    name = rel.rsplit("/", 1)[-1]
    if name == "opengraph-image.png":
        return "og images"
    if name.startswith("badge") and name.endswith((".svg", ".json")) and not rel.startswith("api/"):
        return "rank badges"
    if rel.startswith("avatars/"):
        return "avatars"
    if rel.startswith("api/v1/contributors/"):
        return "contributor json"
    if rel.startswith("api/"):
        return "api"
    if (
        name == "index.html"
        and not rel.startswith(
            ("leaderboard/", "people/page/", "docs/", "badges/", "scoring/", "data/")
        )
        and rel.count("/") >= 1
    ):
        return "profiles"
    if rel.startswith(("data/", "data.db", "static/vendor/")):
        return "explorer"
    return "other"


# which option removes or shrinks each family (named in the error message)
CUTS: dict[str, str] = {
    "og images": "leaderboard.site.og_images: false, or leaderboard.site.media: top with a smaller "
    "leaderboard.site.media_top",
    "avatars": "leaderboard.site.avatars: remote, or leaderboard.site.media: top with a smaller "
    "leaderboard.site.media_top",
    "rank badges": "leaderboard.site.rank_badges: false",
    "contributor json": "leaderboard.site.api: false (or a larger leaderboard.site.timeline_limit)",
    "api": "leaderboard.site.api: false",
    "explorer": "leaderboard.data_explorer.enabled: false, or data_explorer.source pointing at "
    "another host",
}


@dataclass(frozen=True)
class Problem:
    limit: str  # e.g. "20,000 files per site"
    figure: str  # e.g. "23,412 files"
    advice: str


def check(size: SiteSize, host: HostProfile, *, media_top_fit: int | None = None) -> list[Problem]:
    """Every limit of `host` that `size` exceeds, with the options that bring it under."""
    problems: list[Problem] = []
    other = [name for name in _other_hosts(size) if name != host.name]
    if host.max_files is not None and size.files > host.max_files:
        over = size.files - host.max_files
        cuts = [
            f"{CUTS[k]} (removes up to {n:,} {k} files)"
            for k, n in sorted(size.kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            if k in CUTS and n > 0
        ]
        if media_top_fit is not None and media_top_fit >= 0:
            cuts.insert(
                0,
                f"leaderboard.site.media: top with leaderboard.site.media_top: {media_top_fit:,} "
                "(Open Graph images and downloaded avatars for that many contributors)",
            )
        problems.append(
            Problem(
                f"{host.max_files:,} files per site on {host.label}",
                f"{size.files:,} files ({over:,} too many)",
                _advice(cuts, other),
            )
        )
    if host.max_file_bytes is not None and size.largest_bytes > host.max_file_bytes:
        problems.append(
            Problem(
                f"{_size(host.max_file_bytes)} per file on {host.label}",
                f"{size.largest_path} is {_size(size.largest_bytes)}",
                _advice(
                    [
                        "leaderboard.data_explorer.chunk_threshold / chunk_size (the public DB is "
                        "served in chunks above the threshold)"
                        if size.largest_path.startswith("data")
                        else "make the file smaller or move it out of assets/"
                    ],
                    other,
                ),
            )
        )
    if host.max_total_bytes is not None and size.bytes > host.max_total_bytes:
        families = ("explorer", "og images", "avatars", "contributor json")
        if size.kind_bytes:  # measured: the families that weigh most first, with their weight
            weight = {k: size.kind_bytes.get(k, 0) for k in families}
            weight["contributor json"] += size.kind_bytes.get("api", 0)  # one option: site.api
            big = [
                f"{CUTS[k]} (removes up to {_size(weight[k])})"
                for k in sorted(families, key=lambda k: (-weight[k], k))
                if weight[k]
            ]
        else:
            big = [CUTS[k] for k in families if size.kinds.get(k)]
        problems.append(
            Problem(
                f"{_size(host.max_total_bytes)} per site on {host.label}",
                f"{_size(size.bytes)} in {size.files:,} files",
                _advice(big, other),
            )
        )
    return problems


def _other_hosts(size: SiteSize) -> list[str]:
    return [
        name
        for name, p in HOSTS.items()
        if name != "none"
        and (p.max_files is None or size.files <= p.max_files)
        and (p.max_file_bytes is None or size.largest_bytes <= p.max_file_bytes)
        and (p.max_total_bytes is None or size.bytes <= p.max_total_bytes)
    ]


def _advice(cuts: list[str], hosts: list[str]) -> str:
    parts = []
    if cuts:
        parts.append("change " + "; or ".join(cuts))
    if hosts:
        parts.append("or deploy to a host it fits: leaderboard.site.host: " + " | ".join(hosts))
    return " ".join(parts)


def _size(n: int) -> str:
    """Totals in decimal units (hosts state "1 GB"), per-file limits in MiB (as stated)."""
    if n % MiB == 0 and n < GB:
        return f"{n // MiB} MiB"
    if n >= GB:
        return f"{n / GB:.2f} GB"
    return f"{n / 1e6:.1f} MB"


def report_lines(size: SiteSize, host: HostProfile) -> list[str]:
    """The figures against the profile, for the build log and `doctor`."""

    def against(value: str, limit: int | None, fmt: str) -> str:
        return f"{value} (limit {fmt})" if limit is not None else f"{value} (no limit)"

    files = against(f"{size.files:,} files", host.max_files, f"{host.max_files or 0:,}")
    if host.max_files is None and host.plan_files is not None:
        # no cap at the host, yet the build plans within one (see `HostProfile.plan_files`)
        files = f"{size.files:,} files (no host limit; planned within {host.plan_files:,})"
    return [
        f"Host {host.name} ({host.label}): "
        + files
        + ", "
        + against(_size(size.bytes), host.max_total_bytes, _size(host.max_total_bytes or 0))
        + ", largest "
        + against(
            f"{size.largest_path or '-'} {_size(size.largest_bytes)}",
            host.max_file_bytes,
            _size(host.max_file_bytes or 0),
        ),
        "Files by kind: " + ", ".join(f"{k} {n:,}" for k, n in size.kinds.items()),
    ] + (
        ["Bytes by kind: " + ", ".join(f"{k} {_size(n)}" for k, n in size.kind_bytes.items())]
        if size.kind_bytes
        else []
    )


class HostLimitError(LeaderboardError):
    """The output would not deploy to the configured host (exit 1, CORE-06)."""


def error_message(problems: list[Problem], host: HostProfile) -> str:
    lines = [f"The site does not fit site.host: {host.name} ({host.label}):"]
    for p in problems:
        lines.append(f"- limit {p.limit}: the site has {p.figure}; {p.advice}")
    return "\n".join(lines)


# -- the build's check -----------------------------------------------------------------------

MANIFEST_BYTES_PER_FILE = 80  # a manifest line: `"<path>": "<sha256>",` and indentation


def built_size(state: Any) -> SiteSize:
    """What this build wrote (or kept) in the output directory, plus the manifest to come."""
    writer = state.writer
    root: Path = writer.root

    def sizes() -> Iterator[tuple[str, int]]:
        manifest = 200
        for rel in writer.files:
            st = writer.stats.get(rel)
            size = st[0] if st is not None else (root / rel).stat().st_size
            manifest += len(rel) + MANIFEST_BYTES_PER_FILE
            yield rel, size
        yield ".leaderboard-build.json", manifest

    return SiteSize.of(sizes())


def media_top_fit(size: SiteSize, host: HostProfile, per_person: int) -> int | None:
    """The largest `site.media_top` that brings the file count under the host's cap (None when
    media files alone cannot)."""
    if host.max_files is None or per_person <= 0:
        return None
    media = size.kinds.get("og images", 0) + size.kinds.get("avatars", 0)
    room = host.max_files - (size.files - media)
    return room // per_person if room >= 0 else None


def check_build(state: Any) -> None:
    """Log the figures against `site.host` and raise `HostLimitError` when they exceed it."""
    o = state.options
    host = profile(o.host or o.config.leaderboard.site.host)
    size = built_size(state)
    r = state.result
    r.files, r.bytes, r.largest = size.files, size.bytes, size.largest_path
    for line in report_lines(size, host):
        o.logger.info("%s", line)
    f = state.features
    per_person = int(bool(f and f.og)) + int(bool(f and f.avatars != "remote"))
    problems = check(size, host, media_top_fit=media_top_fit(size, host, per_person))
    if problems:
        raise HostLimitError(error_message(problems, host))


# -- the estimate before a build (`doctor`) --------------------------------------------------

# typical bytes per file of each family, measured on the benchmark organisation at 5,000
# contributors (bench/hosts.py; profiles and contributor JSON again after the heatmap, timeline
# and icon changes of issue 17: 44 KB mean profile after the sprite file and the single
# achievements showcase, shards and year files together 48 KB a file);
# the explorer's chunks are counted from the public DB's size
TYPICAL_BYTES = {
    "profiles": 44_000,
    "og images": 28_000,
    "avatars": 6_000,
    "rank badges": 700,
    "contributor json": 48_000,
    "api": 600_000,
    "other": 100_000,
}


def explorer_largest(public_db_bytes: int, explorer: Any) -> tuple[str, int]:
    """The largest file of the shipped public DB: its first chunk, or the file itself. The
    chunks concatenated are the database (WEB-47), so the DB's bytes are all it ships."""
    from leaderboard.site.artefacts import explorer_files

    if explorer_files(public_db_bytes, explorer) > 1:
        return "data.db.000", min(public_db_bytes, explorer.chunk_size)
    return "data.db", public_db_bytes


def estimate(conn: Any, config: Any, now: Any, public_db_bytes: int | None) -> SiteSize:
    """The site a build would produce from the working DB (a `sqlite3` connection): the same
    plan as the build (`artefacts.plan_artefacts` over the same counts), typical sizes per
    file. Privacy rules are not applied, so it errs on the large side."""
    from leaderboard.site.activitylog import instant_ms
    from leaderboard.site.artefacts import (
        ACTIVE_DAYS,
        Population,
        explorer_files,
        plan_artefacts,
        reserved_files,
    )
    from leaderboard.timeutil import PERIODS, canonical, period_window

    site = config.leaderboard.site
    explorer = config.leaderboard.data_explorer
    hidden = [k for k, r in config.leaderboard.roles.items() if r.hidden]
    end = canonical(now)
    since = canonical(now - timedelta(days=ACTIVE_DAYS))
    people = [
        r[0]
        for r in conn.execute(
            "SELECT username FROM contributor WHERE COALESCE(visibility, 'public') != 'hidden' "
            "ORDER BY username"
        )
    ]
    pts = "COALESCE(a.points, d.points, 0)"
    join = "FROM activity a LEFT JOIN activity_definition d ON d.slug = a.activity_definition "
    last: dict[str, int] = {}
    points: dict[str, int] = {}
    recent: dict[str, int] = {}
    for user, total, late, at in conn.execute(
        f"SELECT a.contributor, SUM({pts}), SUM(CASE WHEN a.occurred_at > ? THEN {pts} ELSE 0 "
        f"END), MAX(a.occurred_at) {join}WHERE a.occurred_at <= ? GROUP BY a.contributor",
        (since, end),
    ):
        points[user], recent[user], last[user] = int(total), int(late), instant_ms(at)
    roles = ",".join("?" * len(hidden))
    ranked: dict[str, int] = {}
    for period in PERIODS:
        start = "" if period == "all-time" else period_window(period, now, config.tz).start_text
        ranked[period] = conn.execute(
            f"SELECT COUNT(*) FROM (SELECT a.contributor, SUM({pts}) AS p {join}"
            "JOIN contributor c ON c.username = a.contributor WHERE a.occurred_at >= ? "
            f"AND a.occurred_at <= ? AND COALESCE(c.bot, 0) = 0 AND c.role NOT IN ({roles}) "
            "GROUP BY a.contributor HAVING p > 0)",
            (start, end, *hidden),
        ).fetchone()[0]
    years = 0
    if site.api:
        years = conn.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT contributor, substr(occurred_at, 1, 4) FROM "
            "(SELECT contributor, occurred_at, ROW_NUMBER() OVER (PARTITION BY contributor "
            "ORDER BY occurred_at DESC) AS n FROM activity WHERE occurred_at <= ?) WHERE n >= ?)",
            (end, site.timeline_limit),
        ).fetchone()[0]
    pop = Population(people, last, points, recent, ranked, int(years))
    chunks = explorer_files(public_db_bytes, explorer) if explorer.enabled else 0
    reserved = reserved_files(pop, api=site.api, explorer=chunks)
    host = profile(site.host)
    plan = plan_artefacts(
        pop,
        policy=site.media,
        top=site.media_top,
        now_ms=instant_ms(end),
        budget=host.plan_files,
        reserved=reserved,
        og=site.og_images,
        avatar_files=site.avatars != "remote",
        rank_badges=site.rank_badges,
    )
    media = plan.media.count(len(people))
    kinds: dict[str, int] = {"profiles": len(people)}
    if site.og_images:
        kinds["og images"] = media
    if site.avatars != "remote":
        kinds["avatars"] = media
    if site.rank_badges:
        top = plan.badge_top if plan.badge_top is not None else 10**9
        kinds["rank badges"] = ranked["all-time"] + sum(
            w * min(ranked[p], top) for p, w in (("week", 1), ("month", 3), ("year", 1))
        )
    if site.api:
        kinds["contributor json"] = min(len(people), 256) + int(years)
        kinds["api"] = 12
    kinds["explorer"] = chunks
    kinds["other"] = (
        reserved - len(people) - kinds.get("contributor json", 0) - 12 * site.api - chunks
    )
    total = sum(n * TYPICAL_BYTES.get(k, 0) for k, n in kinds.items())
    largest, largest_bytes = "", 0
    if chunks and public_db_bytes:
        total += public_db_bytes
        largest, largest_bytes = explorer_largest(public_db_bytes, explorer)
    return SiteSize(sum(kinds.values()), total, largest, largest_bytes, dict(sorted(kinds.items())))


def plan_for_build(state: Any) -> ArtefactPlan:
    """The plan of one build: its host's file budget (`hosts.HostProfile.plan_files`) minus
    what every build writes, shared by what `site.media` and the ranks ask for."""
    from leaderboard.site.activitylog import instant_ms
    from leaderboard.site.artefacts import (
        explorer_files,
        plan_artefacts,
        population_of,
        reserved_files,
    )
    from leaderboard.timeutil import canonical

    o, model, f = state.options, state.model, state.features
    site = o.config.leaderboard.site
    host = profile(o.host or site.host)
    snap = model.snap
    pop = population_of(snap, f.timeline_limit, f.api)
    explorer = o.config.leaderboard.data_explorer
    chunks = 0
    if f.explorer and state.public_path is not None:
        chunks = explorer_files(state.public_path.stat().st_size, explorer)
    reserved = reserved_files(pop, api=f.api, explorer=chunks)
    plan = plan_artefacts(
        pop,
        policy=site.media,
        top=site.media_top,
        now_ms=instant_ms(canonical(snap.now)),
        budget=host.plan_files,
        reserved=reserved,
        og=f.og,
        avatar_files=f.avatars != "remote",
        rank_badges=f.rank_badges,
    )
    for note in plan.notes:
        o.logger.info("Host %s: %s", host.name, note)
    return plan
