"""The whole built fixture site equals the committed golden copy (WEB-62, CORE-81).

On an intended change run `make update-golden` and review the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from update_golden import GOLDEN, build_fixture_site


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_web_62_site_matches_golden(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_fixture_site(out, tmp_path)
    built, golden = _files(out), _files(GOLDEN)
    assert sorted(built) == sorted(golden), "file set differs: run make update-golden"
    for rel in sorted(golden):
        if built[rel] != golden[rel]:
            diff = "\n".join(
                list(
                    difflib.unified_diff(
                        golden[rel].decode("utf-8", "replace").splitlines(),
                        built[rel].decode("utf-8", "replace").splitlines(),
                        f"golden/{rel}",
                        f"built/{rel}",
                        lineterm="",
                        n=1,
                    )
                )[:40]
            )
            raise AssertionError(f"{rel} differs from golden (run make update-golden):\n{diff}")
