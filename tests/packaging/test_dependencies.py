"""Dependencies: every third-party package the code imports is declared in pyproject.toml
(issue #15: MarkupSafe was imported in a dozen modules but only came in through Jinja2), and
python-lucide, whose icon database the site reads directly, is pinned to the version whose
tables `site/icons.py` was written against."""

from __future__ import annotations

import ast
import re
import sqlite3
import sys
import tomllib
from contextlib import closing
from importlib import metadata
from pathlib import Path

import leaderboard

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(leaderboard.__file__).parent


def _declared() -> dict[str, str]:
    """{normalised distribution name: requirement} of the runtime and optional dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra, reqs in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            requirements.extend(reqs)
    out = {}
    for req in requirements:
        name = re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0]
        out[_normal(name)] = req
    return out


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    # pytest: only `testing/pytest_plugin.py`, loaded by pytest itself (the `pytest11` entry point)
    return names - set(sys.stdlib_module_names) - {"leaderboard", "__future__", "pytest"}


def test_every_imported_third_party_package_is_declared() -> None:
    declared = _declared()
    providers = metadata.packages_distributions()
    undeclared = {}
    for module in sorted(_imported_top_levels()):
        dists = {_normal(d) for d in providers.get(module, [module])}
        if not dists & set(declared):
            undeclared[module] = sorted(dists)
    assert undeclared == {}, "imported but not in pyproject.toml dependencies"


def test_markupsafe_is_declared() -> None:
    assert "markupsafe" in _declared()


def test_python_lucide_is_pinned_to_the_installed_version_and_its_tables_match() -> None:
    requirement = _declared()["python-lucide"]
    pinned = requirement.split("==", 1)[1].strip()
    assert metadata.version("python-lucide") == pinned  # reinstall: `make install`
    from leaderboard.site.icons import _database_path

    uri = _database_path().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        columns = {
            table: {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for table in ("icons", "icon_aliases")
        }
    assert {"name", "svg"} <= columns["icons"]
    assert {"alias", "name"} <= columns["icon_aliases"]
