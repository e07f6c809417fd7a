"""The scoring transparency page (NEW-18)."""

from __future__ import annotations

import dataclasses
import re

from leaderboard.site import BuildOptions, build_site


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _with_site(options: BuildOptions, **changes: object) -> BuildOptions:
    cfg = options.config
    site = dataclasses.replace(cfg.leaderboard.site, **changes)  # type: ignore[arg-type]
    lb = dataclasses.replace(cfg.leaderboard, site=site)
    return dataclasses.replace(options, config=dataclasses.replace(cfg, leaderboard=lb))


def test_new_18_scoring_page(site_inputs: BuildOptions) -> None:
    options = dataclasses.replace(site_inputs, og=False, explorer=False)
    build_site(options)
    html = (options.out / "scoring/index.html").read_text()
    text = _text(html)
    assert "<title>How scoring works - Example Org Leaderboard</title>" in html
    assert (
        '<meta name="description" content="How Example Org counts activities, points and badges.">'
        in html
    )
    assert html.count("<h1") == 1
    # points per activity: every definition, points desc, icons, and the override note
    rows = re.findall(r"<tr><td>.*?</tr>", html, re.S)
    assert len(rows) == 4 and all('class="icon' in r for r in rows)
    assert text.index("PR Merged") < text.index("PR Reviewed") < text.index("Issue Opened")
    assert "own points uses those instead of its type's points" in text
    # time windows name the zone; ranking policy names hidden roles and the bot label
    assert "Asia/Kolkata" in text and "last 7 days" in text
    assert "never ranked: Intern" in text and "“Bots”" in text
    assert "pseudonym" in text
    # badges: variants in CORE-66 order with rules in words; no rule → plugin wording
    merger = text[text.index("Merger") :]
    assert merger.index("Bronze") < merger.index("Silver") < merger.index("Gold")
    assert "Reach 5 Merged PRs" in text and "Reach 50 Merged PRs" in text
    assert "Be active on 10 consecutive weeks (PR Merged, PR Reviewed)" in text
    early = text[text.index("Early Bird") : text.index("Merger")]
    assert "Awarded by a plugin" in early
    # XSS in a badge description is escaped
    assert "<svg onload" not in html
    # daily caps
    assert "Comment: 5 activities per day" in text
    # linked from the footer and listed in the sitemap
    assert (
        'href="/board/scoring/">How scoring works</a>' in (options.out / "index.html").read_text()
    )
    assert "https://example.github.io/board/scoring/" in (options.out / "sitemap.xml").read_text()


def test_new_18_scoring_page_can_be_disabled(site_inputs: BuildOptions) -> None:
    options = dataclasses.replace(
        _with_site(site_inputs, scoring_page=False), og=False, explorer=False
    )
    build_site(options)
    assert not (options.out / "scoring").exists()
    assert "/board/scoring/" not in (options.out / "index.html").read_text()
    assert "/board/scoring/" not in (options.out / "sitemap.xml").read_text()
