"""NEW-07: embeddable SVG rank badges — exact SVG, messages, colours, label truncation."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from leaderboard.site import rankbadge as rb

EXPECTED_GOLD = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="229" height="20" viewBox="0 0 229 20" '
    'role="img" aria-label="Example: #1 this month · 1,234 pts">'
    "<title>Example: #1 this month · 1,234 pts</title>"
    '<clipPath id="r"><rect width="229" height="20" rx="3" fill="#fff"/></clipPath>'
    '<g clip-path="url(#r)"><rect width="56" height="20" fill="#555"/>'
    '<rect x="56" width="173" height="20" fill="#b8860b"/></g>'
    '<g fill="#fff" text-anchor="middle" font-family="Verdana, Geneva, DejaVu Sans, sans-serif" '
    'font-size="11">'
    '<text x="28" y="15" fill="#010101" fill-opacity="0.3">Example</text>'
    '<text x="28" y="14">Example</text>'
    '<text x="142.5" y="15" fill="#010101" fill-opacity="0.3">#1 this month · 1,234 pts</text>'
    '<text x="142.5" y="14">#1 this month · 1,234 pts</text></g></svg>\n'
)


def test_new_07_exact_svg_rank_one() -> None:
    s = rb.Standing("month", True, 1, 1234)
    assert rb.rank_badge_svg("Example", rb.badge_message(s), rb.badge_colour(s)) == EXPECTED_GOLD


def test_new_07_exact_svg_unranked_escapes_text() -> None:
    s = rb.Standing("week", False, None, 5)
    svg = rb.rank_badge_svg("A&B", rb.badge_message(s), rb.badge_colour(s))
    # "A&B": ⌈3 × 6.5⌉ + 10 = 30; "5 pts this week" (15): ⌈97.5⌉ + 10 = 108
    assert svg == (
        '<svg xmlns="http://www.w3.org/2000/svg" width="138" height="20" viewBox="0 0 138 20" '
        'role="img" aria-label="A&amp;B: 5 pts this week"><title>A&amp;B: 5 pts this week</title>'
        '<clipPath id="r"><rect width="138" height="20" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)"><rect width="30" height="20" fill="#555"/>'
        '<rect x="30" width="108" height="20" fill="#767676"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana, Geneva, DejaVu Sans, sans-serif" '
        'font-size="11">'
        '<text x="15" y="15" fill="#010101" fill-opacity="0.3">A&amp;B</text>'
        '<text x="15" y="14">A&amp;B</text>'
        '<text x="84" y="15" fill="#010101" fill-opacity="0.3">5 pts this week</text>'
        '<text x="84" y="14">5 pts this week</text></g></svg>\n'
    )
    ET.fromstring(svg)  # well-formed


@pytest.mark.parametrize(
    ("standing", "message", "colour"),
    [
        (rb.Standing("week", True, 1, 10), "#1 this week · 10 pts", "#b8860b"),
        (rb.Standing("month", True, 2, 9), "#2 this month · 9 pts", "#6e6e6e"),
        (rb.Standing("year", True, 3, 8), "#3 this year · 8 pts", "#a0522d"),
        (rb.Standing("all-time", True, 4, 12345), "#4 all time · 12,345 pts", "#2e7d32"),
        (rb.Standing("month", True, 10, 1), "#10 this month · 1 pts", "#2e7d32"),
        (rb.Standing("month", True, 11, 1), "#11 this month · 1 pts", "#0969da"),
        (rb.Standing("month", True, None, 0), "no activity this month", "#767676"),
        (rb.Standing("year", False, None, 1500), "1,500 pts this year", "#767676"),
        (rb.Standing("year", False, 2, 1500), "1,500 pts this year", "#767676"),
    ],
)
def test_new_07_messages_and_colours(standing: rb.Standing, message: str, colour: str) -> None:
    assert rb.badge_message(standing) == message
    assert rb.badge_colour(standing) == colour


def test_new_07_label_truncation_by_code_points() -> None:
    assert rb.badge_label("", "Short Org") == "Short Org"
    assert rb.badge_label("Custom", "Org") == "Custom"
    exactly = "x" * 24
    assert rb.badge_label(None, exactly) == exactly
    cut = rb.badge_label(None, "A Very Long Organization Name Indeed")
    assert cut == "A Very Long Organizatio…" and len(cut) == 24
    assert rb.part_width("ü" * 3) == rb.part_width("abc") == 30


def test_new_07_badge_files_month_default_and_shields_json() -> None:
    standings = {
        "week": rb.Standing("week", True, None, 0),
        "month": rb.Standing("month", True, 3, 42),
        "year": rb.Standing("year", True, 12, 420),
        "all-time": rb.Standing("all-time", True, 20, 4200),
    }
    files = rb.badge_files("Org", standings)
    assert list(files) == [
        "badge-all-time.svg",
        "badge-month.svg",
        "badge-week.svg",
        "badge-year.svg",
        "badge.json",
        "badge.svg",
    ]
    assert files["badge.svg"] == files["badge-month.svg"]
    assert b"no activity this week" in files["badge-week.svg"]
    doc = json.loads(files["badge.json"])
    assert list(doc) == ["schemaVersion", "label", "message", "color"]
    assert doc == {
        "schemaVersion": 1,
        "label": "Org",
        "message": "#3 this month · 42 pts",
        "color": "a0522d",
    }
    assert files["badge.json"].endswith(b"\n")


def test_new_07_embed_snippets() -> None:
    md, html = rb.embed_snippets(
        "Org",
        "#1 this month · 5 pts",
        "https://x.org/lb/alice/badge.svg",
        "https://x.org/lb/alice/",
    )
    assert (
        md
        == "[![Org: #1 this month · 5 pts](https://x.org/lb/alice/badge.svg)](https://x.org/lb/alice/)"
    )
    assert html == (
        '<a href="https://x.org/lb/alice/"><img src="https://x.org/lb/alice/badge.svg" '
        'alt="Org: #1 this month · 5 pts" height="20"></a>'
    )
