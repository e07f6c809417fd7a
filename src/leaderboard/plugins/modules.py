"""Importing local plugin files and packages (CORE-23 step 3) with importlib, never `exec`.

A file or package is imported as `leaderboard_local_plugins.<id>`; a module that fails half-way
is removed from `sys.modules` (with its submodules) so a retry starts clean.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from leaderboard.errors import PluginError

PACKAGE = "leaderboard_local_plugins"


def module_name(plugin_id: str) -> str:
    return f"{PACKAGE}.{plugin_id}"


def _ensure_package() -> None:
    if PACKAGE not in sys.modules:
        package = ModuleType(PACKAGE, "Local plugins loaded from the data dir (CORE-23).")
        package.__path__ = []
        sys.modules[PACKAGE] = package


def forget(name: str) -> None:
    """Drop `name` and its submodules from `sys.modules`."""
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


def import_local(plugin_id: str, path: Path) -> ModuleType:
    """Import a `.py` file or a package directory; raises PluginError with CORE-23's message."""
    name = module_name(plugin_id)
    _ensure_package()
    forget(name)
    if path.is_dir():
        init = path / "__init__.py"
        if not init.is_file():
            raise PluginError(
                f"Cannot import {path} as a plugin: the directory is not a package "
                "(add an __init__.py that defines the plugin)"
            )
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(path)]
        )
    else:
        spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"Cannot import {path} as a plugin: not a Python source file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        forget(name)
        if isinstance(exc, KeyboardInterrupt):
            raise
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise PluginError(f"Cannot import {path} as a plugin: {detail}") from exc
    return module
