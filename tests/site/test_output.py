"""`site.output`: large files (the public DB) are compared and copied in chunks, never held."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderboard.site import output
from leaderboard.site.output import FileState, SiteWriter, copy_if_changed, sha256_file


def _source(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "public.db"
    path.write_bytes(data)
    return path


def test_copy_writes_records_and_skips_equal_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000  # more than one chunk
    source = _source(tmp_path, data)
    writer = SiteWriter(tmp_path / "site")
    assert writer.copy("data.db", source) is True
    assert (tmp_path / "site/data.db").read_bytes() == data
    assert writer.files["data.db"] == sha256_file(source) == output.sha256_hex(data)

    mtime = (tmp_path / "site/data.db").stat().st_mtime_ns
    again = SiteWriter(tmp_path / "site")  # no trusted manifest: compared byte by byte
    assert again.copy("data.db", source) is False
    assert (tmp_path / "site/data.db").stat().st_mtime_ns == mtime
    assert again.unchanged == 1 and again.written == []


def test_copy_rewrites_a_file_that_differs_even_in_one_byte(tmp_path: Path) -> None:
    source = _source(tmp_path, b"x" * 100_000)
    (tmp_path / "site").mkdir()
    (tmp_path / "site/data.db").write_bytes(b"x" * 99_999 + b"y")
    writer = SiteWriter(tmp_path / "site")
    assert writer.copy("data.db", source) is True
    assert (tmp_path / "site/data.db").read_bytes() == b"x" * 100_000
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["data.db"]  # no temp left


def test_copy_trusts_the_previous_build_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path, b"db bytes")
    writer = SiteWriter(tmp_path / "site")
    writer.copy("data.db", source)
    previous = FileState(files=dict(writer.stats), saved_ns=1 << 62)

    def no_compare(*args: object) -> bool:
        raise AssertionError("a trusted file must not be read")

    monkeypatch.setattr(output, "same_bytes", no_compare)
    again = SiteWriter(tmp_path / "site", previous=previous)
    assert again.copy("data.db", source) is False
    source.write_bytes(b"new bytes")  # the source changed: copied despite the trusted stat
    assert again.copy("data.db", source) is True
    assert (tmp_path / "site/data.db").read_bytes() == b"new bytes"


def test_copy_if_changed(tmp_path: Path) -> None:
    source = _source(tmp_path, b"abc")
    target = tmp_path / "out/upload.db"
    assert copy_if_changed(source, target) is True
    assert copy_if_changed(source, target) is False
    assert target.read_bytes() == b"abc"
