"""Links from config are http(s)/mailto or site paths only (issue 15 item 8, WEB-57): each
refusal names the config key path and line."""

from __future__ import annotations

import pytest
from cfgtest import MINIMAL, with_leaderboard

from leaderboard.config.loader import validate_text
from leaderboard.config.values import is_absolute_url, is_url_or_site_path, unsafe_scheme


def _errors(text: str) -> list[str]:
    return [p.format() for p in validate_text(text, env={}).problems if p.is_error]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            MINIMAL.replace(
                "  logo_url: /logo.svg\n",
                '  logo_url: /logo.svg\n  socials:\n    github: "javascript://x%0aalert(1)"\n',
            ),
            "config.yaml:7: error: org.socials.github: must not be a javascript: link",
        ),
        (
            MINIMAL.replace(
                "  logo_url: /logo.svg\n",
                '  logo_url: /logo.svg\n  socials:\n    slack: "data:text/html,<b>x</b>"\n',
            ),
            "config.yaml:7: error: org.socials.slack: must not be a data: link",
        ),
        (
            with_leaderboard('  data_source: "javascript:alert(1)"\n'),
            "config.yaml:7: error: leaderboard.data_source: must be an absolute URL",
        ),
        (
            with_leaderboard('  data_source: "JAVASCRIPT://host/%0aalert(1)"\n'),
            "config.yaml:7: error: leaderboard.data_source: must be an absolute URL",
        ),
        (
            with_leaderboard('  theme: "data:text/css,body{}"\n'),
            "config.yaml:7: error: leaderboard.theme: must be an absolute URL or a site path",
        ),
        (
            with_leaderboard('  theme: "//evil.example/theme.css"\n'),
            "config.yaml:7: error: leaderboard.theme: must be an absolute URL or a site path",
        ),
        (
            with_leaderboard(
                "  badges:\n    definitions:\n      - slug: b\n        name: B\n"
                "        description: d\n        variants:\n"
                '          bronze: {description: x, svg_url: "javascript:alert(1)"}\n'
            ),
            "config.yaml:13: error: leaderboard.badges.definitions[0].variants.bronze.svg_url: "
            "must not be a javascript: URL",
        ),
        (
            with_leaderboard(
                "  badges:\n    definitions:\n      - slug: b\n        name: B\n"
                "        description: d\n        variants:\n"
                '          bronze: {description: x, svg_url: "data:image/svg+xml,<svg/>"}\n'
            ),
            "config.yaml:13: error: leaderboard.badges.definitions[0].variants.bronze.svg_url: "
            "must not be a data: URL",
        ),
    ],
)
def test_script_links_are_refused_with_key_path(text: str, key: str) -> None:
    errors = _errors(text)
    assert any(e.startswith(key) for e in errors), errors


def test_safe_links_still_accepted() -> None:
    text = MINIMAL.replace(
        "  logo_url: /logo.svg\n",
        "  logo_url: /logo.svg\n  socials:\n    github: https://github.com/acme\n"
        "    email: team@acme.example\n",
    )
    assert _errors(text) == []
    for good in ("https://x.example/a?b#c", "ftp://x.example", "mailto:a@b.example"):
        assert is_absolute_url(good)
    for bad in ("javascript://x", "JavaScript://x/%0a", "java\tscript://x", "https://", "data:x"):
        assert not is_absolute_url(bad)
    assert is_url_or_site_path("/theme.css") and not is_url_or_site_path("/\\evil/x")
    assert unsafe_scheme(" data:x") == "data" and unsafe_scheme("img/badge.svg") is None
