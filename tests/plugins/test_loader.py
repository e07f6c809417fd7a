"""CORE-23: entry points, local files and packages, config errors, log lines; declarations."""

from __future__ import annotations

import sys
from pathlib import Path

from plugtest import SIMPLE_PLUGIN, capture_logger, config_with, write_plugin

from leaderboard.plugins.loader import (
    LoadedPlugin,
    PluginLoadFailure,
    collect_declarations,
    load_plugins,
)


def _load(config, tmp_path: Path, **kw):  # type: ignore[no-untyped-def]
    logger, handler = capture_logger()
    out = load_plugins(
        config,
        data_dir=tmp_path,
        cache_dir=tmp_path / ".cache",
        offline=kw.pop("offline", False),
        selected=kw.pop("selected", None),
        logger=logger,
        **kw,
    )
    return out, handler.lines()


def test_entry_point_builtin_dummy(tmp_path: Path) -> None:
    out, lines = _load(config_with({"demo": {"source": "dummy"}}), tmp_path)
    [loaded] = out
    assert isinstance(loaded, LoadedPlugin)
    assert loaded.kind == "builtin" and loaded.name == "dummy" and loaded.index == 1
    assert f"INFO: Loaded plugin demo: dummy v{loaded.version} (builtin)" in lines


def test_unknown_entry_point_lists_installed(tmp_path: Path) -> None:
    [failure], lines = _load(config_with({"x": {"source": "nosuchplugin"}}), tmp_path)
    assert isinstance(failure, PluginLoadFailure)
    assert failure.message.startswith(
        "Plugin x: no installed plugin named 'nosuchplugin' (installed: "
    )
    assert "dummy" in failure.message
    assert any(line.startswith("ERROR: Plugin x: no installed plugin") for line in lines)


def test_local_file_relative_to_data_dir(tmp_path: Path) -> None:
    write_plugin(tmp_path / "plugins" / "simple.py", SIMPLE_PLUGIN)
    [loaded], lines = _load(config_with({"loc": {"source": "plugins/simple.py"}}), tmp_path)
    assert isinstance(loaded, LoadedPlugin) and loaded.kind == "path"
    assert "INFO: Loaded plugin loc: simple v1.2.3 (path)" in lines
    assert sys.modules["leaderboard_local_plugins.loc"].__file__ == str(
        tmp_path / "plugins" / "simple.py"
    )


def test_local_package_directory_with_relative_import(tmp_path: Path) -> None:
    pkg = tmp_path / "mypkg"
    write_plugin(pkg / "helpers.py", "NAME = 'pkgplugin'\n")
    write_plugin(
        pkg / "__init__.py",
        "from .helpers import NAME\n\nclass plugin:\n    name = NAME\n    version = '0.1'\n"
        "    def scrape(self, ctx):\n        return []\n",
    )
    [loaded], _ = _load(config_with({"pkg": {"source": str(pkg)}}), tmp_path)
    assert isinstance(loaded, LoadedPlugin) and loaded.name == "pkgplugin"


def test_import_error_is_a_failure_and_module_is_removed(tmp_path: Path) -> None:
    write_plugin(
        tmp_path / "bad.py", "import sys\nsys.modules  # half way\nraise RuntimeError('boom')\n"
    )
    [failure], _ = _load(config_with({"bad": {"source": "./bad.py"}}), tmp_path)
    assert isinstance(failure, PluginLoadFailure) and not failure.config_error
    assert failure.message == f"Cannot import {tmp_path / 'bad.py'} as a plugin: RuntimeError: boom"
    assert "leaderboard_local_plugins.bad" not in sys.modules


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    [failure], _ = _load(config_with({"gone": {"source": "./missing.py"}}), tmp_path)
    assert isinstance(failure, PluginLoadFailure) and failure.config_error
    assert "does not exist" in failure.message


def test_invalid_plugin_reported_with_id_and_source(tmp_path: Path) -> None:
    write_plugin(tmp_path / "noscrape.py", "name = 'n'\nversion = '1'\n")
    [failure], _ = _load(config_with({"ns": {"source": "noscrape.py"}}), tmp_path)
    assert isinstance(failure, PluginLoadFailure)
    assert (
        failure.message == "Invalid plugin ns (noscrape.py): Plugin must have a 'scrape' function"
    )


def test_javascript_sources(tmp_path: Path) -> None:
    cfg = config_with(
        {
            "d": {"source": "@leaderboard/plugin-dummy"},
            "js": {"source": "./custom.js"},
        }
    )
    (loaded, failure), lines = _load(cfg, tmp_path)
    assert isinstance(loaded, LoadedPlugin) and loaded.name == "dummy"
    assert (
        "INFO: Plugin d: using built-in 'dummy' for JavaScript source @leaderboard/plugin-dummy"
        in lines
    )
    assert isinstance(failure, PluginLoadFailure) and failure.config_error
    assert "JavaScript plugins cannot run here" in failure.message


def test_no_plugins_configured(tmp_path: Path) -> None:
    out, lines = _load(config_with({}), tmp_path)
    assert out == [] and "WARNING: No plugins configured" in lines


def test_disabled_plugins_are_not_loaded_and_selection_is_marked(tmp_path: Path) -> None:
    cfg = config_with(
        {
            "a": {"source": "dummy"},
            "b": {"source": "dummy", "enabled": False},
            "c": {"source": "dummy"},
        }
    )
    out, _ = _load(cfg, tmp_path, selected={"c"})
    assert [(p.id, p.index, p.selected) for p in out] == [("a", 1, False), ("c", 2, True)]
    assert out[0].http is out[1].http  # one shared HTTP factory per load


def test_collect_declarations_order(tmp_path: Path) -> None:
    cfg = config_with(
        {"demo": {"source": "dummy"}, "bad": {"source": "nosuch"}},
        badge_definitions=[
            {
                "slug": "cfg_badge",
                "name": "C",
                "description": "d",
                "variants": {"v": {"description": "x", "svg_url": "u"}},
            }
        ],
    )
    out, _ = _load(cfg, tmp_path)
    decl = collect_declarations(cfg, out)
    assert decl.badge_definitions[0]["slug"] == "cfg_badge"
    assert decl.badge_slugs() >= {"activity_milestone", "pr_consistency", "review_champion"}
    assert "pr_merged" in decl.activity_slugs()
    assert decl.aggregate_slugs() == {"pr_merged_count", "code_review_participation"}
    assert decl.unchecked_plugins == []
