"""The numbers on a page agree (issue 13): one "last 30 days" for the home KPIs, trend, donut
and its legend; 0-point contributors are not ranked; one arrow per trend; all-time "New
Contributors" is not everyone; no badge definitions → no Badges navigation."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sitefixture import NOW

from leaderboard.db.database import Database
from leaderboard.site import BuildOptions, build_site
from leaderboard.timeutil import canonical


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _home_totals(page: str) -> dict[str, int]:
    kpi = re.search(
        r'<span class="kpi-label">Total Activities</span>.*?<div class="kpi-value">([\d,]+)',
        page,
        re.S,
    )
    trend = re.search(r'<p class="trend-total"><strong>([\d,]+)</strong>', page)
    day_titles = re.findall(r": ([\d,]+) activit(?:y|ies) · ", page)
    centre = re.search(r'font-size="22" font-weight="bold"[^>]*>([\d,]+)</text>', page)
    legend = re.findall(r'<span class="legend-count">([\d,]+)</span>', page)
    assert kpi and trend and centre and legend and len(day_titles) == 30
    return {
        "kpi": _int(kpi.group(1)),
        "trend": _int(trend.group(1)),
        "trend days": sum(_int(x) for x in day_titles),
        "donut": _int(centre.group(1)),
        "legend": sum(_int(x) for x in legend),
    }


def test_home_kpi_trend_donut_and_legend_agree_for_the_demo_data(tmp_path: Path) -> None:
    env = {**os.environ, "LEADERBOARD_NOW": "2026-04-12T18:00:00Z"}
    subprocess.run(
        [sys.executable, "-m", "leaderboard", "demo", str(tmp_path / "demo"), "--offline",
         "--contributors", "40", "--days", "120"],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    page = (tmp_path / "demo" / "_site" / "index.html").read_text()
    totals = _home_totals(page)
    assert totals["kpi"] > 0 and len(set(totals.values())) == 1, totals
    assert "↑" not in page and "↓" not in page  # one arrow (the icon) per KPI trend


def _now_plus(db_path: Path, hours: float, points_zero_user: str | None = None) -> None:
    db = Database.open(db_path)
    with db.transaction():
        if points_zero_user:
            db.execute(
                "INSERT INTO contributor(username, name, role) VALUES (?,?,?)",
                (points_zero_user, "Zero Points", "contributor"),
            )
            db.execute(
                "INSERT INTO activity(slug, contributor, activity_definition, title, occurred_at,"
                " points) VALUES (?,?,?,?,?,?)",
                ("zero-1", points_zero_user, "comment", "A comment", canonical(NOW - timedelta(hours=hours)), 0),
            )  # fmt: skip
    db.close()


def test_zero_point_contributors_are_not_ranked(site_inputs: BuildOptions) -> None:
    assert site_inputs.db_path is not None
    _now_plus(site_inputs.db_path, 3, points_zero_user="zero-hero")
    build_site(dataclasses.replace(site_inputs, og=False, explorer=False))
    week = (site_inputs.out / "leaderboard" / "week" / "index.html").read_text()
    assert 'data-username="zero-hero"' not in week  # neither ranked nor shown with a red -100%
    assert "zero-hero" in (site_inputs.out / "people" / "index.html").read_text()  # still listed


def test_trend_window_ends_yesterday_while_today_is_empty(site_inputs: BuildOptions) -> None:
    """A build just after midnight (nothing scraped for the new day yet) shows the 30 days up to
    yesterday instead of a trend that drops to 0 on its last point."""
    assert site_inputs.db_path is not None
    db = Database.open(site_inputs.db_path)
    newest = db.query("SELECT max(occurred_at) AS m FROM activity")[0]["m"]
    db.close()
    # NOW is 18:00 UTC = 23:30 in Asia/Kolkata; 45 minutes later a new local day has begun
    later = NOW + timedelta(minutes=45)
    assert newest < canonical(later)
    build_site(dataclasses.replace(site_inputs, now=later, og=False, explorer=False))
    page = (site_inputs.out / "index.html").read_text()
    days = re.findall(r"<title>(\w+, \w+ \d+): ([\d,]+) activit", page)
    assert len(days) == 30
    assert days[-1][0] == "Sunday, Apr 12"  # yesterday in Kolkata, not the empty Apr 13
    totals = _home_totals(page)
    assert len(set(totals.values())) == 1, totals


def test_all_time_new_contributors_is_not_everyone(site_inputs: BuildOptions) -> None:
    build_site(dataclasses.replace(site_inputs, og=False, explorer=False))
    page = (site_inputs.out / "leaderboard" / "all-time" / "index.html").read_text()
    active = re.search(r"Active Contributors</span>.*?kpi-value\">([\d,]+)", page, re.S)
    new = re.search(
        r"New Contributors</span>.*?kpi-value\">([\d,]+)<.*?kpi-caption\">([^<]+)", page, re.S
    )
    assert active and new
    assert new.group(2) == "Last 30 days"
    assert _int(new.group(1)) < _int(active.group(1))


def test_heatmap_heading_appears_once(site_inputs: BuildOptions) -> None:
    build_site(dataclasses.replace(site_inputs, og=False, explorer=False))
    page = (site_inputs.out / "alice" / "index.html").read_text()
    visible = re.sub(
        r'aria-label="[^"]*"|<div class="sr-only">.*?</div>|<table.*?</table>', "", page, flags=re.S
    )
    assert visible.count("contributions in the last year") == 1


@pytest.mark.parametrize("with_badges", [True, False])
def test_badges_navigation_only_when_badges_are_defined(
    site_inputs: BuildOptions, with_badges: bool
) -> None:
    assert site_inputs.db_path is not None
    if not with_badges:
        db = Database.open(site_inputs.db_path)
        with db.transaction():
            db.execute("DELETE FROM contributor_badge")
            db.execute("DELETE FROM badge_definition")
        db.close()
    build_site(dataclasses.replace(site_inputs, og=False, explorer=False))
    home = html.unescape((site_inputs.out / "index.html").read_text())
    nav = home.split('<nav class="main-nav"')[1].split("</nav>")[0]
    assert ('aria-label="Badges"' in nav) is with_badges
    assert ("Recent Achievements" in home) is with_badges
    assert (site_inputs.out / "badges" / "index.html").exists()  # links to it keep working
