"""Reading JSONL files in two processes (forkmap) gives exactly the sequential snapshot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from datarepo.helpers import snapshot_of
from leaderboard import forkmap
from leaderboard.datarepo import reader
from leaderboard.datarepo.snapshot import RepoSnapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _add_contributors(data_dir: Path, count: int) -> None:
    for i in range(count):
        name = f"user{i:03d}"
        (data_dir / f"contributors/{name}.md").write_text("---\nrole: contributor\n---\n")
        lines = [
            f'{{"slug":"{name}-{n}","contributor":"{name}","activity_definition":"pr_opened",'
            f'"title":"t{n}","occurred_at":"2024-05-0{1 + n % 9}T10:00:00.000Z","link":null,'
            f'"text":null,"points":null,"meta":null}}'
            for n in range(5)
        ]
        (data_dir / f"activities/contributors/{name}.jsonl").write_text("\n".join(lines) + "\n")
    acts = data_dir / "activities/contributors"
    with (acts / "user001.jsonl").open("a") as fh:  # early file: a broken line
        fh.write('{"slug": broken\n')
    with (acts / f"user{count - 2:03d}.jsonl").open("a") as fh:  # late file: unknown reference
        fh.write(
            '{"slug":"late-1","contributor":"nobody","activity_definition":"pr_opened",'
            '"title":null,"occurred_at":"2024-05-01T10:00:00.000Z","link":null,"text":null,'
            '"points":null,"meta":null}\n'
        )
    (acts / f"user{count - 1:03d}.jsonl").write_bytes(b'{"slug":"\xff"}\n')  # late: bad UTF-8
    people = data_dir / "contributors"
    (people / f"user{count - 1:03d}.md").write_text("---\nrole: [unclosed\n---\n")  # late
    (people / "zz top.md").write_text("---\nrole: contributor\n---\n")  # invalid username
    (people / "people.md").write_text("---\nrole: contributor\n---\n")  # reserved
    with (acts / f"user{count - 3:03d}.jsonl").open("a") as fh:  # same slug as an early line
        fh.write(
            (acts / "user000.jsonl").read_text().splitlines()[0].replace("user000", "x") + "\n"
        )
        fh.write((acts / "user000.jsonl").read_text().splitlines()[1] + "\n")


def _facts(snap: RepoSnapshot) -> dict[str, Any]:
    return {
        "units": {
            kind: [(u.path, u.line, u.key, u.row, u.valid) for u in units]
            for kind, units in snap.units.items()
        },
        "problems": snap.problems,
        "files": snap.files,
        "states": snap.file_states,
        "export_form": sorted(snap.export_form),
        "invalid": sorted(snap.invalid_files),
    }


def test_forked_read_equals_sequential_read(
    upstream_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_contributors(upstream_repo, 60)
    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 1 << 60)
    monkeypatch.setattr(reader, "PARALLEL_PROFILE_BYTES", 1 << 60)
    sequential = _facts(snapshot_of(upstream_repo))

    forks: list[int] = []
    real_start = forkmap._Child.start

    def counting_start(*args: Any) -> Any:
        forks.append(1)
        return real_start(*args)

    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 0)
    monkeypatch.setattr(reader, "PARALLEL_PROFILE_BYTES", 0)
    monkeypatch.setattr(forkmap, "_usable_cores", lambda: 2)
    monkeypatch.setattr(forkmap._Child, "start", counting_start)
    forked = _facts(snapshot_of(upstream_repo))

    assert len(forks) == 2  # profiles and activities really were split
    assert forked == sequential
    codes = {p.code for p in sequential["problems"]}
    assert len(sequential["problems"]) >= 4 and len(codes) >= 3
    assert sequential["invalid"]
