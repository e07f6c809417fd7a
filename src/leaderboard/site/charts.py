"""Server-rendered SVG charts (WEB-18, WEB-19, WEB-31, WEB-40, WEB-41; rules WEB-58, WEB-59).

Every chart is a pure function from plain numbers to markup: no JavaScript is needed to see it,
coordinates are rounded to 2 decimals with trailing zeros removed (byte-identical rebuilds), and
colours are CSS variables so a data repo's `theme.css` restyles them. Each figure carries an
`aria-label` summary and a visually hidden table (class `sr-only`) with the numbers.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from leaderboard.site.format import (
    MONTHS,
    format_axis_date,
    format_date,
    format_day_title,
    format_int,
    format_number,
    format_weekday_date,
    plural,
    pluralize,
    share_percent,
)

CHART_COLOURS = 10


def coord(value: float) -> str:
    """A coordinate with at most 2 decimals, trailing zeros removed, never `-0`."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def chart_colour(index: int) -> str:
    """`var(--chart-1)` … `var(--chart-10)`, cycling."""
    n = index % CHART_COLOURS + 1
    return f"var(--chart-{n}, var(--lb-chart-{n}))"


def nice_ticks(maximum: float, *, integer: bool = True, intervals: int = 4) -> list[float]:
    """Axis ticks 0, step, 2·step … up to the first tick ≥ maximum (WEB-58).

    `maximum` below 1 is treated as 1; `integer` (count axes) raises steps below 1 to 1.
    """
    m = max(float(maximum), 1.0)
    rough = m / intervals
    mag = 10 ** math.floor(math.log10(rough))
    r = rough / mag
    step = mag * (1 if r < 1.5 else 2 if r < 3 else 5 if r < 7 else 10)
    if integer and step < 1:
        step = 1
    ticks = [0.0]
    while ticks[-1] < m - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _tick_label(value: float) -> str:
    return format_int(value) if float(value).is_integer() else format_number(value, 1)


def smooth_path(points: Sequence[tuple[float, float]], tension: float) -> str:
    """`M x0 y0 C …` cubic curve through the points (WEB-58); '' for no points."""
    if not points:
        return ""
    x0, y0 = points[0]
    parts = [f"M {coord(x0)} {coord(y0)}"]
    for (px, py), (x, y) in itertools.pairwise(points):
        dx = (x - px) * tension
        parts.append(
            f"C {coord(px + dx)} {coord(py)}, {coord(x - dx)} {coord(y)}, {coord(x)} {coord(y)}"
        )
    return " ".join(parts)


def _hidden_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f"<td>{escape(c)}</td>" for c in row[1:])
        + "</tr>"
        for row in rows
    )
    # the wrapper is what is visually hidden: a table never shrinks below its content, so a
    # hidden table itself would still widen narrow pages (WEB-60)
    return (
        f'<div class="sr-only"><table><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _gradient(gid: str, top: float, bottom: float) -> str:
    return (
        f'<defs><linearGradient id="{escape(gid)}" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0%" stop-color="currentColor" stop-opacity="{coord(top)}"/>'
        f'<stop offset="100%" stop-color="currentColor" stop-opacity="{coord(bottom)}"/>'
        "</linearGradient></defs>"
    )


# ---------------------------------------------------------------- activity trend (WEB-18)


@dataclass(frozen=True, slots=True)
class DayValue:
    day: date
    count: int
    points: int = 0


TREND_W, TREND_H = 800, 200
TREND_PAD_TOP, TREND_PAD_RIGHT, TREND_PAD_BOTTOM, TREND_PAD_LEFT = 20, 16, 32, 48


def activity_trend_chart(
    days: Sequence[DayValue],
    *,
    caption: str = "Daily activity over the last 30 days",
    uid: str = "trend",
) -> Markup:
    """The home page's 30-day line chart; empty total → the "no data" text."""
    total = sum(d.count for d in days)
    if not days or total == 0:
        return Markup('<p class="chart-empty">No activity data available for this period</p>')
    points_total = sum(d.points for d in days)
    n = len(days)
    left, top = TREND_PAD_LEFT, TREND_PAD_TOP
    width = TREND_W - TREND_PAD_LEFT - TREND_PAD_RIGHT
    height = TREND_H - TREND_PAD_TOP - TREND_PAD_BOTTOM
    baseline = top + height
    ticks = nice_ticks(max(max(d.count for d in days), 1))
    axis_max = ticks[-1]

    def x_at(i: int) -> float:
        return left + width / 2 if n == 1 else left + i * width / (n - 1)

    def y_at(v: float) -> float:
        return top + height * (1 - v / axis_max)

    pts = [(x_at(i), y_at(d.count)) for i, d in enumerate(days)]
    out: list[str] = []
    label = (
        f"Activity trend: {plural(total, 'activity')} and {plural(points_total, 'point')} "
        f"from {format_date(days[0].day)} to {format_date(days[-1].day)}"
    )
    out.append(
        f'<svg class="chart-svg" viewBox="0 0 {TREND_W} {TREND_H}" width="100%" role="img" '
        f'aria-label="{escape(label)}" style="color:var(--primary, var(--lb-primary))">'
    )
    gid = f"{uid}-area"
    out.append(_gradient(gid, 0.3, 0.02))
    out.append('<g class="chart-grid">')
    for t in ticks:
        gy = coord(y_at(t))
        dash = "" if t == 0 else ' stroke-dasharray="4 4"'
        out.append(
            f'<line x1="{left}" x2="{left + width}" y1="{gy}" y2="{gy}" stroke="var(--border, var(--lb-border))"{dash}/>'
        )
        out.append(
            f'<text x="{left - 8}" y="{coord(y_at(t) + 4)}" text-anchor="end" font-size="11" '
            f'fill="var(--muted-foreground, var(--lb-muted-foreground))">{_tick_label(t)}</text>'
        )
    out.append("</g>")
    step = max(1, n // 6)
    out.append('<g class="chart-x-labels">')
    for i in range(0, n, step):
        out.append(
            f'<text x="{coord(x_at(i))}" y="{coord(baseline + 20)}" text-anchor="middle" '
            f'font-size="11" fill="var(--muted-foreground, var(--lb-muted-foreground))">{format_axis_date(days[i].day)}</text>'
        )
    out.append("</g>")
    if n == 1:
        x, y = pts[0]
        out.append(f'<circle cx="{coord(x)}" cy="{coord(y)}" r="4" fill="currentColor"/>')
    else:
        line = smooth_path(pts, 0.25)
        area = f"{line} L {coord(pts[-1][0])} {coord(baseline)} L {coord(pts[0][0])} {coord(baseline)} Z"
        out.append(
            f'<path class="chart-area" d="{area}" fill="url(#{escape(gid)})" stroke="none"/>'
        )
        out.append(
            f'<path class="chart-line" d="{line}" fill="none" stroke="currentColor" stroke-width="2" '
            'stroke-linecap="round" stroke-linejoin="round"/>'
        )
    out.append('<g class="chart-hits">')
    for i, d in enumerate(days):
        x1 = left if i == 0 else (pts[i - 1][0] + pts[i][0]) / 2
        x2 = left + width if i == n - 1 else (pts[i][0] + pts[i + 1][0]) / 2
        title = f"{format_weekday_date(d.day)}: {plural(d.count, 'activity')} · {format_int(d.points)} pts"
        out.append(
            f'<rect x="{coord(x1)}" y="{top}" width="{coord(x2 - x1)}" height="{height}" '
            f'fill="transparent" data-index="{i}" data-x="{coord(pts[i][0])}" '
            f'data-y="{coord(pts[i][1])}"><title>{escape(title)}</title></rect>'
        )
    out.append("</g></svg>")
    table = _hidden_table(
        caption,
        ["Date", "Activities", "Points"],
        [[format_date(d.day), format_int(d.count), format_int(d.points)] for d in days],
    )
    return Markup(
        f'<figure class="chart chart-trend"><figcaption class="chart-caption">{escape(caption)}'
        f"</figcaption>{''.join(out)}{table}</figure>"
    )


# ---------------------------------------------------------------- donut (WEB-19)


@dataclass(frozen=True, slots=True)
class TypeTotal:
    name: str
    count: int
    points: int = 0


DONUT_SIZE, DONUT_C, DONUT_R, DONUT_INNER, DONUT_GAP = 180, 90, 80, 52, 0.02


def _polar(r: float, angle: float) -> tuple[str, str]:
    return coord(DONUT_C + r * math.cos(angle)), coord(DONUT_C + r * math.sin(angle))


def donut_slice_path(start: float, end: float) -> str:
    """Annular sector between two angles (radians, clockwise from +x)."""
    large = 1 if end - start > math.pi else 0
    ox1, oy1 = _polar(DONUT_R, start)
    ox2, oy2 = _polar(DONUT_R, end)
    ix2, iy2 = _polar(DONUT_INNER, end)
    ix1, iy1 = _polar(DONUT_INNER, start)
    return (
        f"M {ox1} {oy1} A {DONUT_R} {DONUT_R} 0 {large} 1 {ox2} {oy2} "
        f"L {ix2} {iy2} A {DONUT_INNER} {DONUT_INNER} 0 {large} 0 {ix1} {iy1} Z"
    )


def _ring_path() -> str:
    c, r, ri = DONUT_C, DONUT_R, DONUT_INNER
    return (
        f"M {c} {c - r} A {r} {r} 0 1 1 {c} {c + r} A {r} {r} 0 1 1 {c} {c - r} Z "
        f"M {c} {c - ri} A {ri} {ri} 0 1 0 {c} {c + ri} A {ri} {ri} 0 1 0 {c} {c - ri} Z"
    )


def sort_type_totals(items: Sequence[TypeTotal]) -> list[TypeTotal]:
    """Count desc, then name (WEB-19); zero counts dropped."""
    return sorted((t for t in items if t.count > 0), key=lambda t: (-t.count, t.name))


def _slice_title(t: TypeTotal, total: int) -> str:
    share = share_percent(t.count, total, 1)
    text = f"{t.name}: {plural(t.count, 'activity')} ({share})"
    if t.points > 0:
        text += f" · {plural(t.points, 'point')}"
    return text


def activity_donut(
    items: Sequence[TypeTotal], *, caption: str = "Distribution by type (30 days)"
) -> Markup:
    """The home page's breakdown donut with its legend; no data → the empty text."""
    rows = sort_type_totals(items)
    total = sum(t.count for t in rows)
    if total == 0:
        return Markup('<p class="chart-empty">No activity type data available</p>')
    label = f"Activity breakdown: {plural(total, 'activity')} across {plural(len(rows), 'type')}"
    svg = [
        f'<svg class="donut" viewBox="0 0 {DONUT_SIZE} {DONUT_SIZE}" width="{DONUT_SIZE}" '
        f'height="{DONUT_SIZE}" role="img" aria-label="{escape(label)}">'
    ]
    angle = -math.pi / 2
    for i, t in enumerate(rows):
        sweep = 2 * math.pi * t.count / total
        title = escape(_slice_title(t, total))
        colour = chart_colour(i)
        if len(rows) == 1:
            d = _ring_path()
            svg.append(
                f'<path class="donut-slice" data-index="{i}" d="{d}" fill="{colour}" '
                f'fill-rule="evenodd"><title>{title}</title></path>'
            )
        else:
            gap = DONUT_GAP if sweep > 2 * DONUT_GAP else 0.0
            d = donut_slice_path(angle + gap, angle + sweep - gap)
            svg.append(
                f'<path class="donut-slice" data-index="{i}" d="{d}" fill="{colour}">'
                f"<title>{title}</title></path>"
            )
        angle += sweep
    svg.append(
        f'<text x="{DONUT_C}" y="{DONUT_C}" text-anchor="middle" font-size="22" font-weight="bold" '
        f'fill="var(--foreground, var(--lb-foreground))">{format_int(total)}</text>'
        f'<text x="{DONUT_C}" y="{DONUT_C + 18}" text-anchor="middle" font-size="12" '
        f'fill="var(--muted-foreground, var(--lb-muted-foreground))">{pluralize("activity", total)}</text></svg>'
    )
    legend = ['<ul class="donut-legend">']
    for i, t in enumerate(rows):
        legend.append(
            f'<li data-index="{i}" title="{escape(_slice_title(t, total))}">'
            f'<span class="swatch" style="background:{chart_colour(i)}"></span>'
            f'<span class="legend-name">{escape(t.name)}</span>'
            f'<span class="legend-count">{format_int(t.count)}</span>'
            f'<span class="legend-share">{share_percent(t.count, total, 0)}</span></li>'
        )
    legend.append("</ul>")
    table = _hidden_table(
        caption,
        ["Type", "Activities", "Share", "Points"],
        [
            [t.name, format_int(t.count), share_percent(t.count, total, 1), format_int(t.points)]
            for t in rows
        ],
    )
    return Markup(
        f'<figure class="chart chart-donut"><figcaption class="chart-caption">{escape(caption)}'
        f"</figcaption>{''.join(svg)}{''.join(legend)}{table}</figure>"
    )


# ---------------------------------------------------------------- sparkline (WEB-31)

SPARK_W, SPARK_H, SPARK_PAD, SPARK_MAX_POINTS = 120, 24, 2, 32


def downsample(values: Sequence[float], limit: int = SPARK_MAX_POINTS) -> list[float]:
    """Averages of consecutive buckets of ⌈n / limit⌉ values when longer than `limit`."""
    n = len(values)
    if n <= limit:
        return [float(v) for v in values]
    size = math.ceil(n / limit)
    return [sum(values[i : i + size]) / len(values[i : i + size]) for i in range(0, n, size)]


SPARK_FILL = "spark-fill"
HEAT_EMPTY = "hm-empty"  # the pattern of empty heatmap days (WEB-40), shared like the gradient


def _page_defs(html: str) -> str:
    """The paint servers a page refers to, each defined once in one hidden SVG: the sparkline
    gradient and the empty-day pattern of heatmaps. The SVG is sized 0×0 rather than
    `display: none`, which would stop browsers painting with what it defines. `color` is the
    primary colour, as on the sparklines themselves, because `currentColor` resolves where the
    gradient is defined."""
    defs = []
    if f"url(#{SPARK_FILL})" in html:
        defs.append(_gradient(SPARK_FILL, 0.5, 0.05))
    if f"url(#{HEAT_EMPTY})" in html:
        # one tile per cell pitch, from the grid's first cell: every heatmap has the same origin
        defs.append(
            f'<defs><pattern id="{HEAT_EMPTY}" class="{HEAT_EMPTY}" width="{HEAT_PITCH}" '
            f'height="{HEAT_PITCH}" x="{HEAT_LEFT}" y="{HEAT_TOP}" patternUnits="userSpaceOnUse">'
            '<rect class="c"/></pattern></defs>'
        )
    if not defs:
        return ""
    return (
        '<svg width="0" height="0" style="position:absolute;color:var(--primary, var(--lb-primary))" '
        f'aria-hidden="true" focusable="false">{"".join(defs)}</svg>'
    )


def with_chart_defs(html: str) -> str:
    """The page with its shared chart definitions (`_page_defs`) added once before `</body>`."""
    if "</body>" not in html:
        return html
    defs = _page_defs(html)
    if not defs:
        return html
    at = html.rindex("</body>")
    return html[:at] + defs + "\n" + html[at:]


def sparkline(values: Sequence[float], *, label: str) -> Markup:
    """A 120×24 trend line (points on leaderboards, counts on profiles); '' for no values.

    `label` is the accessible summary (e.g. "120 points over 7 days"). A `polyline` with integer
    coordinates and the page's shared gradient (WEB-63): a board of thousands of rows repeated
    a smooth path and a gradient per row, most of its weight.
    """
    if not values:
        return Markup("")
    series = downsample(values)
    n = len(series)
    inner_w = SPARK_W - 2 * SPARK_PAD
    inner_h = SPARK_H - 2 * SPARK_PAD
    head = (
        f'<svg class="sparkline" viewBox="0 0 {SPARK_W} {SPARK_H}" width="{SPARK_W}" '
        f'height="{SPARK_H}" role="img" aria-label="{escape(label)}">'
    )
    if all(v == 0 for v in series):
        mid = SPARK_H // 2
        return Markup(
            f'{head}<line x1="{SPARK_PAD}" x2="{SPARK_W - SPARK_PAD}" y1="{mid}" '
            f'y2="{mid}" stroke="currentColor" stroke-width="1.5" stroke-dasharray="3 3" '
            'stroke-opacity="0.3"/></svg>'
        )
    top = max(max(series), 1)

    def x_at(i: int) -> int:
        return SPARK_PAD + inner_w // 2 if n == 1 else round(SPARK_PAD + i * inner_w / (n - 1))

    pts = [(x_at(i), round(SPARK_PAD + inner_h * (1 - v / top))) for i, v in enumerate(series)]
    if n == 1:
        x, y = pts[0]
        return Markup(f'{head}<circle cx="{x}" cy="{y}" r="2" fill="currentColor"/></svg>')
    # One polyline for the area and the line (a board row drew every point twice): it runs up
    # from the baseline, through the points, back down; its fill closes along the baseline, and
    # its stroke is dashed so that only the points' segments are drawn (gap up, dash along,
    # gap down; the last gap is longer than the way down).
    base = SPARK_H - SPARK_PAD
    line = " ".join(f"{x},{y}" for x, y in pts)
    along = sum(math.dist(pts[i], pts[i + 1]) for i in range(n - 1))
    up = base - pts[0][1]
    dashes = f"0 {up} {coord(along)} {SPARK_H}" if up else f"{coord(along)} {SPARK_H}"
    return Markup(
        f'{head}<polyline points="{pts[0][0]},{base} {line} {pts[-1][0]},{base}" '
        f'fill="url(#{SPARK_FILL})" stroke="currentColor" stroke-width="1.5" '
        f'stroke-linejoin="round" stroke-dasharray="{dashes}"/></svg>'
    )


# ---------------------------------------------------------------- heatmap (WEB-40)

HEAT_CELL, HEAT_GAP, HEAT_LEFT, HEAT_TOP = 11, 4, 30, 16
HEAT_PITCH = HEAT_CELL + HEAT_GAP


def heat_level(count: int) -> int:
    """0 → 0; 1–2 → 1; 3–5 → 2; 6–9 → 3; ≥ 10 → 4."""
    if count <= 0:
        return 0
    if count <= 2:
        return 1
    if count <= 5:
        return 2
    if count <= 9:
        return 3
    return 4


def _sunday_on_or_before(d: date) -> date:
    return d - timedelta(days=(d.weekday() + 1) % 7)


# the same days recur on every profile's grids (a hundred thousand cell titles a build)
_day_title = functools.lru_cache(maxsize=8192)(format_day_title)


def heatmap_cell_title(day: date, types: Sequence[tuple[str, int]]) -> str:
    """`Sun, 12 Apr 2026: 3 activities (2 PR Merged, 1 Issue Opened)` or `…: No activities`."""
    ordered = sorted(((n, c) for n, c in types if c > 0), key=lambda t: (-t[1], t[0]))
    total = sum(c for _, c in ordered)
    if total == 0:
        return f"{_day_title(day)}: No activities"
    detail = ", ".join(f"{format_int(c)} {n}" for n, c in ordered)
    return f"{_day_title(day)}: {plural(total, 'activity')} ({detail})"


def activity_heatmap(
    start: date, end: date, days: Mapping[date, Sequence[tuple[str, int]]], *, caption: str
) -> Markup:
    """A contribution grid for [start, end]: week columns Sunday → Saturday.

    `days` maps a date to its (definition name, count) pairs. Only the days with activity are
    elements (`rect.c.hl-<level>` with their `<title>`); the empty days are one path over the
    in-range cells, filled with the page's empty-cell pattern (`HEAT_EMPTY`, a `rect.c` tile
    styled by the stylesheet: size, corners, colour), drawn first so active days cover theirs.
    A year of bare empty cells was half the weight of a typical profile (WEB-63, WEB-64).
    """
    first = _sunday_on_or_before(start)
    weeks = (end - first).days // 7 + 1
    width = HEAT_LEFT + weeks * HEAT_PITCH - HEAT_GAP
    height = HEAT_TOP + 7 * HEAT_PITCH - HEAT_GAP
    total = sum(c for d, types in days.items() if start <= d <= end for _, c in types)
    label = (
        f"{caption}: {plural(total, 'activity')} from {format_date(start)} to {format_date(end)}"
    )
    out = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">',
        _heatmap_axes(first, start, end, weeks),
        _empty_days(first, start, end),
    ]
    by_month: dict[str, int] = {}  # the hidden table sums months: a row per day doubled the titles
    cells: list[str] = []
    for d in sorted(days):
        if not start <= d <= end:
            continue
        types = days[d]
        count = sum(c for _, c in types)
        if not count:
            continue
        month = f"{MONTHS[d.month - 1]} {d.year}"
        by_month[month] = by_month.get(month, 0) + count
        w, i = divmod((d - first).days, 7)
        cells.append(
            f'<rect class="c hl-{heat_level(count)}" x="{HEAT_LEFT + w * HEAT_PITCH}" '
            f'y="{HEAT_TOP + i * HEAT_PITCH}">'
            f"<title>{escape(heatmap_cell_title(d, types))}</title></rect>"
        )
    if cells:  # one tab stop per grid, the newest active day; arrow keys move between days
        cells[-1] = cells[-1].replace("<rect ", '<rect tabindex="0" ', 1)
    out.extend(cells)
    out.append("</svg>")
    rows = [[m, format_int(c)] for m, c in by_month.items()]
    table = _hidden_table(caption, ["Month", "Activities"], rows)
    return Markup(
        f'<figure class="chart chart-heatmap"><figcaption class="chart-caption">'
        f"{escape(caption)}</figcaption>{''.join(out)}{table}</figure>"
    )


@functools.lru_cache(maxsize=64)
def _empty_days(first: date, start: date, end: date) -> str:
    """The in-range cells of a grid as one path filled with the empty-day pattern: the first
    week column from the start's weekday down, the full weeks, the last column down to the
    end's weekday. The pattern's tiles line up with the cells, so the path only has to cover
    their area (gaps included)."""
    weeks = (end - first).days // 7 + 1
    top = (start - first).days  # weekday row of the first day (Sunday = 0)
    bottom = (end - first).days - (weeks - 1) * 7  # weekday row of the last day

    def x(w: int) -> int:
        return HEAT_LEFT + w * HEAT_PITCH

    def y(r: int) -> int:
        return HEAT_TOP + r * HEAT_PITCH

    if weeks == 1:
        d = f"M{x(0)} {y(top)}H{x(1)}V{y(bottom + 1)}H{x(0)}Z"
    else:
        d = (
            f"M{x(0)} {y(top)}H{x(1)}V{y(0)}H{x(weeks)}V{y(bottom + 1)}H{x(weeks - 1)}"
            f"V{y(7)}H{x(0)}Z"
        )
    return f'<path d="{d}" fill="url(#{HEAT_EMPTY})"/>'


@functools.lru_cache(maxsize=256)
def _heatmap_axes(first: date, start: date, end: date, weeks: int) -> str:
    """Month labels above the week columns and the Mon/Wed/Fri row labels."""
    out: list[str] = []
    last_month: tuple[int, int] | None = None
    for w in range(weeks):
        col_days = [first + timedelta(days=w * 7 + i) for i in range(7)]
        in_range = [d for d in col_days if start <= d <= end]
        if in_range and (in_range[0].year, in_range[0].month) != last_month:
            last_month = (in_range[0].year, in_range[0].month)
            out.append(
                f'<text x="{HEAT_LEFT + w * HEAT_PITCH}" y="10">'
                f"{MONTHS[in_range[0].month - 1][:3]}</text>"
            )
    for row, name in ((1, "Mon"), (3, "Wed"), (5, "Fri")):
        out.append(f'<text x="0" y="{HEAT_TOP + row * HEAT_PITCH + 9}">{name}</text>')
    return '<g class="hm-label">' + "".join(out) + "</g>"


def heatmap_legend() -> Markup:
    """`Less ■■■■■ More`."""
    cells = "".join(f'<rect class="c hl-{i}" x="{i * HEAT_PITCH}" y="0"/>' for i in range(5))
    width = 5 * HEAT_PITCH - HEAT_GAP
    return Markup(
        f'<div class="heatmap-legend"><span>Less</span><svg viewBox="0 0 {width} {HEAT_CELL}" '
        f'width="{width}" height="{HEAT_CELL}" aria-hidden="true">{cells}</svg><span>More</span></div>'
    )


# ---------------------------------------------------------------- breakdown bar (WEB-41)


@dataclass(frozen=True, slots=True)
class Segment:
    item: TypeTotal
    colour: str
    start: float  # fraction of the bar, 0..1
    share: float  # fraction of all points


def breakdown_order(items: Sequence[TypeTotal]) -> list[tuple[TypeTotal, str]]:
    """Legend order and colours: types with points (points desc, count desc, name), then the
    zero-point types (count desc, name). Colours follow that order so bar and legend agree; the
    zero-point types, which the points bar leaves out, get no colour ('') rather than a colour
    that appears nowhere in the bar."""
    scored = sorted((t for t in items if t.points > 0), key=lambda t: (-t.points, -t.count, t.name))
    rest = sorted((t for t in items if t.points <= 0), key=lambda t: (-t.count, t.name))
    return [(t, chart_colour(i)) for i, t in enumerate(scored)] + [(t, "") for t in rest]


def breakdown_segments(items: Sequence[TypeTotal]) -> list[Segment]:
    """Bar segments for the types with points > 0, proportional to points."""
    total = sum(t.points for t in items if t.points > 0)
    segments: list[Segment] = []
    start = 0.0
    for t, colour in breakdown_order(items):
        if t.points <= 0:
            continue
        share = t.points / total
        segments.append(Segment(t, colour, start, share))
        start += share
    return segments


def breakdown_bar(items: Sequence[TypeTotal]) -> Markup:
    """The 32 px points bar of the profile's activity breakdown ('' when no type has points)."""
    segments = breakdown_segments(items)
    if not segments:
        return Markup("")
    total = sum(s.item.points for s in segments)
    label = (
        f"Points by activity type: {plural(total, 'point')} across {plural(len(segments), 'type')}"
    )
    out = [
        f'<svg class="breakdown-bar" viewBox="0 0 1000 32" width="100%" height="32" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}">'
    ]
    for s in segments:
        t = s.item
        title = (
            f"{t.name}: {plural(t.count, 'activity')} · {format_int(t.points)} pts "
            f"({format_number(s.share * 100, 1)}% of points)"
        )
        out.append(
            f'<rect x="{coord(s.start * 1000)}" y="0" width="{coord(s.share * 1000)}" height="32" '
            f'fill="{s.colour}"><title>{escape(title)}</title></rect>'
        )
    out.append("</svg>")
    return Markup("".join(out))
