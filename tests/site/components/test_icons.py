"""WEB-08: Lucide icons inline, name normalisation, aliases, fallbacks with one warning per name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leaderboard.site import icons


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("git_merge", "git-merge"),
        ("GitMerge", "git-merge"),
        ("git-merge", "git-merge"),
        ("  Git Merge ", "git-merge"),
        ("HTMLFile", "html-file"),
        ("Building2", "building-2"),
        ("message_square_plus", "message-square-plus"),
    ],
)
def test_web_08_normalisation(name: str, expected: str) -> None:
    assert icons.normalize_icon_name(name) == expected


def test_web_08_resolution_canonical_alias_and_legacy_brands() -> None:
    assert icons.resolve_icon_name("GitMerge") == "git-merge"
    # a deprecated alias resolves to its current name
    assert icons.resolve_icon_name("alarm-check") == "alarm-clock-check"
    assert icons.resolve_icon_name("github") == "github"
    assert icons.resolve_icon_name("email") == "mail"
    assert icons.resolve_icon_name("no-such-icon-xyz") is None


def test_web_08_rendered_svg_is_inline_decorative_and_current_color() -> None:
    svg = str(icons.render_icon("star", size=20, cls="text-primary"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"')
    assert 'class="icon text-primary"' in svg
    assert 'width="20" height="20"' in svg
    assert 'aria-hidden="true"' in svg
    assert 'stroke="currentColor"' in svg
    assert "<path d=" in svg and "\n" not in svg
    labelled = str(icons.render_icon("trophy", label="Rank 1"))
    assert 'role="img" aria-label="Rank 1"' in labelled and "aria-hidden" not in labelled


def test_web_08_unknown_fixed_icon_is_a_bug() -> None:
    with pytest.raises(KeyError):
        icons.render_icon("definitely-not-an-icon")


def test_web_08_fallbacks_warn_once_per_name() -> None:
    warnings: list[str] = []
    registry = icons.Icons(warn=warnings.append)
    a = str(registry.activity("not_an_icon"))
    b = str(registry.activity("not_an_icon"))
    assert a == b and 'data-icon="star"' in a
    assert 'data-icon="link"' in str(registry.social("mastodon-ish-unknown"))
    assert 'data-icon="git-merge"' in str(registry.activity("GitMerge"))
    assert 'data-icon="star"' in str(registry.activity(None))
    assert len(warnings) == 2
    assert "not_an_icon" in warnings[0] and "'star'" in warnings[0]
    assert registry.unknown == ["not_an_icon", "mastodon-ish-unknown"]


def test_web_08_call_shorthand_and_deterministic() -> None:
    registry = icons.Icons()
    assert registry("house") == icons.render_icon("house")
    assert "house" in icons.icon_names()


def test_web_63_sprite_symbols_and_single_icons_leave_lucide_attributes_to_the_stylesheet() -> None:
    star, trophy = icons.render_icon("star"), icons.render_icon("trophy", size=20)
    page = icons.use_sprite(f"<body>{star}<p>{star}</p>{trophy}</body>")
    # the repeated icon: one symbol, two references; the single one inline
    assert page.count('<symbol id="i-star" viewBox="0 0 24 24"><path') == 1
    assert page.count('<use href="#i-star"/>') == 2
    assert '<svg viewBox="0 0 24 24" class="icon" width="20" height="20"' in page
    assert 'data-icon="trophy"' in page and "<path" in page.split('data-icon="trophy"')[1]
    assert "stroke=" not in page and "xmlns=" not in page.split("<symbol")[0]
    # …because every page's stylesheet gives svg.icon the same presentation
    css = (Path(icons.__file__).parent / "static" / "site.css").read_text()
    rule = re.search(r":where\(svg\.icon\) \{([^}]*)\}", css)
    assert rule is not None
    declared = dict(d.strip().split(": ") for d in rule[1].split(";") if d.strip())
    for attr in icons.ICON_CSS_ATTRS.split():
        name, value = attr.split("=")
        assert declared[name] == value.strip('"'), name
    assert icons.use_sprite("<p>no body</p>") == "<p>no body</p>"


def test_web_63_icons_reference_the_site_sprite_unless_a_page_copy_is_smaller() -> None:
    star, trophy = icons.render_icon("star"), icons.render_icon("trophy", size=20)
    sprite = icons.Sprite("/b/static/icons.svg?v=0123abcd", frozenset({"star", "trophy"}))
    once = icons.use_sprite(f"<body>{star}{trophy}</body>", sprite)
    # drawn once: references to the cached file, no drawing and no symbol on the page
    assert once.count('<use href="/b/static/icons.svg?v=0123abcd#i-star"/>') == 1
    assert '<use href="/b/static/icons.svg?v=0123abcd#i-trophy"/>' in once
    assert "<path" not in once and "<symbol" not in once
    # repeated a hundred times (a timeline's type icon): the page's own symbol is smaller
    many = icons.use_sprite("<body>" + str(star) * 100 + "</body>", sprite)
    assert many.count('<use href="#i-star"/>') == 100 and many.count('<symbol id="i-star"') == 1
    # an icon the sprite does not hold stays on the page
    house = icons.use_sprite(f"<body>{icons.render_icon('house')}</body>", sprite)
    assert 'data-icon="house"' in house and ".svg" not in house
    # the file: one symbol per icon, sorted, presentation left to the page's stylesheet
    svg = icons.sprite_svg(["trophy", "star", "star"]).decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"><symbol id="i-star"')
    assert svg.count("<symbol") == 2 and "stroke=" not in svg


def test_site_icon_names_are_the_templates_and_the_datas() -> None:
    names = icons.site_icon_names(["GitMerge", None, "not_an_icon", "email"])
    assert set(icons.TEMPLATE_ICONS) <= names
    assert {"git-merge", "mail"} <= names and "not_an_icon" not in names
