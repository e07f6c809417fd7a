"""bench/results.py: a benchmark replaces its own section of RESULTS.md and nothing else."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

RESULTS_PY = Path(__file__).resolve().parents[2] / "bench" / "results.py"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_results", RESULTS_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DOC = """# Benchmark results

## Runner (bench/run.py)

old runner table

### a sub-heading of the runner section

old analysis

## Written by hand

keep me

## Git

old git
"""


def test_a_section_is_replaced_with_its_sub_headings_and_the_rest_is_kept() -> None:
    new = _module().replace_section(DOC, "## Runner (bench/run.py)", "new table\n")
    assert "old runner table" not in new and "old analysis" not in new
    assert new.startswith(
        "# Benchmark results\n\n## Runner (bench/run.py)\n\nnew table\n\n## Written"
    )
    assert "## Written by hand\n\nkeep me\n" in new and "## Git\n\nold git\n" in new


def test_the_last_section_is_replaced_to_the_end() -> None:
    new = _module().replace_section(DOC, "## Git", "new git")
    assert new.endswith("## Git\n\nnew git\n") and "keep me" in new


def test_a_missing_section_is_appended_and_a_missing_file_gets_a_title(tmp_path: Path) -> None:
    results = _module()
    assert results.replace_section(DOC, "## MCP", "x").endswith("old git\n\n## MCP\n\nx\n")
    out = tmp_path / "RESULTS.md"
    results.write_section(out, "## MCP", "x")
    results.write_section(out, "## MCP", "y")
    assert out.read_text(encoding="utf-8") == "# Benchmark results\n\n## MCP\n\ny\n"


def test_a_heading_that_only_starts_like_another_is_not_taken_for_it() -> None:
    new = _module().replace_section(DOC, "## Git plugin", "z")
    assert "## Git\n\nold git\n" in new and new.endswith("## Git plugin\n\nz\n")
