"""Standard aggregates as pure data (CORE-59…CORE-61): what the rows should be, not how to store them.

`compute_standard` reads each contributor's timeline of the activity snapshot once. Values
come out as their compact JSON text (as `jsonfmt.dumps_compact` writes them, built directly
because the shapes are fixed) and metas as a `MetaShape`: the JSON text around the
`calculated_at` value, at the position the spec gives it, which the store fills with now or
with the previous value when nothing changed (CORE-62).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any, NamedTuple

from leaderboard.aggregates.rounding import round2
from leaderboard.aggregates.snapshot import ActivitySnapshot
from leaderboard.catalogue import CONTRIBUTOR_DEFINITIONS
from leaderboard.jsonfmt import dumps_compact, encode_string, format_number
from leaderboard.timeutil import canonical, date_text, local_date, minus_days

CALCULATED_AT = "calculated_at"
PER_DEFINITION_PREFIX = "activity_count:"

_SENTINEL = "\x00calculated_at\x00"
_ENCODED_SENTINEL = encode_string(_SENTINEL)


@dataclass(frozen=True, slots=True)
class MetaShape:
    """A meta object as JSON text around its `calculated_at` string: prefix + value + suffix."""

    prefix: str
    suffix: str

    @classmethod
    def of(cls, meta: dict[str, Any]) -> MetaShape:
        """The shape of `meta`, whose `calculated_at` key holds the place of the timestamp."""
        text = dumps_compact({k: (_SENTINEL if k == CALCULATED_AT else v) for k, v in meta.items()})
        prefix, _, suffix = text.partition(_ENCODED_SENTINEL)
        return cls(prefix, suffix)

    def text(self, calculated_at: str) -> str:
        """The meta's JSON text with `calculated_at` filled in."""
        return self.prefix + encode_string(calculated_at) + self.suffix

    def kept_calculated_at(self, stored: str | None) -> str | None:
        """The stored `calculated_at` when `stored` is exactly this shape's text, else None.

        A fast textual check for the common case (the row as we wrote it): the text between
        prefix and suffix must be a JSON string that needs no escaping, so it reads back as
        itself. Anything else (other formatting, other keys) returns None and is compared by
        value instead.
        """
        if stored is None or not (stored.startswith(self.prefix) and stored.endswith(self.suffix)):
            return None
        inner = stored[len(self.prefix) : len(stored) - len(self.suffix)]
        value = inner[1:-1]
        if (
            len(inner) < 2
            or inner[0] != '"'
            or inner[-1] != '"'
            or '"' in value
            or "\\" in value
            or not value.isprintable()
        ):
            return None
        return value


class GlobalRow(NamedTuple):
    slug: str
    name: str
    description: str
    value: str  # compact JSON text
    meta: MetaShape


@dataclass(frozen=True, slots=True)
class DefinitionRow:
    slug: str
    name: str
    description: str


class ContributorRow(NamedTuple):  # a tuple: there are one per contributor and aggregate
    aggregate: str
    contributor: str
    value: str  # compact JSON text
    meta: MetaShape


@dataclass(slots=True)
class StandardRows:
    """Every standard row that should exist after this aggregate phase."""

    globals: list[GlobalRow] = field(default_factory=list)
    definitions: list[DefinitionRow] = field(default_factory=list)
    contributors: list[ContributorRow] = field(default_factory=list)


def integer_text(n: int) -> str:
    """`{"type":"number","value":n,"format":"integer"}` as compact JSON."""
    return '{"type":"number","value":' + str(n) + ',"format":"integer"}'


@lru_cache(maxsize=4096)
def _date_value(ordinal: int) -> str:
    return '{"type":"string","value":"' + date_text(date.fromordinal(ordinal)) + '"}'


def _days_value(n: int) -> str:
    return '{"type":"number","value":' + str(n) + ',"format":"integer","unit":"days"}'


def _average_value(points: int, count: int) -> str:
    average = format_number(round2(points / count))
    return '{"type":"number","value":' + average + ',"format":"decimal","decimals":2}'


CALC_ONLY = MetaShape.of({CALCULATED_AT: None})


@lru_cache(maxsize=1024)
def per_definition_meta(slug: str) -> MetaShape:
    return MetaShape.of({"activity_definition": slug, CALCULATED_AT: None})


def compute_standard(
    definitions: Sequence[tuple[str, str]],
    contributor_count: int,
    snapshot: ActivitySnapshot,
    *,
    now: datetime,
    tz: tzinfo,
) -> StandardRows:
    """The standard global and contributor aggregates for a snapshot.

    Inputs: activity `definitions` as (slug, name) pairs, the number of contributor rows, and
    the activity snapshot (effective points, local dates). Output: the rows of CORE-59
    (global), CORE-60 (definitions) and CORE-61 (per contributor, only for contributors with
    activities; per-definition counts only when > 0).
    """
    out = StandardRows()
    by_slug = sorted(definitions)
    keyed = [(slug, snapshot.key(slug)) for slug, _ in by_slug]
    window_start = minus_days(now, 30, tz)
    start_text, end_text = canonical(window_start), canonical(now)
    active_recent = 0
    totals: Counter[Any] = Counter()
    rows = out.contributors
    for who, timeline in snapshot.timelines.items():
        times, days = timeline.times, timeline.days
        count = len(times)
        points = sum(timeline.points)
        i = bisect_left(times, start_text)
        if i < count and times[i] <= end_text:
            active_recent += 1
        rows.append(ContributorRow("total_activity_points", who, integer_text(points), CALC_ONLY))
        rows.append(ContributorRow("activity_count", who, integer_text(count), CALC_ONLY))
        rows.append(ContributorRow("first_activity_date", who, _date_value(days[0]), CALC_ONLY))
        rows.append(ContributorRow("last_activity_date", who, _date_value(days[-1]), CALC_ONLY))
        active = len(timeline.unique_days)
        rows.append(ContributorRow("active_days", who, _days_value(active), CALC_ONLY))
        average = _average_value(points, count)
        rows.append(ContributorRow("avg_points_per_activity", who, average, CALC_ONLY))
        per_kind = Counter(timeline.kinds)
        totals.update(per_kind)
        for slug, key in keyed:
            n = per_kind.get(key)
            if n:
                rows.append(
                    ContributorRow(
                        PER_DEFINITION_PREFIX + slug,
                        who,
                        integer_text(n),
                        per_definition_meta(slug),
                    )
                )

    period = MetaShape.of(
        {
            CALCULATED_AT: None,
            "period_start": date_text(local_date(window_start, tz)),
            "period_end": date_text(local_date(now, tz)),
        }
    )
    out.globals = [
        GlobalRow(
            "total_contributors",
            "Total Contributors",
            "Total number of contributors",
            integer_text(contributor_count),
            CALC_ONLY,
        ),
        GlobalRow(
            "total_activities",
            "Total Activities",
            "Total number of activities",
            integer_text(snapshot.total),
            CALC_ONLY,
        ),
        GlobalRow(
            "active_contributors_last_30d",
            "Active Contributors (Last 30 Days)",
            "Number of contributors with activity in the last 30 days",
            integer_text(active_recent),
            period,
        ),
    ]
    for slug, name in by_slug:
        out.globals.append(
            GlobalRow(
                PER_DEFINITION_PREFIX + slug,
                f"{name} Count",
                f"Total number of {name} activities",
                integer_text(totals.get(snapshot.key(slug), 0)),
                per_definition_meta(slug),
            )
        )
    out.definitions = [DefinitionRow(s, nm, d) for s, (nm, d) in CONTRIBUTOR_DEFINITIONS.items()]
    out.definitions.extend(
        DefinitionRow(
            PER_DEFINITION_PREFIX + slug,
            f"{name} Count",
            f"Number of {name} activities by the contributor",
        )
        for slug, name in by_slug
    )
    return out
