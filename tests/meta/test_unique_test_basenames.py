"""Test modules live in folders without `__init__.py`, so pytest imports them by basename: two
`test_x.py` in different folders make collection fail with "import file mismatch" (it did once,
after two branches each added a `test_population.py`)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_test_module_basenames_are_unique() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        if "golden" in path.parts:
            continue
        seen[path.name].append(str(path.relative_to(TESTS)))
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}
