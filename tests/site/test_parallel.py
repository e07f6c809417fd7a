"""Profiles rendered by forked children while the parent builds the rest (CORE-80)."""

from __future__ import annotations

import dataclasses
import gc
import os
from pathlib import Path

import pytest

from leaderboard.site import BuildOptions, build_site, render
from leaderboard.site.output import MANIFEST


def _files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_shared_profile_queue_gives_identical_site(
    site_inputs: BuildOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = build_site(site_inputs)
    monkeypatch.setattr(render, "CHUNK", 1)  # many chunks: parent and children both take some
    other = dataclasses.replace(site_inputs, out=tmp_path / "par", workers=3)
    parallel = build_site(other)
    a, b = _files(site_inputs.out), _files(other.out)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k] and k.name != MANIFEST] == []
    assert parallel.rendered == serial.rendered and parallel.pages == serial.pages


def test_failing_stage_stops_the_profile_pool(
    site_inputs: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaderboard.site import media

    def broken(state: object) -> None:
        raise RuntimeError("feeds exploded")

    monkeypatch.setattr(media, "write_feeds", broken)
    with pytest.raises(RuntimeError, match="feeds exploded"):
        build_site(dataclasses.replace(site_inputs, workers=2))
    assert gc.get_freeze_count() == 0  # the profile job's gc.freeze was undone
    with pytest.raises(ChildProcessError):  # and no forked renderer is left behind
        os.waitpid(-1, os.WNOHANG)
