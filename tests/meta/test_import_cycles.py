"""No import cycles among `leaderboard` modules (issue #15: cli ↔ commands, demo ↔ commands,
plugins/records ↔ plugins/resolver were cycles hidden by function-level imports).

Every import counts, at module level or inside a function: a cycle through a function-level
import is still two modules that cannot be understood (or changed) one without the other. Only
imports under `if TYPE_CHECKING:` are allowed to point back, since they never run. Importing
`a.b.c` also runs the `__init__` of the packages `a.b` (unless the importer is inside it), so
those count as imported too: a cycle through a package's `__init__` fails at runtime as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import leaderboard

PACKAGE = Path(leaderboard.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for inner in node.body:
                    skipped.update(id(n) for n in ast.walk(inner))
    return skipped


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The `leaderboard` modules `module` imports (resolved to the longest existing name)."""

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    found: set[str | None] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(resolve(a.name) for a in node.names if a.name.startswith("leaderboard"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if path.name != "__init__.py":
                    package.pop()
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            if base.split(".")[0] != "leaderboard":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(resolve(full) if full in modules else resolve(base))
    found.discard(None)
    own_packages = _ancestors(module) | {module}
    packages = {p for m in found if m is not None for p in _ancestors(m) if p in modules}
    return {m for m in found | packages if m is not None} - own_packages


def _ancestors(module: str) -> set[str]:
    """`a.b.c` → {`a`, `a.b`}: the packages whose `__init__` runs before it."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_no_import_cycles_among_leaderboard_modules() -> None:
    modules = _modules()
    graph = {m: imports_of(m, p, modules) for m, p in modules.items()}
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_cycles_and_ignores_type_checking(tmp_path: Path) -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from leaderboard.cli import cli\n"
        "def f():\n    from leaderboard.commands import data_dir_of\n"
        "from . import jsonfmt\n",
        encoding="utf-8",
    )
    modules = {"leaderboard.m": source, **_modules()}
    assert imports_of("leaderboard.m", source, modules) == {
        "leaderboard.commands",
        "leaderboard.jsonfmt",
    }
    nested = tmp_path / "n.py"
    nested.write_text("from leaderboard.datarepo.values import type_name\n", encoding="utf-8")
    found = imports_of(
        "leaderboard.queries.n", nested, {"leaderboard.queries.n": nested, **modules}
    )
    assert found == {"leaderboard.datarepo.values", "leaderboard.datarepo"}  # its package runs
