"""`WriteBatch`: changed-only writes staged aside, made durable once, renamed in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard.datarepo import atomic
from leaderboard.datarepo.atomic import WriteBatch


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_results_come_back_in_staging_order_and_equal_bytes_are_not_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "same.txt").write_bytes(b"same")
    mtime = (tmp_path / "same.txt").stat().st_mtime_ns
    batch = WriteBatch()
    for i in range(10):
        batch.stage(f"k{i}", tmp_path / "sub" / f"f{i}.txt", f"v{i}".encode())
    batch.stage("same", tmp_path / "same.txt", b"same")
    batch.note("noted", True)
    batch.note("kept", False)
    results = batch.commit()
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
    assert batch.commit() == []


def test_nothing_is_renamed_before_the_batch_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_bytes(b"old")
    seen: list[tuple[list[str], bytes]] = []
    real_sync = atomic._sync_file_system

    def spy(directory: Path) -> None:
        seen.append((_names(tmp_path), (tmp_path / "a.txt").read_bytes()))
        real_sync(directory)

    monkeypatch.setattr(atomic, "_sync_file_system", spy)
    batch = WriteBatch()
    batch.stage("a", tmp_path / "a.txt", b"new")
    batch.stage("b", tmp_path / "b.txt", b"b")
    batch.commit()
    assert len(seen) == 1  # one sync for the whole batch
    names, a_at_sync = seen[0]
    assert a_at_sync == b"old" and "b.txt" not in names  # no target touched before the sync
    assert sum(atomic.is_temp_name(n) for n in names) == 2
    assert _names(tmp_path) == ["a.txt", "b.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"new"


def test_a_failed_write_leaves_every_target_untouched_and_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"old")
    (tmp_path / "blocker").write_bytes(b"a file where a directory is needed")
    batch = WriteBatch()
    batch.stage("a", tmp_path / "a.txt", b"new")
    with pytest.raises(OSError):
        batch.stage("bad", tmp_path / "blocker" / "b.txt", b"b")
    assert (tmp_path / "a.txt").read_bytes() == b"old"
    assert _names(tmp_path) == ["a.txt", "blocker"]
    assert batch.commit() == []


def test_a_failed_sync_renames_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(directory: Path) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(atomic, "_sync_file_system", broken)
    batch = WriteBatch()
    batch.stage("a", tmp_path / "a.txt", b"a")
    with pytest.raises(OSError, match="disk on fire"):
        batch.commit()
    assert _names(tmp_path) == []


def test_close_without_commit_removes_staged_files(tmp_path: Path) -> None:
    batch = WriteBatch()
    batch.stage("a", tmp_path / "a.txt", b"a")
    assert len(_names(tmp_path)) == 1
    batch.close()
    assert _names(tmp_path) == []


def test_a_failed_rename_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = atomic.os.replace
    calls: list[int] = []

    def flaky_replace(src: Path, dst: Path) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("rename refused")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky_replace)
    batch = WriteBatch()
    for name in ("a", "b", "c"):
        batch.stage(name, tmp_path / f"{name}.txt", name.encode())
    with pytest.raises(OSError, match="rename refused"):
        batch.commit()
    assert _names(tmp_path) == ["a.txt"]  # the first landed whole; nothing else is left behind
