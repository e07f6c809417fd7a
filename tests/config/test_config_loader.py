"""CORE-13, CORE-15…CORE-17, CORE-20, CORE-79, WEB-01: loading and validating config.yaml."""

from __future__ import annotations

import pytest
from cfgtest import FIXTURES, MINIMAL, Loader, lines_of, with_leaderboard

from leaderboard.config import load_config


def test_core_79_demo_config_loads_without_problems() -> None:
    result = load_config(FIXTURES / "demo", env={})
    assert list(result.problems) == []
    config = result.config
    assert config is not None
    lb = config.leaderboard
    assert list(lb.roles) == ["maintainer", "contributor", "intern", "bot"]
    assert lb.hidden_roles == ("bot",)
    assert lb.top_contributors == ("pr_merged", "pr_reviewed", "issue_opened")
    assert lb.all_contributors_definitions == (
        "pr_opened",
        "pr_merged",
        "pr_reviewed",
        "issue_opened",
    )
    assert lb.social_profiles["website"] == {"icon": "globe"}
    assert lb.plugins["dummy"].config["activities"] == {"daysBack": 90, "seed": 42}
    assert lb.plugins["dummy"].line == 54
    assert [d["slug"] for d in lb.badge_definitions] == [
        "activity_milestone",
        "points_milestone",
        "consistency_champion",
    ]
    assert [r["enabled"] for r in lb.badge_rules] == [True, True, True]
    assert config.meta.site_url == "http://localhost:8000"
    assert config.org.start_date == "2020-01-01"
    assert str(config.tz) == "UTC"
    assert result.sources["dummy"].kind == "entry-point"


def test_core_20_upstream_config_loads_with_only_warnings_and_infos() -> None:
    result = load_config(FIXTURES / "upstream", env={"GITHUB_TOKEN": "t"})
    assert result.config is not None
    assert result.problems.errors == []
    assert [p.message for p in result.problems.warnings] == [
        "environment variable SLACK_API_TOKEN is not set",
        "environment variable SLACK_CHANNEL is not set",
    ]
    assert result.infos == (
        "Plugin github: using built-in 'github' for JavaScript source "
        "https://raw.githubusercontent.com/ohcnetwork/leaderboard-github-plugin/main/dist/index.js",
        "Plugin slack: using built-in 'slack' for JavaScript source "
        "@ohcnetwork/leaderboard-slack-plugin",
    )
    lb = result.config.leaderboard
    assert list(lb.plugins) == ["github", "slack", "dummy"]
    assert lb.plugins["dummy"].enabled is False
    assert result.sources["dummy"].target == "dummy"
    assert lb.plugins["github"].config["githubOrg"] == "ohcnetwork"  # camelCase kept
    assert lb.data_update_frequency == "0 */6 * * *"
    assert lb.global_aggregates == ("total_activities", "count_contributors", "pr_merged")
    assert result.config.org.start_date == "2020-03-08"  # YAML 1.2: a date stays a string
    assert result.config.meta.favicon_url == "/favicon.ico"


def test_core_15_all_errors_at_once_with_exact_lines() -> None:
    result = load_config(FIXTURES / "broken", env={})
    assert result.config is None
    assert lines_of(result) == [
        "2: error: org.name: must not be empty [invalid-value]",
        "4: error: org.url: must be an absolute URL (got 'acme.example') [invalid-value]",
        "5: error: org.logo_url: must be an absolute URL or a site path starting with / "
        "(got 'logo.png') [invalid-value]",
        "8: error: org.socials.email: must be an e-mail address (got 'not-an-address') "
        "[invalid-value]",
        "11: error: meta.site_url: must be an absolute http(s) URL (got 'ftp://acme.example') "
        "[invalid-value]",
        "13: error: leaderboard.timezone: must be an IANA time zone name such as UTC or "
        "Europe/Berlin (got 'Mars/Olympus') [invalid-value]",
        "16: error: leaderboard.data_explorer.enabled: must be true or false (got 'yes') "
        "[wrong-type]",
        "18: error: leaderboard.site.avatars: must be one of cache, remote, none "
        "(got 'sometimes') [invalid-value]",
        "19: error: leaderboard.site.timeline_limit: must be ≥ 50 (got 10) [invalid-value]",
        "22: error: leaderboard.plugins.gh.source: Plugin gh: JavaScript plugins cannot run "
        "here; add a leaderboard.plugin_aliases entry mapping '@acme/leaderboard-custom-plugin' "
        "to a Python plugin [invalid-plugin-source]",
        "26: error: leaderboard.plugins.remote.source: Plugin remote: URL sources must be "
        "pinned with sha256 [invalid-plugin-source]",
        "34: error: leaderboard.badges.definitions[1].slug: badge 'streaker' is defined twice; "
        "remove or rename one definition [duplicate-slug]",
        "43: error: leaderboard.badges.rules[0].thresholds[0].value: must be a number, "
        "not .nan [invalid-value]",
        "46: error: leaderboard.badges.rules[1].streak_type: must be one of daily, weekly, "
        "monthly (got 'hourly') [invalid-value]",
        "47: error: leaderboard.badges.rules[1].thresholds[0].days: must be ≥ 1 (got 0) "
        "[invalid-value]",
        "47: error: leaderboard.badges.rules[1].thresholds[0].variant: variant 'gold' is not "
        "defined for badge 'streaker' (defined: bronze) [unknown-variant]",
        "6: warning: org: unknown key 'colour' [unknown-config-key]",
        "14: warning: leaderboard.data_update_frequency: is not a 5-field cron expression "
        "(got 'every day'); the footer will omit it [invalid-value]",
    ]
    assert result.problems.errors[0].format() == (
        "config.yaml:2: error: org.name: must not be empty [invalid-value]"
    )


def test_core_13_bom_is_ignored(load_yaml: Loader) -> None:
    result = load_yaml("\ufeff" + MINIMAL)
    assert result.config is not None and list(result.problems) == []


def test_core_13_invalid_utf8(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.yaml").write_bytes(MINIMAL.encode() + b"x: \xff\n")
    result = load_config(tmp_path, env={})
    assert lines_of(result) == [
        "7: error: file is not valid UTF-8; save it as UTF-8 [invalid-utf8]"
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_core_13_empty_file_is_error_at_root(load_yaml: Loader, text: str) -> None:
    result = load_yaml(text)
    assert result.config is None
    (problem,) = result.problems
    assert problem.message.startswith("(root): config.yaml is empty")
    assert problem.code == "wrong-type"


@pytest.mark.parametrize(
    ("text", "got"), [("- a\n- b\n", "a list"), ("just text\n", "'just text'")]
)
def test_core_13_non_mapping_is_error_at_root(load_yaml: Loader, text: str, got: str) -> None:
    (problem,) = load_yaml(text).problems
    assert problem.message == (
        f"(root): must be a mapping with org and leaderboard keys (got {got})"
    )


def test_core_13_yaml_syntax_error_has_line_and_column(load_yaml: Loader) -> None:
    (problem,) = load_yaml("org:\n  name: [unclosed\nleaderboard: {}\n").problems
    assert problem.code == "yaml-syntax"
    assert problem.line == 3 and problem.column is not None
    assert problem.message.startswith("invalid YAML:")


def test_core_13_duplicate_key_is_error(load_yaml: Loader) -> None:
    (problem,) = load_yaml(MINIMAL + "leaderboard: {}\n").problems
    assert problem.code == "duplicate-key"
    assert (problem.line, problem.column) == (7, 1)
    assert problem.message == "duplicate key 'leaderboard' (first at line 6)"


def test_core_13_unknown_tag_is_error(load_yaml: Loader) -> None:
    (problem,) = load_yaml(MINIMAL.replace("name: Acme", "name: !!python/str Acme")).problems
    assert problem.code == "yaml-tag"
    assert problem.line == 2


def test_core_13_anchors_and_aliases_allowed(load_yaml: Loader) -> None:
    text = with_leaderboard("  roles:\n    core: &role {name: Core}\n    team: *role\n")
    result = load_yaml(text)
    assert result.config is not None
    assert result.config.leaderboard.roles["team"].name == "Core"


def test_core_13_scalar_resolution(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  site:\n"
        "    timeline_limit: 1_000\n"
        "    og_images: FALSE\n"
        "    api: True\n"
        "  scoring:\n"
        "    daily_caps: {a: 0x1F, b: 0o17, c: 012, d: +5}\n"
        "  data_branch: 2020-03-08\n"
        "  default_role: ~\n"
    )
    result = load_yaml(text)
    assert list(result.problems) == []
    assert result.config is not None
    lb = result.config.leaderboard
    assert lb.site.timeline_limit == 1000
    assert lb.site.og_images is False and lb.site.api is True
    assert lb.daily_caps == {"a": 31, "b": 15, "c": 12, "d": 5}
    assert lb.data_branch == "2020-03-08"
    assert lb.default_role is None


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n"])
def test_core_13_yaml11_booleans_stay_strings(load_yaml: Loader, word: str) -> None:
    result = load_yaml(with_leaderboard(f"  site:\n    feeds: {word}\n"))
    assert lines_of(result) == [
        f"8: error: leaderboard.site.feeds: must be true or false (got '{word}') [wrong-type]"
    ]


def test_core_13_nan_rejected_everywhere(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  plugins:\n    p:\n      source: dummy\n      config: {ratio: .nan, ok: .inf}\n"
    )
    assert lines_of(load_yaml(text)) == [
        "10: error: leaderboard.plugins.p.config.ratio: must be a number, not .nan [invalid-value]"
    ]


def test_core_13_floats_accepted_as_numbers(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  badges:\n"
        "    rules:\n"
        "      - {type: threshold, badge_slug: b, aggregate_slug: x,\n"
        "         thresholds: [{variant: v, value: 1e3}, {variant: w, value: .inf},"
        " {variant: z, value: -.inf}]}\n"
    )
    result = load_yaml(text)
    assert result.config is not None
    assert [p.code for p in result.problems] == ["unknown-badge"]


def test_core_16_defaults_from_org(load_yaml: Loader) -> None:
    config = load_yaml(MINIMAL).config
    assert config is not None
    assert config.meta.title == "Acme Leaderboard"
    assert config.meta.description == "Acme builds things"
    assert config.meta.image_url == "/logo.svg"
    assert config.meta.favicon_url == "/logo.svg"
    assert config.meta.badge_label == "Acme"
    assert config.meta.site_url is None
    assert config.org.socials == {}


def test_core_17_defaults(load_yaml: Loader) -> None:
    config = load_yaml(MINIMAL).config
    assert config is not None
    lb = config.leaderboard
    assert lb.timezone == "UTC" and lb.data_branch == "main"
    assert lb.global_aggregates == ("total_activities", "count_contributors")
    assert lb.contributor_aggregates == ("total_points", "total_activities", "activity_types")
    assert lb.data_explorer.enabled is True and lb.data_explorer.source == "/data.db"
    assert lb.plugins == {} and lb.badge_definitions == [] and lb.badge_rules == []
    assert lb.bots.roles == ("bot",) and lb.bots.track is True and lb.bots.label == "Bots"
    assert lb.privacy.default_visibility == "public" and lb.privacy.salt == "Acme"
    assert lb.identity.primary == "github" and lb.identity.from_social_profiles is True
    assert lb.site.avatars == "cache" and lb.site.timeline_limit == 100  # WEB-42 revised
    assert lb.site.docs == "auto" and lb.site.og_font is None
    assert lb.daily_caps == {}
    assert lb.digest == {"top": 3, "inactivity_days": [7, 14, 30], "webhook_url": None}


def test_core_16_missing_required_keys_point_at_parent(load_yaml: Loader) -> None:
    result = load_yaml("org:\n  name: Acme\nleaderboard: {}\n")
    assert lines_of(result) == [
        "1: error: org.description: is required [missing-key]",
        "1: error: org.url: is required [missing-key]",
        "1: error: org.logo_url: is required [missing-key]",
    ]


def test_core_17_leaderboard_and_org_are_required(load_yaml: Loader) -> None:
    result = load_yaml("meta:\n  title: x\n")
    assert [p.message for p in result.problems] == [
        "org: is required (a mapping with name, description, url and logo_url)",
        "leaderboard: is required (a mapping; `leaderboard: {}` is enough)",
    ]


def test_core_16_org_url_rules(load_yaml: Loader) -> None:
    ok = MINIMAL.replace("https://acme.example", "mailto:team@acme.example").replace(
        "/logo.svg", "https://cdn.acme.example/logo.svg"
    )
    assert load_yaml(ok).config is not None
    ok2 = MINIMAL.replace("https://acme.example", "ftp://files.acme.example/")
    assert load_yaml(ok2).config is not None


def test_core_16_socials_free_form_with_email_check(load_yaml: Loader) -> None:
    text = MINIMAL.replace(
        "leaderboard: {}",
        "  socials:\n    email: team@acme.example\n    mastodon: https://m.example/@acme\n"
        "leaderboard: {}",
    )
    result = load_yaml(text)
    assert list(result.problems) == []
    assert result.config is not None
    assert result.config.org.socials == {
        "email": "team@acme.example",
        "mastodon": "https://m.example/@acme",
    }


def test_web_01_site_url_required_for_build(load_yaml: Loader) -> None:
    result = load_yaml(MINIMAL, require_site_url=True)
    assert result.config is None
    assert lines_of(result) == [
        "1: error: meta.site_url is required to build the site (or pass --site-url) [missing-key]"
    ]
    ok = load_yaml(
        MINIMAL + "meta:\n  site_url: https://org.github.io/lb/\n", require_site_url=True
    )
    assert ok.config is not None and ok.config.meta.site_url == "https://org.github.io/lb/"


def test_web_01_site_switches(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  site:\n"
        "    og_images: false\n"
        "    avatars: none\n"
        "    rank_badges: false\n"
        "    api: false\n"
        "    feeds: false\n"
        "    scoring_page: false\n"
        "    all_time_leaderboard: false\n"
        "    timeline_limit: 50\n"
        "    docs: data\n"
    )
    config = load_yaml(text).config
    assert config is not None
    site = config.leaderboard.site
    assert (site.og_images, site.avatars, site.rank_badges, site.api, site.feeds) == (
        False,
        "none",
        False,
        False,
        False,
    )
    assert (site.scoring_page, site.all_time_leaderboard, site.timeline_limit, site.docs) == (
        False,
        False,
        50,
        "data",
    )


def test_web_01_og_font_must_exist(load_yaml: Loader, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = with_leaderboard("  site:\n    og_font: fonts/Inter.ttf\n")
    result = load_yaml(text)
    assert [p.code for p in result.problems] == ["missing-file"]
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "Inter.ttf").write_bytes(b"\0")
    result = load_yaml(text)
    assert result.config is not None
    assert result.config.leaderboard.site.og_font == "fonts/Inter.ttf"
    bad = load_yaml(with_leaderboard("  site:\n    og_font: font.woff2\n"))
    assert [p.code for p in bad.problems] == ["invalid-value"]


def test_core_15_unknown_keys_warn_but_free_form_maps_do_not(load_yaml: Loader) -> None:
    text = (
        MINIMAL.replace("leaderboard: {}", "  socials: {anything: x}\nleaderboard: {}")
        + "extra_root: 1\n"
    ).replace(
        "leaderboard: {}\n",
        "leaderboard:\n"
        "  colour: red\n"
        "  plugins:\n"
        "    p:\n"
        "      source: dummy\n"
        "      config: {camelCase: 1, whatever: {deep: true}}\n"
        "      priority: 3\n"
        "  badges:\n"
        "    rules:\n"
        "      - type: composite\n"
        "        badge_slug: b\n"
        "        operator: OR\n"
        "        conditions: [{aggregate_slug: a, operator: '>=', value: 1}]\n"
        "        variant: v\n"
        "        meta: {free: form}\n"
        "        weight: 2\n",
    )
    result = load_yaml(text)
    assert [(p.line, p.message) for p in result.problems.warnings] == [
        (8, "leaderboard: unknown key 'colour'"),
        (13, "leaderboard.plugins.p: unknown key 'priority'"),
        (
            17,
            "leaderboard.badges.rules[0].badge_slug: badge 'b' is not defined in "
            "leaderboard.badges.definitions (fine if badges/definitions.json or a plugin "
            "defines it)",
        ),
        (22, "leaderboard.badges.rules[0]: unknown key 'weight'"),
        (23, "(root): unknown key 'extra_root'"),
    ]
    assert result.config is not None


def test_core_15_strict_turns_warnings_into_errors(load_yaml: Loader) -> None:
    text = with_leaderboard("  colour: red\n")
    lenient = load_yaml(text)
    assert lenient.config is not None and len(lenient.problems.warnings) == 1
    strict = load_yaml(text, strict=True)
    assert strict.config is None
    assert lines_of(strict) == ["7: error: leaderboard: unknown key 'colour' [unknown-config-key]"]


def test_core_17_invalid_cron_is_a_warning(load_yaml: Loader) -> None:
    result = load_yaml(with_leaderboard("  data_update_frequency: '0 0 * * * *'\n"))
    assert result.config is not None
    assert result.config.leaderboard.data_update_frequency is None
    assert [p.severity for p in result.problems] == ["warning"]


def test_core_17_roles_checked(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  default_role: member\n"
        "  roles:\n"
        "    core: {description: no name}\n"
        "    bot: {name: Bots, hidden: 1}\n"
    )
    assert lines_of(load_yaml(text)) == [
        "9: error: leaderboard.roles.core.name: is required [missing-key]",
        "10: error: leaderboard.roles.bot.hidden: must be true or false (got 1) [wrong-type]",
        "7: warning: leaderboard.default_role: role 'member' is not a key of leaderboard.roles "
        "[unknown-role]",
    ]


def test_core_17_type_errors_name_expected_and_actual(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  top_contributors: pr_merged\n"
        "  aggregates: {global: [a, 1]}\n"
        "  social_profiles: {github: {}}\n"
        "  theme: theme.css\n"
        "  data_source: github.com/x\n"
        "  data_explorer: {source: data.db}\n"
        "  roles: []\n"
    )
    assert [p.message for p in load_yaml(text).problems] == [
        "leaderboard.top_contributors: must be a list of strings (got 'pr_merged')",
        "leaderboard.aggregates.global[1]: must be a string (got 1)",
        "leaderboard.social_profiles.github.icon: is required",
        "leaderboard.theme: must be an absolute URL or a site path starting with / "
        "(got 'theme.css')",
        "leaderboard.data_source: must be an absolute URL (got 'github.com/x')",
        "leaderboard.data_explorer.source: must be a site path starting with / or an absolute "
        "URL (got 'data.db')",
        "leaderboard.roles: must be a mapping (got a list)",
    ]


def test_new_sections(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  bots: {roles: [bot, automation], track: false, label: Automation}\n"
        "  privacy: {default_visibility: pseudonymous, salt: pepper}\n"
        "  identity: {primary: none, from_social_profiles: false}\n"
        "  scoring: {daily_caps: {pr_opened: 5, comment: 0}}\n"
        "  digest: {top: 5, inactivity_days: [3, 30, 60], webhook_url: https://hooks.example/x}\n"
    )
    result = load_yaml(text)
    assert list(result.problems) == []
    assert result.config is not None
    lb = result.config.leaderboard
    assert lb.bots.roles == ("bot", "automation") and lb.bots.track is False
    assert lb.bots.label == "Automation"
    assert lb.privacy.default_visibility == "pseudonymous" and lb.privacy.salt == "pepper"
    assert lb.identity.primary == "none" and lb.identity.from_social_profiles is False
    assert lb.daily_caps == {"pr_opened": 5, "comment": 0}
    assert lb.digest == {
        "top": 5,
        "inactivity_days": [3, 30, 60],
        "webhook_url": "https://hooks.example/x",
    }


def test_new_sections_invalid(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  bots: {roles: bot}\n"
        "  privacy: {default_visibility: secret}\n"
        "  identity: {primary: GitHub}\n"
        "  scoring: {daily_caps: {pr_opened: -1, x: 1.5}}\n"
        "  digest: {top: 0, inactivity_days: [30, 7], webhook_url: hooks}\n"
    )
    assert [p.message for p in load_yaml(text).problems] == [
        "leaderboard.bots.roles: must be a list of strings (got 'bot')",
        "leaderboard.privacy.default_visibility: must be one of public, pseudonymous, hidden "
        "(got 'secret')",
        "leaderboard.identity.primary: must be a namespace matching ^[a-z][a-z0-9_-]*$ or "
        "'none' (got 'GitHub')",
        "leaderboard.scoring.daily_caps.pr_opened: must be ≥ 0 (got -1)",
        "leaderboard.scoring.daily_caps.x: must be an integer (got 1.5)",
        "leaderboard.digest.top: must be ≥ 1 (got 0)",
        "leaderboard.digest.inactivity_days: must be increasing day counts between 1 and 89 "
        "(the last bucket ends at 90 days)",
        "leaderboard.digest.webhook_url: must be an http(s) URL (got 'hooks')",
    ]


def test_core_13_unreadable_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.yaml").mkdir()
    result = load_config(tmp_path, env={})
    assert result.config is None
    assert [p.code for p in result.problems] == ["unreadable"]


def test_core_17_null_leaderboard_is_wrong_type(load_yaml: Loader) -> None:
    result = load_yaml(MINIMAL.replace("leaderboard: {}", "leaderboard:"))
    assert lines_of(result) == ["6: error: leaderboard: must be a mapping (got null) [wrong-type]"]


def test_core_16_null_optional_keys_mean_absent(load_yaml: Loader) -> None:
    result = load_yaml(MINIMAL + "meta:\n  title:\n")
    assert result.config is not None and result.config.meta.title == "Acme Leaderboard"
    assert list(result.problems) == []


def test_validate_text_without_data_dir() -> None:
    from leaderboard.config import validate_text

    result = validate_text(MINIMAL, env={})
    assert result.config is not None and list(result.problems) == []


def test_web_47_chunk_size_is_whole_pages_and_at_most_25_mib(load_yaml: Loader) -> None:
    """A chunk file is exactly `chunk_size` bytes (the chunks concatenated are the DB), so
    25 MiB is the largest size that keeps every file within Cloudflare Pages' limit."""
    mib = 1024 * 1024
    ok = load_yaml(with_leaderboard(f"  data_explorer: {{chunk_size: {25 * mib}}}\n"))
    assert ok.problems.errors == [] and ok.config is not None
    assert ok.config.leaderboard.data_explorer.chunk_size == 25 * mib
    default = load_yaml(with_leaderboard("  data_explorer: {enabled: true}\n"))
    assert default.config is not None
    assert default.config.leaderboard.data_explorer.chunk_size == 8 * mib  # WEB-47's default
    for bad in (25 * mib + 4096, 24 * mib + 1):
        problems = load_yaml(with_leaderboard(f"  data_explorer: {{chunk_size: {bad}}}\n")).problems
        assert [p.message for p in problems.errors] == [
            "leaderboard.data_explorer.chunk_size: must be a multiple of 4096 (the database "
            f"page size) and at most {25 * mib} (25 MiB: hosts such as Cloudflare Pages refuse "
            f"larger files) (got {bad})"
        ]
