"""The 20 tools of ECO-08…ECO-27: thin functions over the shared query layer.

Each tool receives validated arguments (`params.validate`) and a `Call` (one read-only
connection, the organisation, "now") and returns the result object; failures raise `ToolError`.
No tool has SQL of its own: everything the site also shows is read through `leaderboard.queries`,
so an assistant gets the site's numbers.

Where the spec is silent: activities after "now" are left out of every list (as on the site); an
unknown `contributor`/`activity_type` filter is a not-found error rather than an empty list, so an
assistant notices a misspelt name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leaderboard.badges.variants import ordered_variants
from leaderboard.db import Database
from leaderboard.mcp.envelope import ArgumentError, ToolError
from leaderboard.mcp.params import MAX_LIMIT, Bounds, Param, bounds
from leaderboard.mcp.source import Organisation
from leaderboard.population import Population
from leaderboard.queries import (
    activities,
    activity_definitions,
    activity_lists,
    aggregate_definitions,
    badge_definitions,
    contributor_aggregates,
    contributor_badges,
    contributors,
    global_aggregates,
    leaderboards,
    standing,
)
from leaderboard.timeutil import PERIODS, canonical, local_date, start_of_day


@dataclass(frozen=True)
class Call:
    """One tool call: its own connection, the organisation and the instant it runs at."""

    db: Database
    org: Organisation
    now: datetime

    @property
    def now_text(self) -> str:
        return canonical(self.now)


Handler = Callable[[Call, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: tuple[Param, ...]
    handler: Handler


# -- populations (ECO-07, CORE-74) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankingPopulation(Population):
    """The population of a ranking tool: `exclude_roles` replace the hidden roles, and
    `include_bots` lets bots in (they are ranked among people then)."""

    include_bots: bool = False

    def sql(self, alias: str = "c", *, public: bool = False) -> str:
        if self.include_bots and self.name == "ranked":
            listed = self.listed_sql(alias, public=public)
            return f"({listed} AND NOT {self.hidden_role_sql(alias)})"
        return Population.sql(self, alias, public=public)

    def contains(self, contributor: Mapping[str, Any]) -> bool:
        if self.include_bots and self.name == "ranked":
            return self.is_listed(contributor) and not self.is_hidden_role(contributor)
        return Population.contains(self, contributor)


def population(call: Call, args: Mapping[str, Any]) -> RankingPopulation:
    base = Population.from_db(call.db)
    excluded = args.get("exclude_roles")
    roles = call.org.hidden_roles if excluded is None else tuple(excluded)
    return RankingPopulation(
        name="ranked",
        hidden_roles=frozenset(roles),
        bot_roles=base.bot_roles,
        default_visibility=base.default_visibility,
        include_bots=bool(args.get("include_bots")),
    )


def filters(call: Call, args: Mapping[str, Any], window: Bounds | None = None) -> dict[str, Any]:
    excluded = args.get("exclude_roles")
    out: dict[str, Any] = {}
    if "start_date" in args:
        out["start_date"] = args.get("start_date")
        out["end_date"] = args.get("end_date")
    if "period" in args:
        out["period"] = window.period if window is not None else args.get("period")
    out["exclude_roles"] = sorted(call.org.hidden_roles if excluded is None else excluded)
    out["include_bots"] = bool(args.get("include_bots"))
    return out


# -- object shapes (ECO-07) ---------------------------------------------------------------------


def contributor_object(call: Call, row: Mapping[str, Any]) -> dict[str, Any]:
    rules = Population.from_db(call.db)
    return {
        "username": row["username"],
        "name": row.get("name"),
        "role": row.get("role"),
        "title": row.get("title"),
        "avatar_url": row.get("avatar_url"),
        "bio": row.get("bio"),
        "social_profiles": row.get("social_profiles"),
        "joining_date": row.get("joining_date"),
        "meta": row.get("meta"),
        "is_bot": rules.is_bot(row),
        "role_hidden": row.get("role") in call.org.hidden_roles,
    }


def activity_object(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "slug": row["slug"],
        "contributor": row["contributor"],
        "activity_definition": row["activity_definition"],
        "title": row.get("title"),
        "occurred_at": row["occurred_at"],
        "link": row.get("link"),
        "text": row.get("text"),
        "points": row["points"],
        "meta": row.get("meta"),
    }


def award_object(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "slug": row["slug"],
        "badge": row["badge"],
        "contributor": row["contributor"],
        "variant": row["variant"],
        "achieved_on": row["achieved_on"],
        "meta": row.get("meta"),
    }


def badge_definition_object(row: Mapping[str, Any]) -> dict[str, Any]:
    variants = row.get("variants") if isinstance(row.get("variants"), dict) else {}
    return {
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "variants": dict(ordered_variants(variants or {})),
    }


def require_contributor(call: Call, username: str) -> dict[str, Any]:
    row = contributors.get(call.db, username)
    if row is None:
        raise ToolError(f"Contributor not found: {username}")
    return row


def require_definition(call: Call, slug: str) -> dict[str, Any]:
    row = activity_definitions.get(call.db, slug)
    if row is None:
        raise ToolError(f"Activity definition not found: {slug}")
    return row


def window(call: Call, args: Mapping[str, Any], default: str | None = "all-time") -> Bounds:
    return bounds(
        args.get("start_date"), args.get("end_date"), args.get("period"),
        tz=call.org.tz, now=call.now, default_period=default,
    )  # fmt: skip


# -- contributors -------------------------------------------------------------------------------


def query_contributors(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    rows = (
        contributors.get_by_role(call.db, args["role"])
        if args["role"] is not None
        else contributors.get_all(call.db)
    )
    page = rows[args["offset"] : args["offset"] + args["limit"]]
    return {
        "contributors": [contributor_object(call, r) for r in page],
        "total": len(rows),
        "limit": args["limit"],
        "offset": args["offset"],
    }


def get_contributor(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    return contributor_object(call, require_contributor(call, args["username"]))


def _totals(call: Call, username: str) -> tuple[int, int]:
    per = activities.counts_by_definition(call.db, username, now=call.now_text, tz=call.org.tz)
    return sum(v["points"] for v in per.values()), sum(v["count"] for v in per.values())


def _aggregates(call: Call, username: str) -> list[dict[str, Any]]:
    return [
        {
            "aggregate": r["slug"],
            "name": r["name"],
            "value": r["value"],
            "meta": r["meta"],
            "hidden": bool(r["hidden"]),
        }
        for r in contributor_aggregates.enriched(call.db, username)
    ]


def get_contributor_stats(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    row = require_contributor(call, args["username"])
    who = row["username"]
    points, count = _totals(call, who)
    awards = [award_object(r) for r in contributor_badges.by_contributor(call.db, who)]
    tz = call.org.tz
    today = local_date(call.now, tz)
    first = canonical(start_of_day(today - timedelta(days=89), tz))
    by_date = activities.counts_by_date(call.db, who, start=first, now=call.now_text, tz=tz)
    recent = activities.by_contributor(call.db, who, 10, now=call.now_text, tz=tz)
    return {
        "contributor": contributor_object(call, row),
        "stats": {"totalPoints": points, "activityCount": count, "badgeCount": len(awards)},
        "recentActivities": [activity_object(r) for r in recent],
        "aggregates": _aggregates(call, who),
        "badges": awards,
        "activityByDate": [{"date": d, "count": n} for d, n in sorted(by_date.items())],
    }


def batch_get_contributors(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    results = []
    for name in args["usernames"]:
        row = contributors.get(call.db, name)
        results.append(
            {
                "username": name,
                "found": row is not None,
                "data": contributor_object(call, row) if row is not None else None,
            }
        )
    return {
        "results": results,
        "total": len(results),
        "found": sum(1 for r in results if r["found"]),
    }


def batch_get_contributor_stats(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    results = []
    for name in args["usernames"]:
        row = contributors.get(call.db, name)
        item: dict[str, Any] = {"username": name, "found": row is not None}
        points, count = _totals(call, row["username"]) if row is not None else (0, 0)
        item["totalPoints"], item["activityCount"] = points, count
        if args["include_aggregates"]:
            item["aggregates"] = _aggregates(call, row["username"]) if row is not None else []
        if args["include_badges"]:
            item["badges"] = (
                [
                    award_object(r)
                    for r in contributor_badges.by_contributor(call.db, row["username"])
                ]
                if row is not None
                else []
            )
        results.append(item)
    return {"results": results, "total": len(results)}


# -- activities ---------------------------------------------------------------------------------


def query_activities(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    who = (
        require_contributor(call, args["contributor"])["username"] if args["contributor"] else None
    )
    if args["activity_type"] is not None:
        require_definition(call, args["activity_type"])
    w = window(call, args, default=None)
    rows, total = activity_lists.filtered(
        call.db, contributor=who, definition=args["activity_type"], start=w.start, end=w.end,
        now=call.now_text, limit=args["limit"], offset=args["offset"], tz=call.org.tz,
    )  # fmt: skip
    return {
        "activities": [activity_object(r) for r in rows],
        "total": total,
        "limit": args["limit"],
        "offset": args["offset"],
    }


def get_activity(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    row = activity_lists.one(call.db, args["slug"], tz=call.org.tz)
    if row is None:
        raise ToolError(f"Activity not found: {args['slug']}")
    return {
        **activity_object(row),
        "raw_points": row["stored_points"],
        "activity_name": row["definition_name"],
    }


def get_activity_definitions(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    keys = ("slug", "name", "description", "points", "icon")
    if args["slug"] is not None:
        row = require_definition(call, args["slug"])
        return {k: row.get(k) for k in keys}
    rows = activity_definitions.get_all(call.db)
    return {"definitions": [{k: r.get(k) for k in keys} for r in rows], "total": len(rows)}


def get_activity_timeline(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    who = require_contributor(call, args["username"])["username"]
    w = window(call, args, default=None)
    line = activity_lists.timeline(
        call.db, who, args["group_by"], start=w.start, end=w.end, now=call.now_text,
        tz=call.org.tz,
    )  # fmt: skip
    return {
        "username": who,
        "group_by": args["group_by"],
        "timeline": line,
        "total_periods": len(line),
    }


def search_activities(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    rows, total = activity_lists.search(
        call.db, args["query"], limit=args["limit"], now=call.now_text, tz=call.org.tz
    )
    return {
        "activities": [activity_object(r) for r in rows],
        "query": args["query"],
        "total": total,
    }


# -- rankings -----------------------------------------------------------------------------------


# A lower bound below every canonical timestamp: an "all time" window then reads the serving
# copy's narrow covering index (mcp_activity_window) instead of scanning the wide activity rows.
EARLIEST = "0000-01-01T00:00:00.000Z"


def _start(w: Bounds) -> str:
    return w.start or EARLIEST


def _end(call: Call, w: Bounds) -> str:
    return w.end or call.now_text


def get_leaderboard(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    w = window(call, args)
    pop = population(call, args)
    entries = leaderboards.entries(
        call.db, _start(w), _end(call, w), pop, now=call.now_text, tz=call.org.tz, daily=False
    )
    return {
        "leaderboard": [
            {
                "rank": e.rank,
                "username": e.username,
                "name": e.name,
                "avatar_url": e.avatar_url,
                "role": e.role,
                "total_points": e.points,
                "activity_count": e.activity_count,
            }
            for e in entries[: args["limit"]]
        ],
        "total": len(entries),
        "filters": filters(call, args, w),
    }


def _excluded_reason(pop: RankingPopulation, row: Mapping[str, Any]) -> str:
    if row.get("role") in pop.hidden_roles:
        return f"role '{row.get('role')}' is excluded"
    if pop.is_bot(row) and not pop.include_bots:
        return "bot; pass include_bots: true to rank bots"
    return "not listed"


def get_contributor_ranking(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    row = require_contributor(call, args["username"])
    who = row["username"]
    w = window(call, args)
    pop = population(call, args)
    end = _end(call, w)
    place = standing.standing(call.db, who, _start(w), end, pop, now=call.now_text, tz=call.org.tz)
    if place is None:
        members = contributors.count(call.db, pop)
        points = activities.total_points(
            call.db, who, start=w.start, end=end, now=call.now_text, tz=call.org.tz
        )
        return {
            "username": who,
            "rank": None,
            "totalPoints": points,
            "totalContributors": members,
            "percentile": None,
            "role": row.get("role"),
            "message": f"Contributor is excluded from this ranking ({_excluded_reason(pop, row)})",
        }
    n, rank = place["of"], place["rank"]
    percentile = 100.0 if n <= 1 else round((n - rank) / n * 100, 2)
    return {
        "username": who,
        "rank": rank,
        "totalPoints": place["points"],
        "totalContributors": n,
        "percentile": percentile,
        "role": row.get("role"),
    }


def get_top_by_activity(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    slug = require_definition(call, args["activity_type"])["slug"]
    w = window(call, args, default=None)
    pop = population(call, args)
    rows = leaderboards.top_for_definition(
        call.db, slug, _start(w), _end(call, w), pop, now=call.now_text, tz=call.org.tz
    )
    return {
        "activity_type": slug,
        "top_contributors": [
            {
                "rank": r["rank"],
                "username": r["username"],
                "name": r["name"],
                "avatar_url": r["avatar_url"],
                "points": r["points"],
                "count": r["count"],
            }
            for r in rows[: args["limit"]]
        ],
        "total": len(rows),
        "filters": filters(call, args, w),
    }


def get_active_contributors(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    has_dates = args["start_date"] is not None and args["end_date"] is not None
    if args["period"] is None and not has_dates:
        raise ArgumentError("Either start_date and end_date, or period, is required")
    w = window(call, args, default=None)
    pop = population(call, args)
    end = _end(call, w)
    rows = leaderboards.active_contributors(
        call.db, _start(w), end, pop, now=call.now_text, tz=call.org.tz
    )
    return {
        "active_contributors": [
            {
                "rank": r["rank"],
                "username": r["username"],
                "name": r["name"],
                "avatar_url": r["avatar_url"],
                "total_points": r["points"],
                "activity_count": r["activity_count"],
            }
            for r in rows[: args["limit"]]
        ],
        "total": len(rows),
        "period": {"start_date": w.start, "end_date": min(end, call.now_text)},
        "filters": filters(call, args, w),
    }


# -- badges -------------------------------------------------------------------------------------


def get_badges(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    if args["username"] is not None:
        who = require_contributor(call, args["username"])["username"]
        awards = [award_object(r) for r in contributor_badges.by_contributor(call.db, who)]
        return {"username": who, "badges": awards, "total": len(awards)}
    if args["badge_slug"] is not None:
        row = badge_definitions.get(call.db, args["badge_slug"])
        if row is None:
            raise ToolError(f"Badge not found: {args['badge_slug']}")
        return badge_definition_object(row)
    rows = badge_definitions.get_all(call.db)
    return {"badges": [badge_definition_object(r) for r in rows], "total": len(rows)}


def get_recent_badges(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    pop = population(call, args)
    rows = contributor_badges.recent(call.db, args["limit"], pop)
    definitions = {r["slug"]: r for r in badge_definitions.get_all(call.db)}
    out = []
    for r in rows:
        definition = definitions.get(r["badge"], {})
        out.append(
            {
                **award_object(r),
                "contributor_name": r.get("contributor_name"),
                "contributor_avatar_url": r.get("contributor_avatar_url"),
                "badge_name": r.get("badge_name"),
                "badge_description": r.get("badge_description"),
                "badge_variants": dict(ordered_variants(definition.get("variants") or {})),
            }
        )
    return {"recent_badges": out, "total": contributor_badges.totals(call.db, pop)["awards"]}


def get_top_badge_earners(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    rows = contributor_badges.top_earners(call.db, None, population(call, args))
    return {
        "top_earners": [
            {
                "rank": i,
                "username": r["username"],
                "name": r["name"],
                "avatar_url": r["avatar_url"],
                "badge_count": r["count"],
            }
            for i, r in enumerate(rows[: args["limit"]], start=1)
        ],
        "total": len(rows),
    }


# -- aggregates ---------------------------------------------------------------------------------


def get_global_aggregates(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    if args["slugs"] is not None:
        wanted = set(args["slugs"])
        rows = [r for r in global_aggregates.visible(call.db) if r["slug"] in wanted]
        out = [
            {
                "slug": r["slug"],
                "name": r["name"],
                "value": r["value"],
                "description": r.get("description"),
            }
            for r in rows
        ]
    else:
        out = [
            {
                "slug": r["slug"],
                "name": r["name"],
                "description": r.get("description"),
                "value": r["value"],
                "hidden": bool(r.get("hidden")),
                "meta": r.get("meta"),
            }
            for r in global_aggregates.visible(call.db)
        ]
    return {"aggregates": out, "total": len(out)}


def get_contributor_aggregates(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    who = require_contributor(call, args["username"])["username"]
    if args["slugs"] is not None:
        rows = contributor_aggregates.enriched(call.db, who, sorted(set(args["slugs"])))
        out = [
            {
                "aggregate": r["slug"],
                "name": r["name"],
                "value": r["value"],
                "description": r["description"],
            }
            for r in rows
            if not r["hidden"]
        ]
    else:
        out = [
            {
                "aggregate": r["aggregate"],
                "contributor": r["contributor"],
                "value": r["value"],
                "meta": r.get("meta"),
            }
            for r in contributor_aggregates.by_contributor(call.db, who)
        ]
    return {"username": who, "aggregates": out, "total": len(out)}


def get_aggregate_definitions(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    rows = (
        aggregate_definitions.visible(call.db)
        if args["visible_only"]
        else aggregate_definitions.get_all(call.db)
    )
    out = [
        {
            "slug": r["slug"],
            "name": r["name"],
            "description": r.get("description"),
            "hidden": bool(r["hidden"]),
        }
        for r in rows
    ]
    return {"definitions": out, "total": len(out)}


# -- declarations -------------------------------------------------------------------------------

_USERNAME = Param("username", "string", "Contributor username (any ASCII case).", required=True)
_START = Param("start_date", "string", "Window start: YYYY-MM-DD (00:00 in the org's zone) or an ISO timestamp.", date=True)  # fmt: skip
_END = Param("end_date", "string", "Window end: YYYY-MM-DD (inclusive, to the end of that day) or an ISO timestamp.", date=True)  # fmt: skip
_PERIOD = Param("period", "string", "A period ending now (cannot be combined with dates).", enum=PERIODS)  # fmt: skip
_EXCLUDE = Param("exclude_roles", "strings", "Role keys to leave out of the ranking (default: the config's hidden roles; [] excludes none).")  # fmt: skip
_BOTS = Param("include_bots", "boolean", "Rank bots too.", default=False)
_OFFSET = Param("offset", "integer", "Rows to skip.", default=0)


def _limit(default: int, maximum: int = MAX_LIMIT) -> Param:
    return Param(
        "limit", "integer", f"Maximum rows (1-{maximum}).", default=default, maximum=maximum
    )


def _usernames() -> Param:
    return Param("usernames", "strings", "Usernames (1-1000).", required=True, min_items=1, max_items=1000)  # fmt: skip


TOOLS: tuple[Tool, ...] = (
    Tool("query_contributors", "List contributors (optionally with one role), ordered by username.",
         (Param("role", "string", "Only contributors with exactly this role key."), _limit(50), _OFFSET),
         query_contributors),
    Tool("get_contributor", "Get one contributor's profile.", (_USERNAME,), get_contributor),
    Tool("get_contributor_stats", "Get a contributor's totals, recent activities, aggregates, badges and last-90-days activity.",
         (_USERNAME,), get_contributor_stats),
    Tool("batch_get_contributors", "Get several contributors' profiles at once.", (_usernames(),),
         batch_get_contributors),
    Tool("query_activities", "List activities filtered by contributor, type and dates, newest first.",
         (Param("contributor", "string", "Contributor username."),
          Param("activity_type", "string", "Activity definition slug."), _START, _END, _limit(50), _OFFSET),
         query_activities),
    Tool("get_activity", "Get one activity by slug.",
         (Param("slug", "string", "Activity slug.", required=True),), get_activity),
    Tool("get_activity_definitions", "List the activity types and their points, or get one by slug.",
         (Param("slug", "string", "Activity definition slug."),), get_activity_definitions),
    Tool("get_activity_timeline", "Count a contributor's activities per day, week or month.",
         (_USERNAME, Param("group_by", "string", "Period size.", default="day", enum=("day", "week", "month")),
          _START, _END),
         get_activity_timeline),
    Tool("search_activities", "Search activity titles and texts for a phrase, newest first.",
         (Param("query", "string", "Text to look for (case-insensitive).", required=True, non_empty=True),
          _limit(50)),
         search_activities),
    Tool("get_leaderboard", "Rank contributors by points in a period or date window.",
         (_START, _END, _PERIOD, _EXCLUDE, _BOTS, _limit(50)), get_leaderboard),
    Tool("get_contributor_ranking", "Get one contributor's rank and percentile among all ranked contributors.",
         (_USERNAME, _EXCLUDE, _BOTS, Param("period", "string", "Period ending now.", default="all-time", enum=PERIODS)),
         get_contributor_ranking),
    Tool("get_top_by_activity", "Rank contributors by how many activities of one type they have.",
         (Param("activity_type", "string", "Activity definition slug.", required=True), _limit(10, 100),
          _START, _END, _EXCLUDE, _BOTS),
         get_top_by_activity),
    Tool("get_active_contributors", "List contributors with at least one activity in a window.",
         (_START, _END, _PERIOD, _EXCLUDE, _BOTS, _limit(50)), get_active_contributors),
    Tool("get_badges", "Get a contributor's badges, one badge definition, or all badge definitions.",
         (Param("username", "string", "Contributor username."), Param("badge_slug", "string", "Badge slug.")),
         get_badges),
    Tool("get_recent_badges", "List the most recently awarded badges.",
         (_limit(20, 100), _EXCLUDE, _BOTS), get_recent_badges),
    Tool("get_top_badge_earners", "Rank contributors by number of badge awards.",
         (_limit(10, 100), _EXCLUDE, _BOTS), get_top_badge_earners),
    Tool("get_global_aggregates", "Get the organisation-wide statistics.",
         (Param("slugs", "strings", "Only these aggregate slugs."),), get_global_aggregates),
    Tool("get_contributor_aggregates", "Get a contributor's computed statistics.",
         (_USERNAME, Param("slugs", "strings", "Only these aggregate slugs (visible ones).")),
         get_contributor_aggregates),
    Tool("get_aggregate_definitions", "List the per-contributor statistics that are computed.",
         (Param("visible_only", "boolean", "Leave out hidden definitions.", default=True),),
         get_aggregate_definitions),
    Tool("batch_get_contributor_stats", "Get several contributors' totals (and optionally aggregates and badges).",
         (_usernames(), Param("include_aggregates", "boolean", "Include aggregates.", default=False),
          Param("include_badges", "boolean", "Include badge awards.", default=False)),
         batch_get_contributor_stats),
)  # fmt: skip

BY_NAME: dict[str, Tool] = {t.name: t for t in TOOLS}
