"""WEB-18/19/31/40/41 chart contents and WEB-58/59 geometry and accessibility rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from xml.etree import ElementTree as ET

import pytest

from leaderboard.site import charts as c


def _parse(markup: object) -> ET.Element:
    return ET.fromstring(str(markup))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1"),
        (1.5, "1.5"),
        (1.256, "1.26"),
        (1.999, "2"),
        (-0.001, "0"),
        (108.80000001, "108.8"),
    ],
)
def test_web_58_coordinates_rounded_and_trimmed(value: float, expected: str) -> None:
    assert c.coord(value) == expected


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (13, [0, 5, 10, 15]),
        (100, [0, 20, 40, 60, 80, 100]),
        (101, [0, 20, 40, 60, 80, 100, 120]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_web_58_nice_ticks(maximum: float, expected: list[float]) -> None:
    assert c.nice_ticks(maximum) == expected


def test_web_58_nice_ticks_fractional_steps_when_not_counting() -> None:
    assert c.nice_ticks(2, integer=False) == [0, 0.5, 1, 1.5, 2]


def test_web_58_smooth_path() -> None:
    assert c.smooth_path([(0, 0), (10, 20), (30, 5)], 0.25) == (
        "M 0 0 C 2.5 0, 7.5 20, 10 20 C 15 20, 25 5, 30 5"
    )
    assert c.smooth_path([(1, 2)], 0.3) == "M 1 2"
    assert c.smooth_path([], 0.3) == ""


DAYS = [
    c.DayValue(date(2026, 4, 1), 2, 10),
    c.DayValue(date(2026, 4, 2), 0, 0),
    c.DayValue(date(2026, 4, 3), 5, 7),
]


def test_web_18_trend_chart_exact_geometry() -> None:
    fig = _parse(c.activity_trend_chart(DAYS))
    ns = ""
    svg = fig.find(f"{ns}svg")
    assert svg is not None
    assert svg.get("viewBox") == "0 0 800 200" and svg.get("role") == "img"
    assert svg.get("aria-label") == (
        "Activity trend: 7 activities and 17 points from Apr 1, 2026 to Apr 3, 2026"
    )
    line = svg.find(".//path[@class='chart-line']")
    assert line is not None
    assert line.get("d") == "M 48 108.8 C 140 108.8, 324 168, 416 168 C 508 168, 692 20, 784 20"
    area = svg.find(".//path[@class='chart-area']")
    assert area is not None and area.get("d", "").endswith("L 784 168 L 48 168 Z")
    grid = [(ln.get("y1"), ln.get("stroke-dasharray")) for ln in svg.iter("line")]
    assert grid[0] == ("168", None)  # the 0 line is solid
    assert [y for y, _ in grid] == ["168", "138.4", "108.8", "79.2", "49.6", "20"]
    assert all(d == "4 4" for _, d in grid[1:])
    labels = [t.text for t in svg.findall("g[@class='chart-x-labels']/text")]
    assert labels == ["Apr 1", "Apr 2", "Apr 3"]
    titles = [t.text for t in svg.findall("g[@class='chart-hits']/rect/title")]
    assert titles == [
        "Wednesday, Apr 1: 2 activities · 10 pts",
        "Thursday, Apr 2: 0 activities · 0 pts",
        "Friday, Apr 3: 5 activities · 7 pts",
    ]
    widths = [r.get("width") for r in svg.findall("g[@class='chart-hits']/rect")]
    assert widths == ["184", "368", "184"]
    # WEB-58: figure, caption and a hidden table with the numbers
    assert fig.tag == "figure" and fig.find("figcaption") is not None
    table = fig.find("div[@class='sr-only']/table")
    assert table is not None and len(table.findall("tbody/tr")) == 3


def test_web_18_x_labels_every_sixth_of_thirty_days() -> None:
    days = [c.DayValue(date(2026, 3, 1) + timedelta(days=i), i % 3, 1) for i in range(30)]
    fig = _parse(c.activity_trend_chart(days))
    labels = [t.text for t in fig.findall("svg/g[@class='chart-x-labels']/text")]
    assert labels == ["Mar 1", "Mar 6", "Mar 11", "Mar 16", "Mar 21", "Mar 26"]


def test_web_18_empty_and_all_zero_and_single_point() -> None:
    empty = "No activity data available for this period"
    assert empty in str(c.activity_trend_chart([]))
    assert empty in str(c.activity_trend_chart([c.DayValue(date(2026, 1, 1), 0)]))
    single = _parse(c.activity_trend_chart([c.DayValue(date(2026, 1, 1), 3, 3)]))
    dot = single.find("svg/circle")
    assert dot is not None and (dot.get("cx"), dot.get("cy")) == ("416", "20")
    assert single.find("svg/path[@class='chart-line']") is None


def test_web_19_donut_slices_gap_and_titles() -> None:
    fig = _parse(c.activity_donut([c.TypeTotal("Issue", 1, 0), c.TypeTotal("PR", 3, 30)]))
    paths = fig.findall("svg/path")
    # with the built-in colour as fallback: a theme leaving one undefined never paints black
    assert [p.get("fill") for p in paths] == [
        "var(--chart-1, var(--lb-chart-1))",
        "var(--chart-2, var(--lb-chart-2))",
    ]
    assert paths[0].get("d") == (
        "M 91.6 10.02 A 80 80 0 1 1 10.02 91.6 L 38.01 91.04 A 52 52 0 1 0 91.04 38.01 Z"
    )
    assert paths[1].get("d") == (
        "M 10.02 88.4 A 80 80 0 0 1 88.4 10.02 L 88.96 38.01 A 52 52 0 0 0 38.01 88.96 Z"
    )
    assert [p.findtext("title") for p in paths] == [
        "PR: 3 activities (75.0%) · 30 points",
        "Issue: 1 activity (25.0%)",
    ]
    texts = [t.text for t in fig.findall("svg/text")]
    assert texts == ["4", "activities"]
    legend = [
        (li.findtext("span[@class='legend-name']"), li.findtext("span[@class='legend-share']"))
        for li in fig.findall("ul/li")
    ]
    assert legend == [("PR", "75%"), ("Issue", "25%")]


def test_web_19_single_slice_is_a_full_ring_and_tiny_slices_keep_their_ends() -> None:
    ring = _parse(c.activity_donut([c.TypeTotal("PR", 3)])).find("svg/path")
    assert ring is not None and ring.get("fill-rule") == "evenodd"
    assert ring.get("d", "").startswith("M 90 10 A 80 80 0 1 1 90 170")
    # a slice of 1/500 of the circle (≈ 0.0126 rad) is not shortened (would invert)
    fig = _parse(c.activity_donut([c.TypeTotal("A", 499), c.TypeTotal("B", 1)]))
    tiny = fig.findall("svg/path")[1].get("d", "")
    start = re.match(r"M ([\d.]+) ([\d.]+)", tiny)
    assert start is not None
    # starts exactly where A's unshortened end would be, near the top (−90° − 0.0126 rad)
    assert float(start.group(2)) == pytest.approx(10.01, abs=0.02)


def test_web_19_empty() -> None:
    assert "No activity type data available" in str(c.activity_donut([]))
    assert "No activity type data available" in str(c.activity_donut([c.TypeTotal("A", 0)]))


def test_web_31_sparkline_geometry() -> None:
    """WEB-63: integer polylines filled with the page's one shared gradient."""
    svg = _parse(c.sparkline([0, 1, 2], label="3 points over 3 days"))
    assert svg.get("viewBox") == "0 0 120 24" and svg.get("aria-label") == "3 points over 3 days"
    # one polyline is both the area (its fill closes along the baseline) and the line (its
    # stroke dashed: nothing on the way up, the points' segments, nothing on the way down)
    assert svg.find("polygon") is None and len(svg.findall("polyline")) == 1
    line = svg.find("polyline")
    assert line is not None
    assert line.get("points") == "2,22 2,22 60,12 118,2 118,22"
    assert line.get("fill") == f"url(#{c.SPARK_FILL})"
    assert line.get("stroke-width") == "1.5"
    along = 2 * (58**2 + 10**2) ** 0.5  # the two segments through the points
    assert line.get("stroke-dasharray") == f"{along:.2f} 24"
    rising = _parse(c.sparkline([1, 0, 2], label="x")).find("polyline")
    assert rising is not None and rising.get("points") == "2,22 2,12 60,22 118,2 118,22"
    dashes = (rising.get("stroke-dasharray") or "").split()
    assert dashes[:2] == ["0", "10"] and float(dashes[2]) == pytest.approx(
        (58**2 + 10**2) ** 0.5 + (58**2 + 20**2) ** 0.5, abs=0.01
    )
    page = c.with_chart_defs(
        f"<body>{c.sparkline([1, 2], label='x')}{c.sparkline([2, 1], label='y')}</body>"
    )
    assert page.count(f'id="{c.SPARK_FILL}"') == 1
    assert c.with_chart_defs("<body></body>") == "<body></body>"


def test_web_31_sparkline_scales_to_at_least_one() -> None:
    svg = _parse(c.sparkline([0.5, 0], label="x"))
    line = svg.find("polyline")
    assert line is not None and line.get("points", "").startswith("2,22 2,12 ")  # mid-height


def test_web_31_sparkline_all_zero_single_and_empty() -> None:
    flat = _parse(c.sparkline([0, 0, 0], label="none"))
    ln = flat.find("line")
    assert ln is not None and ln.get("y1") == "12" and ln.get("stroke-opacity") == "0.3"
    assert ln.get("stroke-dasharray")
    dot = _parse(c.sparkline([4], label="x")).find("circle")
    assert dot is not None and (dot.get("cx"), dot.get("cy")) == ("60", "2")
    assert str(c.sparkline([], label="x")) == ""


def test_web_31_downsampling() -> None:
    assert c.downsample([1, 2, 3]) == [1, 2, 3]
    values = list(range(70))  # ⌈70/32⌉ = 3 per bucket, last bucket averages 69 alone
    out = c.downsample(values)
    assert len(out) == 24 and out[0] == 1 and out[-1] == 69
    assert c.downsample([2.0] * 33) == [2.0] * 17


def test_web_40_heat_levels() -> None:
    assert [c.heat_level(n) for n in (0, 1, 2, 3, 5, 6, 9, 10, 50)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_web_40_heatmap_grid() -> None:
    start, end = date(2026, 4, 1), date(2026, 4, 14)  # Wed .. Tue
    days = {
        date(2026, 4, 2): [("Issue Opened", 1), ("PR Merged", 2)],
        date(2026, 4, 9): [("PR Merged", 1)],
        date(2026, 5, 1): [("PR Merged", 9)],  # out of range: not drawn, not counted
    }
    fig = _parse(c.activity_heatmap(start, end, days, caption="3 contributions in the last year"))
    svg = fig.find("svg")
    assert svg is not None
    # columns: Sun Mar 29 .. Sat Apr 18 → 3 weeks; width = 30 + 3·15 − 4
    assert svg.get("viewBox") == "0 0 71 117"
    # the empty days are one path over the in-range cells (Wed of week 1 … Tue of week 3),
    # painted with the page's cell pattern (WEB-63: no element per empty day)
    (empty,) = svg.findall("path")
    assert empty.get("fill") == f"url(#{c.HEAT_EMPTY})"
    assert empty.get("d") == "M30 61H45V16H75V61H60V121H30Z"
    cells = svg.findall("rect")
    assert len(cells) == 2  # the active days only
    busy, later = cells
    assert (busy.get("x"), busy.get("y"), busy.get("class")) == ("30", "76", "c hl-2")
    assert busy.findtext("title") == "Thu, 2 Apr 2026: 3 activities (2 PR Merged, 1 Issue Opened)"
    assert busy.get("tabindex") is None
    assert later.get("tabindex") == "0"  # one tab stop per grid: the newest active day
    assert later.findtext("title") == "Thu, 9 Apr 2026: 1 activity (1 PR Merged)"
    assert [t.text for t in svg.findall("g/text")] == ["Apr", "Mon", "Wed", "Fri"]
    assert "4 activities from" in (svg.get("aria-label") or "")


def test_web_40_empty_day_path_edges() -> None:
    # one week column only: Sunday 5 Apr .. Wednesday 8 Apr 2026
    one = _parse(c.activity_heatmap(date(2026, 4, 5), date(2026, 4, 8), {}, caption="x"))
    assert [p.get("d") for p in one.findall("svg/path")] == ["M30 16H45V76H30Z"]
    year = _parse(c.activity_heatmap(date(2026, 1, 1), date(2026, 12, 31), {}, caption="2026"))
    # 2026-01-01 is a Thursday (row 4); 2026-12-31 a Thursday too: 53 columns
    assert [p.get("d") for p in year.findall("svg/path")] == ["M30 76H45V16H825V91H810V121H30Z"]
    assert year.findall("svg/rect") == []


def test_web_40_page_defines_the_empty_day_pattern_once() -> None:
    grid = c.activity_heatmap(date(2026, 1, 1), date(2026, 12, 31), {}, caption="2026")
    page = c.with_chart_defs(f"<body>{grid}{grid}</body>")
    assert page.count(f'id="{c.HEAT_EMPTY}"') == 1
    defs = _parse(page[page.index('<svg width="0"') : page.rindex("</svg>") + 6])
    pattern = defs.find("defs/pattern")
    assert pattern is not None and pattern.get("patternUnits") == "userSpaceOnUse"
    assert (pattern.get("x"), pattern.get("y"), pattern.get("width")) == ("30", "16", "15")
    assert [r.get("class") for r in pattern.findall("rect")] == ["c"]
    assert defs.get("style", "").startswith("position:absolute")  # painted, not display:none


def test_web_40_month_labels_at_first_in_range_day() -> None:
    fig = _parse(c.activity_heatmap(date(2026, 1, 1), date(2026, 12, 31), {}, caption="2026"))
    months = [t.text for t in fig.findall("svg/g/text") if t.get("y") == "10"]
    assert months == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]


def test_web_41_breakdown_bar_order_and_shares() -> None:
    items = [c.TypeTotal("C", 5, 0), c.TypeTotal("Issue", 1, 10), c.TypeTotal("PR", 3, 30)]
    order = c.breakdown_order(items)
    assert [(t.name, colour) for t, colour in order] == [
        ("PR", "var(--chart-1, var(--lb-chart-1))"),
        ("Issue", "var(--chart-2, var(--lb-chart-2))"),
        ("C", ""),  # no points: not in the bar, so no colour of the bar (issue 13)
    ]
    svg = _parse(c.breakdown_bar(items))
    rects = svg.findall("rect")
    assert [(r.get("x"), r.get("width")) for r in rects] == [("0", "750"), ("750", "250")]
    assert rects[0].findtext("title") == "PR: 3 activities · 30 pts (75.0% of points)"
    assert str(c.breakdown_bar([c.TypeTotal("C", 5, 0)])) == ""


def test_web_59_every_chart_is_deterministic() -> None:
    assert str(c.activity_trend_chart(DAYS)) == str(c.activity_trend_chart(DAYS))
