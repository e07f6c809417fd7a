"""CORE-23: plugin source classification (aliases, entry points, paths, pinned URLs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfgtest import Loader, lines_of, with_leaderboard

from leaderboard.config import SourceError, SourceSpec, classify_source, resolve_source_path

PIN = "a" * 64
OTHER = "b" * 64


def classify(
    source: str, aliases: dict[str, str] | None = None, sha: str | None = None
) -> SourceSpec:
    return classify_source("p", source, aliases=aliases or {}, sha256=sha)


@pytest.mark.parametrize(
    ("source", "builtin"),
    [
        ("@leaderboard/plugin-dummy", "dummy"),
        ("./node_modules/@leaderboard/plugin-dummy/dist/index.js", "dummy"),
        ("@ohcnetwork/leaderboard-github-plugin", "github"),
        ("@leaderboard/plugin-leaderboard-github-plugin", "github"),
        ("https://cdn.example/leaderboard-github-plugin/dist/index.mjs", "github"),
        ("plugins/GitHub.JS", "github"),
        ("./github.mjs", "github"),
        ("@ohcnetwork/leaderboard-slack-plugin", "slack"),
        ("@LEADERBOARD/plugin-leaderboard-slack-plugin", "slack"),
        ("/opt/plugins/slack.js", "slack"),
        ("https://x.example/slack.js#sha256=" + PIN, "slack"),
    ],
)
def test_core_23_builtin_aliases_for_javascript(source: str, builtin: str) -> None:
    spec = classify(source)
    assert spec == SourceSpec(
        "entry-point",
        builtin,
        None,
        f"Plugin p: using built-in '{builtin}' for JavaScript source {source}",
    )


@pytest.mark.parametrize(
    "source", ["@acme/custom", "./plugins/custom.ts", "https://x.example/a.cjs", "lib/thing.js"]
)
def test_core_23_unknown_javascript_is_config_error(source: str) -> None:
    with pytest.raises(SourceError) as info:
        classify(source)
    assert info.value.message == (
        "Plugin p: JavaScript plugins cannot run here; add a leaderboard.plugin_aliases entry "
        f"mapping '{source}' to a Python plugin"
    )


def test_core_23_user_alias_one_level() -> None:
    aliases = {"@acme/custom": "acme_plugin", "acme_plugin": "other"}
    assert classify("@acme/custom", aliases) == SourceSpec("entry-point", "acme_plugin")
    assert classify("x", {"x": "./plugins/x.py"}) == SourceSpec("path", "./plugins/x.py")


def test_core_23_user_alias_to_javascript_then_builtin_table() -> None:
    spec = classify("gh", {"gh": "@ohcnetwork/leaderboard-github-plugin"})
    assert spec.target == "github" and spec.alias_note is not None


@pytest.mark.parametrize("source", ["dummy", "github", "my_plugin.v2", "acme-plugin"])
def test_core_23_entry_point_names(source: str) -> None:
    assert classify(source) == SourceSpec("entry-point", source)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("plugin.py", "plugin.py"),
        ("./plugins/mine.py", "./plugins/mine.py"),
        ("plugins/pkg", "plugins/pkg"),
        ("/abs/plugin.py", "/abs/plugin.py"),
        ("plugins\\win.py", "plugins\\win.py"),
        ("C:\\plugins\\x.py", "C:\\plugins\\x.py"),
        ("file:///abs/my%20plugin.py", "/abs/my plugin.py"),
        ("file://localhost/abs/p.py", "/abs/p.py"),
    ],
)
def test_core_23_local_paths(source: str, target: str) -> None:
    assert classify(source) == SourceSpec("path", target)


def test_core_23_resolve_relative_path_against_data_dir(tmp_path: Path) -> None:
    assert resolve_source_path(SourceSpec("path", "plugins/x.py"), tmp_path) == (
        tmp_path / "plugins" / "x.py"
    )
    assert resolve_source_path(SourceSpec("path", "/abs/x.py"), tmp_path) == Path("/abs/x.py")


def test_core_23_pinned_urls() -> None:
    assert classify("https://x.example/p.py", sha=PIN.upper()) == SourceSpec(
        "url", "https://x.example/p.py", PIN
    )
    assert classify(f"https://x.example/p.py#sha256={PIN}") == SourceSpec(
        "url", "https://x.example/p.py", PIN
    )
    assert classify(f"https://x.example/p.py#sha256={PIN}", sha=PIN).pin == PIN


@pytest.mark.parametrize(
    ("source", "sha", "message"),
    [
        ("https://x.example/p.py", None, "Plugin p: URL sources must be pinned with sha256"),
        (
            f"https://x.example/p.py#sha256={PIN}",
            OTHER,
            "Plugin p: the sha256 key and the #sha256= fragment of https://x.example/p.py differ",
        ),
        (
            "https://x.example/p.py#sha256=abc",
            None,
            "Plugin p: the #sha256= fragment of https://x.example/p.py must be 64 hex characters",
        ),
        ("http://x.example/p.py", PIN, "Plugin URLs must use https"),
        ("ftp://x.example/p.py", None, "Unsupported plugin source"),
        ("git+ssh://x.example/p", None, "Unsupported plugin source"),
        ("pkg:thing", None, "Unsupported plugin source"),
    ],
)
def test_core_23_source_config_errors(source: str, sha: str | None, message: str) -> None:
    with pytest.raises(SourceError) as info:
        classify(source, sha=sha)
    assert info.value.message == message


def test_core_23_loader_reports_missing_local_file(load_yaml: Loader, tmp_path: Path) -> None:
    text = with_leaderboard(
        "  plugins:\n"
        "    mine:\n"
        "      source: plugins/mine.py\n"
        "    off:\n"
        "      source: plugins/off.py\n"
        "      enabled: false\n"
    )
    assert lines_of(load_yaml(text)) == [
        f"9: error: leaderboard.plugins.mine.source: plugin path 'plugins/mine.py' not found "
        f"(relative paths are resolved against the data dir {tmp_path}) [missing-file]",
        f"11: warning: leaderboard.plugins.off.source: plugin path 'plugins/off.py' not found "
        f"(relative paths are resolved against the data dir {tmp_path}) [missing-file]",
    ]
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "mine.py").write_text("name = 'mine'\n")
    (tmp_path / "plugins" / "off.py").write_text("name = 'off'\n")
    result = load_yaml(text)
    assert list(result.problems) == []
    assert result.sources["mine"] == SourceSpec("path", "plugins/mine.py")


def test_core_23_disabled_plugin_source_errors_are_warnings(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  plugins:\n    js:\n      source: '@acme/custom'\n      enabled: false\n"
    )
    result = load_yaml(text)
    assert result.config is not None
    assert [p.code for p in result.problems.warnings] == ["invalid-plugin-source"]
    assert result.infos == ()


def test_core_18_plugin_entry_checks(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  plugin_aliases:\n"
        "    '@acme/custom': acme\n"
        "    bad: 3\n"
        "  plugins:\n"
        "    '2':\n"
        "      source: '@acme/custom'\n"
        "      sha256: not-hex\n"
        "      enabled: 'false'\n"
        "      config: [1]\n"
        "    '1':\n"
        "      source: dummy\n"
        "      sha256: " + PIN + "\n"
        "    three: dummy\n"
    )
    result = load_yaml(text)
    assert lines_of(result) == [
        "9: error: leaderboard.plugin_aliases.bad: must be a non-empty source string (got 3) "
        "[wrong-type]",
        "13: error: leaderboard.plugins.2.sha256: must be 64 hex characters (got 'not-hex') "
        "[invalid-value]",
        "14: error: leaderboard.plugins.2.enabled: must be true or false (got 'false') "
        "[wrong-type]",
        "15: error: leaderboard.plugins.2.config: must be a mapping (got a list) [wrong-type]",
        "19: error: leaderboard.plugins.three: must be a mapping (got 'dummy') [wrong-type]",
        "18: warning: leaderboard.plugins.1.sha256: is only used for https URL sources "
        "[unused-key]",
    ]


def test_core_18_plugin_order_is_yaml_order(load_yaml: Loader) -> None:
    text = with_leaderboard(
        "  plugins:\n"
        "    b: {source: dummy}\n"
        "    '10': {source: dummy, name: Ten}\n"
        "    '2': {source: dummy, enabled: false}\n"
        "    a: {source: dummy, config: null}\n"
    )
    config = load_yaml(text).config
    assert config is not None
    plugins = config.leaderboard.plugins
    assert list(plugins) == ["b", "10", "2", "a"]
    assert plugins["10"].name == "Ten" and plugins["10"].line == 9
    assert plugins["2"].enabled is False and plugins["a"].config == {}
