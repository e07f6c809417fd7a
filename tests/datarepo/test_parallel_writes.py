"""`ParallelWrites`: a batch of changed-only writes made durable once, renamed in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard.datarepo import atomic
from leaderboard.datarepo.atomic import ParallelWrites


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_results_come_back_in_submission_order_and_equal_bytes_are_not_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "same.txt").write_bytes(b"same")
    mtime = (tmp_path / "same.txt").stat().st_mtime_ns
    writer = ParallelWrites(workers=4, window=3)
    try:
        for i in range(10):
            writer.submit(f"k{i}", tmp_path / "sub" / f"f{i}.txt", f"v{i}".encode())
        writer.submit("same", tmp_path / "same.txt", b"same")
        writer.note("noted", True)
        writer.note("kept", False)
        results = writer.drain()
    finally:
        writer.close()
    assert results == [(f"k{i}", True) for i in range(10)] + [
        ("same", False),
        ("noted", True),
        ("kept", False),
    ]
    assert [(tmp_path / "sub" / f"f{i}.txt").read_bytes() for i in range(10)] == [
        f"v{i}".encode() for i in range(10)
    ]
    assert (tmp_path / "same.txt").stat().st_mtime_ns == mtime
    assert _names(tmp_path / "sub") == sorted(f"f{i}.txt" for i in range(10))  # no temp left


def test_nothing_is_renamed_before_the_batch_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    real_sync = atomic._sync_file_system

    def spy(directory: Path) -> None:
        seen.append(_names(tmp_path))  # at sync time: only temporary files, no target yet
        real_sync(directory)

    monkeypatch.setattr(atomic, "_sync_file_system", spy)
    writer = ParallelWrites()
    try:
        writer.submit("a", tmp_path / "a.txt", b"a")
        writer.submit("b", tmp_path / "b.txt", b"b")
        writer.drain()
    finally:
        writer.close()
    assert len(seen) == 1
    assert all(atomic.is_temp_name(n) for n in seen[0]) and len(seen[0]) == 2
    assert _names(tmp_path) == ["a.txt", "b.txt"]


def test_a_failed_write_leaves_every_target_untouched_and_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"old")
    (tmp_path / "blocker").write_bytes(b"a file where a directory is needed")
    writer = ParallelWrites()
    try:
        writer.submit("a", tmp_path / "a.txt", b"new")
        writer.submit("bad", tmp_path / "blocker" / "b.txt", b"b")
        writer.submit("c", tmp_path / "c.txt", b"c")
        with pytest.raises(OSError):
            writer.drain()
    finally:
        writer.close()
    assert (tmp_path / "a.txt").read_bytes() == b"old"
    assert _names(tmp_path) == ["a.txt", "blocker"]


def test_close_without_drain_removes_staged_files(tmp_path: Path) -> None:
    writer = ParallelWrites()
    writer.submit("a", tmp_path / "a.txt", b"a")
    writer.close()
    assert _names(tmp_path) == []
