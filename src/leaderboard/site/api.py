"""The static JSON and CSV API under `api/v1/` (NEW-08), computed from the public DB.

Documents are built from the same query layer as the pages (`leaderboard.queries`), so the
numbers agree with the site. Keys follow the order NEW-08 lists; JSON is compact (CORE-40) with
a trailing newline; URLs are absolute. The whole API costs a fixed number of grouped queries
(four leaderboards, one totals query, one per table), never one query per contributor.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import orjson

from leaderboard import jsonfmt
from leaderboard.badges.variants import ordered_variants
from leaderboard.config.model import OrgConfig, RoleConfig
from leaderboard.db import Database
from leaderboard.population import Population
from leaderboard.queries import activities, leaderboards
from leaderboard.queries.rows import username_key
from leaderboard.queries.types import ContributorTotals, Leaderboard, LeaderboardEntry
from leaderboard.site.artefacts import SHARD_DIGITS, SHARD_TEMPLATE, shard_path
from leaderboard.site.format import format_aggregate_value
from leaderboard.site.markdown import render_bio
from leaderboard.site.urls import Urls, segment
from leaderboard.timeutil import PERIODS, canonical, period_window

if TYPE_CHECKING:
    from leaderboard.site.builder import BuildState

API_ROOT = "api/v1/"
CSV_HEADER = (
    "rank",
    "username",
    "name",
    "role",
    "points",
    "activity_count",
    "previous_rank",
    "rank_change",
)
RECENT_ACTIVITIES = 50

Write = Callable[[str, bytes], Any]


@dataclass(frozen=True)
class ApiContext:
    """What the API needs besides the public DB.

    `avatar_href(username, avatar_url)` returns the absolute avatar URL the site shows (the
    processed `avatars/<u>.webp`, or the remote URL with `site.avatars: remote`).
    """

    urls: Urls
    org: OrgConfig
    now: datetime
    tz: tzinfo
    timezone: str
    roles: Mapping[str, RoleConfig] = field(default_factory=dict)
    bots_track: bool = True
    avatar_href: Callable[[str, str | None], str | None] | None = None

    def avatar(self, username: str, avatar_url: str | None) -> str | None:
        if self.avatar_href is not None:
            return self.avatar_href(username, avatar_url)
        return self.urls.absolute(f"avatars/{segment(username)}.webp")

    def api_url(self, rel: str) -> str:
        return self.urls.absolute(API_ROOT + rel)

    def asset_url(self, url: str | None) -> str | None:
        """Data URLs made absolute: `/`-paths are under the site (data repo `assets/`)."""
        if not url:
            return url
        if url.startswith("/") and not url.startswith("//"):
            return self.urls.absolute(url.lstrip("/"))
        return url


def dumps(doc: Any) -> bytes:
    """Compact JSON (CORE-40) plus a trailing newline."""
    return (jsonfmt.dumps_compact(doc) + "\n").encode("utf-8")


# 19 digits in a row: possibly an integer beyond 64 bits, which orjson would read as a float
_LONG_DIGITS = re.compile(r"[0-9]{19}")


def _loads(text: str | None) -> Any:
    """A JSON column of the public DB. These were written by the pipeline's canonical writer
    from parsed values (no duplicate keys, no NaN), so orjson reads them to the same values at
    a seventh of the strict decoder's cost (50,000 a 1x build). Integers beyond 64 bits (orjson
    turns them into floats), and whatever orjson refuses (1e400, nesting deeper than 1,024) go
    to the strict decoder as before."""
    if text is None:
        return None
    if _LONG_DIGITS.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return jsonfmt.loads(text)


# ---------------------------------------------------------------- documents


def index_document(ctx: ApiContext, data_updated_at: str | None) -> dict[str, Any]:
    periods: dict[str, Any] = {}
    for name in PERIODS:
        w = period_window(name, ctx.now, ctx.tz)
        if name == "all-time":
            periods[name] = {"start": None, "end": w.end_text}
        else:
            periods[name] = {
                "start": w.start_text,
                "end": w.end_text,
                "previous_start": canonical(w.previous_start) if w.previous_start else None,
                "previous_end": canonical(w.previous_end) if w.previous_end else None,
            }
    return {
        "version": 1,
        "generated_at": canonical(ctx.now),
        "data_updated_at": data_updated_at,
        "org": {
            "name": ctx.org.name,
            "description": ctx.org.description,
            "url": ctx.org.url,
            "logo_url": ctx.org.logo_url,
        },
        "site_url": ctx.urls.site_url,
        "timezone": ctx.timezone,
        "periods": periods,
        "endpoints": {
            "leaderboard": ctx.api_url("leaderboard/{period}.json"),
            "contributors": ctx.api_url("contributors.json"),
            "contributor": ctx.api_url(SHARD_TEMPLATE),
            "activity_definitions": ctx.api_url("activity-definitions.json"),
            "badges": ctx.api_url("badges.json"),
        },
        # per-contributor documents are grouped so the file count stays bounded (WEB-64)
        "contributor_shards": {
            "count": 16**SHARD_DIGITS,
            "shard": f"the first {SHARD_DIGITS} hex digits of the SHA-256 of the lower-cased "
            "UTF-8 username",
            "document": "contributors.<username>",
        },
    }


def entry_document(ctx: ApiContext, e: LeaderboardEntry) -> dict[str, Any]:
    return {
        "rank": e.rank,
        "username": e.username,
        "name": e.name,
        "role": e.role,
        "avatar_url": ctx.avatar(e.username, e.avatar_url),
        "profile_url": ctx.urls.profile_absolute(e.username),
        "points": e.points,
        "activity_count": e.activity_count,
        "previous_points": e.previous_points,
        "previous_rank": e.previous_rank,
        "rank_change": e.rank_change,
        "rank_delta": e.rank_delta,
        "per_definition": {
            k: {"count": v["count"], "points": v["points"]} for k, v in e.breakdown.items()
        },
    }


def leaderboard_document(
    ctx: ApiContext, board: Leaderboard, bots: Leaderboard | None
) -> dict[str, Any]:
    return {
        "period": board.period,
        "start": board.start,
        "end": board.end,
        "entries": [entry_document(ctx, e) for e in board.entries],
        "bots": [entry_document(ctx, e) for e in bots.entries] if bots is not None else [],
    }


def leaderboard_csv(entries: Iterable[LeaderboardEntry]) -> bytes:
    """RFC 4180: CRLF line ends, fields quoted only when needed, quotes doubled."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    for e in entries:
        writer.writerow(
            [
                e.rank,
                e.username,
                e.name or "",
                e.role,
                e.points,
                e.activity_count,
                "" if e.previous_rank is None else e.previous_rank,
                e.rank_change or "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _role_fields(ctx: ApiContext, role: str) -> tuple[str, bool]:
    config = ctx.roles.get(role)
    return (config.name if config and config.name else role), bool(config and config.hidden)


def contributor_row_document(
    ctx: ApiContext, row: Mapping[str, Any], totals: ContributorTotals, badge_count: int
) -> dict[str, Any]:
    role_name, role_hidden = _role_fields(ctx, row["role"])
    return {
        "username": row["username"],
        "name": row["name"],
        "role": row["role"],
        "role_name": role_name,
        "role_hidden": role_hidden,
        "is_bot": bool(row["is_bot"]),
        "avatar_url": ctx.avatar(row["username"], row["avatar_url"]),
        "profile_url": ctx.urls.profile_absolute(row["username"]),
        "points": totals.points,
        "activity_count": totals.activity_count,
        "first_activity_at": totals.first_activity_at,
        "last_activity_at": totals.last_activity_at,
        "badge_count": badge_count,
    }


def _rank_of(
    board: Leaderboard, index: Mapping[str, LeaderboardEntry], user: str
) -> dict[str, int] | None:
    e = index.get(user)
    if e is None:
        return None
    return {
        "rank": e.rank,
        "of": len(board.entries),
        "points": e.points,
        "activity_count": e.activity_count,
    }


def activity_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """The activity object of ECO-07 (`points` = effective points)."""
    return {
        "slug": row["slug"],
        "contributor": row["contributor"],
        "activity_definition": row["activity_definition"],
        "title": row["title"],
        "occurred_at": row["occurred_at"],
        "link": row["link"],
        "text": row["text"],
        "points": row["effective_points"],
        "meta": _loads(row["meta"]),
    }


# ---------------------------------------------------------------- the whole API


class _Data:
    """Everything read from the public DB once."""

    def __init__(self, db: Database, ctx: ApiContext) -> None:
        self.population = Population.from_db(db)
        self.boards = {
            p: leaderboards.period(
                db, p, self.population.ranked, now=ctx.now, tz=ctx.tz, daily=False
            )
            for p in PERIODS
        }
        self.bot_boards = {
            p: leaderboards.period(db, p, self.population.bots, now=ctx.now, tz=ctx.tz, daily=False)
            if ctx.bots_track
            else None
            for p in PERIODS
        }
        self.contributors = sorted(
            db.query("SELECT * FROM contributor"), key=lambda r: username_key(r["username"])
        )
        end = canonical(ctx.now)
        self.totals = activities.totals_by_contributor(db, end=end, tz=ctx.tz)
        self.per_definition = activities.totals_by_contributor_and_definition(
            db, end=end, tz=ctx.tz
        )
        self.rank_index = {p: {e.username: e for e in b.entries} for p, b in self.boards.items()}
        self.badge_counts = {
            u: int(n)
            for u, n in db.execute(
                "SELECT contributor, COUNT(*) FROM contributor_badge GROUP BY contributor"
            )
        }
        self.definitions = db.query(
            "SELECT slug, name, description, points, icon FROM activity_definition ORDER BY slug"
        )
        self.badge_defs = {
            r["slug"]: {**r, "variants": _loads(r["variants"]) or {}}
            for r in db.query("SELECT * FROM badge_definition ORDER BY slug")
        }
        self.data_updated_at = db.scalar(
            "SELECT value FROM _leaderboard_public WHERE key = 'data_updated_at'"
        )


def _contributor_document(
    db: Database, ctx: ApiContext, data: _Data, row: Mapping[str, Any]
) -> dict[str, Any]:
    user = row["username"]
    totals = data.totals.get(user, ContributorTotals())
    role_name, role_hidden = _role_fields(ctx, row["role"])
    ranks: dict[str, Any] = {}
    for p in PERIODS:
        ranks[p] = _rank_of(data.boards[p], data.rank_index[p], user)
    aggregates = [
        {
            "slug": r["slug"],
            "name": r["name"],
            "value": _loads(r["value"]),
            "formatted": format_aggregate_value(_loads(r["value"])),
        }
        for r in db.query(
            "SELECT a.aggregate AS slug, d.name, a.value FROM contributor_aggregate a "
            "JOIN contributor_aggregate_definition d ON d.slug = a.aggregate "
            "WHERE a.contributor = ? AND d.hidden = 0 ORDER BY a.aggregate",
            (user,),
        )
    ]
    badges = []
    for r in db.query(
        "SELECT slug, badge, variant, achieved_on FROM contributor_badge WHERE contributor = ? "
        "ORDER BY achieved_on DESC, slug",
        (user,),
    ):
        definition = data.badge_defs.get(r["badge"], {})
        variant = (definition.get("variants") or {}).get(r["variant"]) or {}
        badges.append(
            {
                "badge": r["badge"],
                "name": definition.get("name", r["badge"]),
                "variant": r["variant"],
                "achieved_on": r["achieved_on"],
                "svg_url": ctx.asset_url(
                    variant.get("svg_url") if isinstance(variant, dict) else None
                ),
            }
        )
    recent = [
        activity_document(r)
        for r in db.query(
            "SELECT * FROM activity WHERE contributor = ? AND occurred_at <= ? "
            "ORDER BY occurred_at DESC, slug LIMIT ?",
            (user, canonical(ctx.now), RECENT_ACTIVITIES),
        )
    ]
    return {
        "username": user,
        "name": row["name"],
        "role": row["role"],
        "role_name": role_name,
        "role_hidden": role_hidden,
        "is_bot": bool(row["is_bot"]),
        "title": row["title"],
        "bio_html": str(render_bio(row["bio"])) if row["bio"] else None,
        "avatar_url": ctx.avatar(user, row["avatar_url"]),
        "profile_url": ctx.urls.profile_absolute(user),
        "social_profiles": _loads(row["social_profiles"]),
        "joining_date": row["joining_date"],
        "totals": {
            "points": totals.points,
            "activity_count": totals.activity_count,
            "active_days": totals.active_days,
            "first_activity_at": totals.first_activity_at,
            "last_activity_at": totals.last_activity_at,
        },
        "ranks": ranks,
        "per_definition": data.per_definition.get(user, {}),
        "aggregates": aggregates,
        "badges": badges,
        "recent_activities": recent,
    }


def badges_document(db: Database, ctx: ApiContext, data: _Data) -> dict[str, Any]:
    ranked = data.population.ranked.sql("c", public=True)
    per_variant = {
        (b, v): int(n)
        for b, v, n in db.execute(
            "SELECT b.badge, b.variant, COUNT(DISTINCT b.contributor) FROM contributor_badge b "
            f"JOIN contributor c ON c.username = b.contributor WHERE {ranked} GROUP BY b.badge, b.variant"
        )
    }
    per_badge = {
        b: int(n)
        for b, n in db.execute(
            "SELECT b.badge, COUNT(DISTINCT b.contributor) FROM contributor_badge b "
            f"JOIN contributor c ON c.username = b.contributor WHERE {ranked} GROUP BY b.badge"
        )
    }
    out = []
    for slug, d in data.badge_defs.items():
        variants = []
        for key, spec in ordered_variants(d["variants"]):
            order = spec.get("order", 0)
            variants.append(
                {
                    "key": key,
                    "description": spec.get("description"),
                    "svg_url": ctx.asset_url(spec.get("svg_url")),
                    "order": order
                    if isinstance(order, (int, float)) and not isinstance(order, bool)
                    else 0,
                    "earners": per_variant.get((slug, key), 0),
                }
            )
        out.append(
            {
                "slug": slug,
                "name": d["name"],
                "description": d["description"],
                "earners": per_badge.get(slug, 0),
                "variants": variants,
            }
        )
    return {"badges": out}


def iter_api(
    db: Database, ctx: ApiContext, data: _Data | None = None
) -> Iterator[tuple[str, bytes]]:
    """Every API file as (path relative to the output root, bytes), in path order, each
    contributor shard built only when its turn comes: the shards are most of the API (a
    Python document per contributor), and holding all of them before writing the first was
    500 MB of the 10x build's peak (CORE-80). `data`: what was read from `db` for `ctx`."""
    if data is None:
        data = _Data(db, ctx)
    files: dict[str, bytes] = {
        API_ROOT + "index.json": dumps(index_document(ctx, data.data_updated_at))
    }
    for p in PERIODS:
        board = data.boards[p]
        files[f"{API_ROOT}leaderboard/{p}.json"] = dumps(
            leaderboard_document(ctx, board, data.bot_boards[p])
        )
        files[f"{API_ROOT}leaderboard/{p}.csv"] = leaderboard_csv(board.entries)
    files[API_ROOT + "contributors.json"] = dumps(
        {
            "contributors": [
                contributor_row_document(
                    ctx,
                    r,
                    data.totals.get(r["username"], ContributorTotals()),
                    data.badge_counts.get(r["username"], 0),
                )
                for r in data.contributors
            ]
        }
    )
    files[API_ROOT + "activity-definitions.json"] = dumps(
        {"activity_definitions": [dict(r) for r in data.definitions]}
    )
    files[API_ROOT + "badges.json"] = dumps(badges_document(db, ctx, data))
    shards: dict[str, list[Mapping[str, Any]]] = {}
    for r in data.contributors:  # username order, so each shard lists its people in order
        shards.setdefault(API_ROOT + shard_path(r["username"]), []).append(r)
    for path in sorted([*files, *shards]):
        if path in files:
            yield path, files.pop(path)
        else:
            docs = {r["username"]: _contributor_document(db, ctx, data, r) for r in shards[path]}
            yield path, dumps({"contributors": docs})


def build_api(db: Database, ctx: ApiContext) -> dict[str, bytes]:
    """Every API file, keyed by its path relative to the output root, in path order."""
    return dict(iter_api(db, ctx))


def write_api(db: Database, ctx: ApiContext, write: Write, data: _Data | None = None) -> list[str]:
    """Hand every API file to `write(relpath, data)` as it is built; returns the paths."""
    paths = []
    for path, content in iter_api(db, ctx, data):
        write(path, content)
        paths.append(path)
    return paths


def build_stage(state: BuildState) -> None:
    """Builder step (WEB-02 step 9): write `api/v1/**` from the build's public DB."""
    assert state.public is not None and state.urls is not None and state.writer is not None
    o, urls, db, writer = state.options, state.urls, state.public, state.writer
    config = o.config
    mode = state.features.avatars if state.features is not None else "cache"
    ctx = ApiContext(
        urls=urls,
        org=config.org,
        now=o.now,
        tz=config.tz,
        timezone=config.leaderboard.timezone,
        roles=config.leaderboard.roles,
        bots_track=config.leaderboard.bots.track,
        avatar_href=lambda user, url: _avatar_href(urls, mode, user, url),
    )
    data = _Data(db, ctx)
    write_api(db, ctx, writer.write, data)
    # the Open Graph cards show the same totals (points and counts do not depend on the time
    # zone in the public DB, whose points are stored): one grouped query over every activity
    state.totals = data.totals


def _avatar_href(urls: Urls, mode: str, username: str, avatar_url: str | None) -> str:
    from leaderboard.site.avatars import avatar_href

    return avatar_href(urls.absolute, mode, username, avatar_url)


def contributor_document(db: Database, ctx: ApiContext, username: str) -> dict[str, Any] | None:
    """The `contributors/<username>.json` document of one contributor (the MCP server's
    `leaderboard://contributors/{username}` resource), or None when not published."""
    data = _Data(db, ctx)
    wanted = username.lower()
    for row in data.contributors:
        if row["username"].lower() == wanted:
            return _contributor_document(db, ctx, data, row)
    return None
