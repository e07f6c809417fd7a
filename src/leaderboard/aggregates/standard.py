"""Standard aggregates as pure data (CORE-59…CORE-61): what the rows should be, not how to store them.

`compute_standard` walks the sorted activity snapshot once. Every meta mapping carries a
`calculated_at` placeholder (None) at the position the spec gives it; the store fills it with
now or with the previous value when nothing changed (CORE-62).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from leaderboard.aggregates.localdays import LocalDays
from leaderboard.aggregates.rounding import round2
from leaderboard.aggregates.snapshot import ActivityRow
from leaderboard.timeutil import canonical, date_text, local_date, minus_days

CALCULATED_AT = "calculated_at"
PER_DEFINITION_PREFIX = "activity_count:"

# CORE-60: slug → (name, description), in the spec's order.
CONTRIBUTOR_DEFINITIONS: dict[str, tuple[str, str]] = {
    "total_activity_points": (
        "Total Activity Points",
        "Sum of all activity points for the contributor",
    ),
    "activity_count": ("Activity Count", "Total number of activities by the contributor"),
    "first_activity_date": ("First Activity Date", "Date of the contributor's first activity"),
    "last_activity_date": ("Last Activity Date", "Date of the contributor's most recent activity"),
    "active_days": ("Active Days", "Number of unique days with activity"),
    "avg_points_per_activity": (
        "Average Points Per Activity",
        "Average points earned per activity",
    ),
}
GLOBAL_SLUGS = ("total_contributors", "total_activities", "active_contributors_last_30d")


@dataclass(frozen=True, slots=True)
class GlobalRow:
    slug: str
    name: str
    description: str
    value: dict[str, Any]
    meta: dict[str, Any]  # contains CALCULATED_AT: None


@dataclass(frozen=True, slots=True)
class DefinitionRow:
    slug: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class ContributorRow:
    aggregate: str
    contributor: str
    value: dict[str, Any]
    meta: dict[str, Any]  # contains CALCULATED_AT: None


@dataclass(slots=True)
class StandardRows:
    """Every standard row that should exist after this aggregate phase."""

    globals: list[GlobalRow] = field(default_factory=list)
    definitions: list[DefinitionRow] = field(default_factory=list)
    contributors: list[ContributorRow] = field(default_factory=list)


def _integer(n: int) -> dict[str, Any]:
    return {"type": "number", "value": n, "format": "integer"}


def _calc() -> dict[str, Any]:
    return {CALCULATED_AT: None}


def _per_definition_meta(slug: str) -> dict[str, Any]:
    return {"activity_definition": slug, CALCULATED_AT: None}


def compute_standard(
    definitions: Sequence[tuple[str, str]],
    contributor_count: int,
    rows: Sequence[ActivityRow],
    *,
    now: datetime,
    tz: tzinfo,
) -> StandardRows:
    """The standard global and contributor aggregates for a snapshot.

    Inputs: activity `definitions` as (slug, name) pairs, the number of contributor rows, and
    all activity rows sorted by (contributor, occurred_at, slug) with effective points.
    Output: the rows of CORE-59 (global), CORE-60 (definitions) and CORE-61 (per contributor,
    only for contributors with activities; per-definition counts only when > 0).
    """
    out = StandardRows()
    names = dict(definitions)
    stamps = [r.occurred_at for r in rows]
    days = LocalDays(tz, (min(stamps), max(stamps)) if stamps else ())

    window_start = minus_days(now, 30, tz)
    start_text, end_text = canonical(window_start), canonical(now)
    active_recent: set[str] = set()
    per_def_total: dict[str, int] = dict.fromkeys(names, 0)

    i, n = 0, len(rows)
    while i < n:
        who = rows[i].contributor
        j = i
        points = 0
        dates = set()
        per_def: dict[str, int] = {}
        while j < n and rows[j].contributor == who:
            r = rows[j]
            points += r.points
            dates.add(days.date_of(r.occurred_at))
            per_def[r.definition] = per_def.get(r.definition, 0) + 1
            if start_text <= r.occurred_at <= end_text:
                active_recent.add(who)
            j += 1
        count = j - i
        first, last = rows[i].occurred_at, rows[j - 1].occurred_at
        values: list[tuple[str, dict[str, Any]]] = [
            ("total_activity_points", _integer(points)),
            ("activity_count", _integer(count)),
            ("first_activity_date", {"type": "string", "value": date_text(days.date_of(first))}),
            ("last_activity_date", {"type": "string", "value": date_text(days.date_of(last))}),
            (
                "active_days",
                {"type": "number", "value": len(dates), "format": "integer", "unit": "days"},
            ),
            (
                "avg_points_per_activity",
                {
                    "type": "number",
                    "value": round2(points / count),
                    "format": "decimal",
                    "decimals": 2,
                },
            ),
        ]
        out.contributors.extend(ContributorRow(s, who, v, _calc()) for s, v in values)
        for slug in sorted(per_def):
            per_def_total[slug] = per_def_total.get(slug, 0) + per_def[slug]
            if slug in names:
                out.contributors.append(
                    ContributorRow(
                        PER_DEFINITION_PREFIX + slug,
                        who,
                        _integer(per_def[slug]),
                        _per_definition_meta(slug),
                    )
                )
        i = j

    period = {
        CALCULATED_AT: None,
        "period_start": date_text(local_date(window_start, tz)),
        "period_end": date_text(local_date(now, tz)),
    }
    out.globals = [
        GlobalRow(
            "total_contributors",
            "Total Contributors",
            "Total number of contributors",
            _integer(contributor_count),
            _calc(),
        ),
        GlobalRow(
            "total_activities",
            "Total Activities",
            "Total number of activities",
            _integer(len(rows)),
            _calc(),
        ),
        GlobalRow(
            "active_contributors_last_30d",
            "Active Contributors (Last 30 Days)",
            "Number of contributors with activity in the last 30 days",
            _integer(len(active_recent)),
            period,
        ),
    ]
    for slug, name in sorted(definitions):
        out.globals.append(
            GlobalRow(
                PER_DEFINITION_PREFIX + slug,
                f"{name} Count",
                f"Total number of {name} activities",
                _integer(per_def_total.get(slug, 0)),
                _per_definition_meta(slug),
            )
        )
    out.definitions = [DefinitionRow(s, nm, d) for s, (nm, d) in CONTRIBUTOR_DEFINITIONS.items()]
    out.definitions.extend(
        DefinitionRow(
            PER_DEFINITION_PREFIX + slug,
            f"{name} Count",
            f"Number of {name} activities by the contributor",
        )
        for slug, name in sorted(definitions)
    )
    return out
