"""Links from config in the page chrome (issue 15 item 8, WEB-57): validation refuses
`javascript:`/`data:` links, and the chrome applies `safe_href` anyway (defence in depth), so a
config built without validation still renders no script link."""

from __future__ import annotations

import dataclasses
import re

import pytest

from leaderboard.site import BuildOptions, build_site
from leaderboard.site.env import make_environment
from leaderboard.site.model import safe_href

HOSTILE = "javascript://x%0aalert(document.domain)"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/org", "https://github.com/org"),
        ("mailto:team@example.org", "mailto:team@example.org"),
        ("/theme.css", "/theme.css"),
        (HOSTILE, "#"),
        ("  JavaScript:alert(1)", "#"),
        ("data:text/html,<script>alert(1)</script>", "#"),
        ("//evil.example/x.css", "#"),
        ("/\\evil.example/x.css", "#"),
        ("vbscript:x", "#"),
        (None, "#"),
    ],
)
def test_safe_href(url: str | None, expected: str) -> None:
    assert safe_href(url) == expected
    rendered = make_environment().from_string('<a href="{{ u|safe_href }}">').render(u=url)
    assert "javascript" not in rendered.lower() and "data:" not in rendered


def test_chrome_renders_no_script_link_from_config(site_inputs: BuildOptions) -> None:
    config = site_inputs.config
    org = dataclasses.replace(config.org, socials={"github": HOSTILE, "email": "team@example.org"})
    lb = dataclasses.replace(
        config.leaderboard, data_source="javascript:alert(1)", theme="data:text/css,body{}"
    )
    options = dataclasses.replace(
        site_inputs, config=dataclasses.replace(config, org=org, leaderboard=lb)
    )
    build_site(options)
    html = (options.out / "index.html").read_text()
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]
    assert "mailto:team@example.org" in html
