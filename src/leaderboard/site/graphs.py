"""Adapter from page builders to the chart geometry of `leaderboard.site.charts` (WEB-18/19/31/40/41).

Page builders call these few functions with page-level data; this module turns that into the
calls of the charts component and returns `Markup`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from markupsafe import Markup

from leaderboard.site import charts
from leaderboard.site.format import round_half_up as _rhu


def round_half_up(value: float) -> int:
    return int(_rhu(value))


def one_decimal(value: float) -> str:
    """Half-up to one decimal, trailing `.0` kept (`12.5`, `3.0`)."""
    return f"{_rhu(value, 1):.1f}"


def uid(*parts: str) -> str:
    """A deterministic element id fragment from data (ids must be unique and safe)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(parts))


def trend_chart(days: list[date], counts: list[int], points: list[int]) -> Markup:
    values = [charts.DayValue(d, c, p) for d, c, p in zip(days, counts, points, strict=True)]
    return charts.activity_trend_chart(values)


def donut_chart(slices: list[tuple[str, int, int]]) -> Markup:
    return charts.activity_donut([charts.TypeTotal(n, c, p) for n, c, p in slices])


def sparkline(values: Sequence[float], label: str) -> Markup:
    return charts.sparkline(values, label=label)


def heatmap(
    start: date, end: date, days: Mapping[date, Sequence[tuple[str, int]]], caption: str
) -> Markup:
    return charts.activity_heatmap(start, end, days, caption=caption)


def heatmap_legend() -> Markup:
    return charts.heatmap_legend()


def breakdown_bar(items: list[tuple[str, int, int]]) -> Markup:
    return charts.breakdown_bar([charts.TypeTotal(n, c, p) for n, c, p in items])
