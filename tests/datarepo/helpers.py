"""Shared helpers: a Config without config.yaml parsing, fixture repos copied to tmp dirs."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leaderboard import forkmap
from leaderboard.config.model import (
    Config,
    LeaderboardConfig,
    MetaConfig,
    OrgConfig,
)
from leaderboard.datarepo import export_repo, import_snapshot, read_repo, reader
from leaderboard.datarepo.exporter import ExportStats
from leaderboard.datarepo.snapshot import RepoSnapshot
from leaderboard.db import Database
from leaderboard.declarations import Declarations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "repos"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def make_config(**leaderboard: Any) -> Config:
    return Config(
        org=OrgConfig(
            "Example Org", "An example", "https://example.org", "https://example.org/l.png"
        ),
        meta=MetaConfig(
            "T", "D", "https://example.org/i.png", None, "https://example.org/f.ico", "b"
        ),
        leaderboard=LeaderboardConfig(**leaderboard),
        raw={},
    )


@pytest.fixture
def upstream_repo(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "upstream", target)
    return target


def snapshot_of(
    data_dir: Path,
    config: Config | None = None,
    declarations: Declarations | None = None,
    strict: bool = False,
) -> RepoSnapshot:
    return read_repo(
        data_dir,
        config=config or make_config(timezone="Asia/Kolkata"),
        declarations=declarations or Declarations(),
        now=NOW,
        strict=strict,
    )


def run_import_export(
    data_dir: Path,
    db: Database | None = None,
    config: Config | None = None,
    skip_invalid: bool = False,
    declarations: Declarations | None = None,
) -> tuple[RepoSnapshot, ExportStats, Database]:
    """`run import export` as the pipeline does it."""
    config = config or make_config(timezone="Asia/Kolkata")
    declarations = declarations or Declarations()
    db = db or Database.memory()
    snap = snapshot_of(data_dir, config, declarations)
    if skip_invalid:
        snap = snap.without_invalid()
    import_snapshot(db, snap, declarations=declarations, config=config)
    stats = export_repo(
        db, data_dir, tz=config.tz, imported=snap, default_role=config.leaderboard.default_role
    )
    return snap, stats, db


def tree(data_dir: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime (ns), by relative path."""
    out: dict[str, tuple[bytes, int]] = {}
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            out[path.relative_to(data_dir).as_posix()] = (
                path.read_bytes(),
                path.stat().st_mtime_ns,
            )
    return out


def both_processes_read(
    monkeypatch: pytest.MonkeyPatch, markers: Path, until: str | None = None
) -> list[int]:
    """Make every fork map of the reader really shared: the parent's first file after each
    fork waits (at most 30 s) until the new child has started one of its own (and, with
    `until`, has read the file of that name), so the child has taken files from the queue
    whatever the scheduler does. Returns the list of forks made."""
    parent = os.getpid()
    forks: list[int] = []
    acknowledged: set[int] = set()
    real_fork = forkmap._Child.fork

    def counting_fork(*args: Any, **kwargs: Any) -> Any:
        forks.append(len(forks) + 1)
        return real_fork(*args, **kwargs)

    def waiting(read: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            marker = markers / f"child-{len(forks)}"
            if os.getpid() != parent:
                result = read(*args, **kwargs)
                item = args[-1][1] if isinstance(args[-1], tuple) else args[-1]
                if until is None or str(item).endswith(until):
                    marker.touch()
                return result
            if forks and len(forks) not in acknowledged:
                acknowledged.add(len(forks))
                deadline = time.monotonic() + 30
                while not marker.exists():
                    assert time.monotonic() < deadline, f"the child never reached {until}"
                    time.sleep(0.002)
            return read(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(forkmap._Child, "fork", counting_fork)
    for name in ("_read_item", "_read_lines_file", "_read_profile"):
        monkeypatch.setattr(reader, name, waiting(getattr(reader, name)))
    return forks
