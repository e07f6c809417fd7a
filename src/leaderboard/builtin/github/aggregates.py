"""`pr_avg_turn_around_time` per contributor and per window (ECO-49).

Rows follow the stability rule of CORE-62: a row is written only when its value or its meta
(without `calculated_at`) changed, so unchanged data leaves unchanged files; rows that no longer
apply are deleted.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from leaderboard.builtin.github.definitions import TAT, TAT_DESCRIPTION, TAT_NAME
from leaderboard.plugins.api import canonical, minus_days, minus_months
from leaderboard.plugins.context import PluginContext

SOURCE = "github_api"
WINDOWS = ("week", "month", "year")


def _round(x: float) -> int:
    """Half up, like upstream's Math.round."""
    return math.floor(x + 0.5)


def _value(ms: int) -> dict[str, Any]:
    return {"type": "number", "value": ms, "unit": "ms", "format": "duration"}


def _same(stored: dict[str, Any] | None, value: dict[str, Any], meta: dict[str, Any]) -> bool:
    if stored is None:
        return False
    old = dict(stored.get("meta") or {})
    old.pop("calculated_at", None)
    new = {k: v for k, v in meta.items() if k != "calculated_at"}
    return stored.get("value") == value and old == new


def windows(now: datetime, tz: Any) -> list[tuple[str, str, str | None, str, bool]]:
    """(slug suffix, label, start, end, end inclusive) per window of CORE-12."""
    starts = {
        "week": minus_days(now, 7, tz),
        "month": minus_months(now, 1, tz),
        "year": minus_months(now, 12, tz),
    }
    out: list[tuple[str, str, str | None, str, bool]] = [("", "", None, canonical(now), True)]
    for name in WINDOWS:
        out.append((f"_{name}", name.capitalize(), canonical(starts[name]), canonical(now), True))
    for name in WINDOWS:
        start = starts[name]
        previous = start - (now - start)
        out.append(
            (f"_previous_{name}", f"Previous {name.capitalize()}", canonical(previous),
             canonical(start), False)
        )  # fmt: skip
    return out


def run(ctx: PluginContext) -> None:
    db, q = ctx.db, ctx.queries
    now = canonical(ctx.now)
    rows = db.query(
        "SELECT contributor, occurred_at, CAST(json_extract(meta, '$.pr_avg_tat') AS REAL) AS tat "
        "FROM activity WHERE activity_definition = 'pr_merged' AND occurred_at <= ? "
        "AND json_extract(meta, '$.pr_avg_tat') IS NOT NULL ORDER BY contributor, occurred_at",
        (now,),
    )
    per: dict[str, list[float]] = {}
    for row in rows:
        per.setdefault(row["contributor"], []).append(float(row["tat"]))
    for username, values in per.items():
        value = _value(_round(sum(values) / len(values)))
        meta = {"source": SOURCE, "calculated_at": now, "pr_count": len(values)}
        if not _same(q.contributor_aggregates.get(db, username, TAT), value, meta):
            q.contributor_aggregates.upsert(
                db, {"aggregate": TAT, "contributor": username, "value": value, "meta": meta}
            )
    stale = db.query(
        "SELECT contributor FROM contributor_aggregate WHERE aggregate = ? ORDER BY contributor",
        (TAT,),
    )
    for row in stale:
        if row["contributor"] not in per:
            q.contributor_aggregates.delete(db, row["contributor"], TAT)
    for suffix, label, start, end, inclusive in windows(ctx.now, ctx.tz):
        slug = TAT + suffix
        chosen = [
            float(r["tat"])
            for r in rows
            if (start is None or r["occurred_at"] >= start)
            and (r["occurred_at"] <= end if inclusive else r["occurred_at"] < end)
        ]
        if not chosen:
            q.global_aggregates.delete(db, slug)
            continue
        value = _value(_round(sum(chosen) / len(chosen)))
        meta = {"source": SOURCE, "calculated_at": now, "pr_count": len(chosen)}
        if _same(q.global_aggregates.get(db, slug), value, meta):
            continue
        q.global_aggregates.upsert(
            db,
            {
                "slug": slug,
                "name": TAT_NAME + (f" ({label})" if label else ""),
                "description": TAT_DESCRIPTION + (f" ({label})" if label else ""),
                "value": value,
                "meta": meta,
            },
        )
