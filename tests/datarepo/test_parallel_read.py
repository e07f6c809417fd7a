"""Reading JSONL files in two processes (forkmap) gives exactly the sequential snapshot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from datarepo.helpers import NOW, both_processes_read, make_config, snapshot_of
from leaderboard import forkmap
from leaderboard.datarepo import import_snapshot, read_repo, reader
from leaderboard.datarepo.snapshot import UNSHIPPED, RepoSnapshot, Unit
from leaderboard.db import Database
from leaderboard.declarations import Declarations

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


@pytest.mark.parametrize("combined", [True, False])
def test_forked_read_equals_sequential_read(
    upstream_repo: Path, monkeypatch: pytest.MonkeyPatch, combined: bool, tmp_path: Path
) -> None:
    """Profiles and activity files read in one fork map (a repository of at most
    `COMBINED_READ_MAX_BYTES`), or each in its own, give the snapshot of one process."""
    _add_contributors(upstream_repo, 60)
    if not combined:
        monkeypatch.setattr(reader, "COMBINED_READ_MAX_BYTES", 0)
    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 1 << 60)
    monkeypatch.setattr(reader, "PARALLEL_PROFILE_BYTES", 1 << 60)
    sequential = _facts(snapshot_of(upstream_repo))

    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 0)
    monkeypatch.setattr(reader, "PARALLEL_PROFILE_BYTES", 0)
    monkeypatch.setattr(forkmap, "usable_cores", lambda: 2)
    forks = both_processes_read(monkeypatch, tmp_path)
    forked = _facts(snapshot_of(upstream_repo))

    assert len(forks) == (1 if combined else 2)  # profiles and activity files really were shared
    assert forked == sequential
    codes = {p.code for p in sequential["problems"]}
    assert len(sequential["problems"]) >= 4 and len(codes) >= 3
    assert sequential["invalid"]


def test_check_only_read_reports_what_a_full_read_reports(
    upstream_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`validate` (import_rows=False): the forked child sends no activity rows back, yet every
    problem is the same, repeated slugs included (identical ones are compared by reading the
    file again), and such a snapshot cannot be imported."""
    _add_contributors(upstream_repo, 60)
    acts = upstream_repo / "activities/contributors"
    late = (acts / "user055.jsonl").read_text().splitlines()[2]
    with (acts / "user056.jsonl").open("a") as fh:  # both copies read by the child
        fh.write(late + "\n")
    other = (acts / "user054.jsonl").read_text().splitlines()[1]
    with (acts / "user057.jsonl").open("a") as fh:  # same slug, another title: a conflict
        fh.write(other.replace('"title":"t1"', '"title":"changed"') + "\n")
    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 1 << 60)
    monkeypatch.setattr(reader, "PARALLEL_PROFILE_BYTES", 1 << 60)
    full = _facts(snapshot_of(upstream_repo))

    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 0)
    monkeypatch.setattr(forkmap, "usable_cores", lambda: 2)
    forks = both_processes_read(monkeypatch, tmp_path, until="user056.jsonl")
    checked = read_repo(
        upstream_repo,
        config=make_config(timezone="Asia/Kolkata"),
        declarations=Declarations(),
        now=NOW,
        import_rows=False,
    )
    assert len(forks) == 1  # the activity files; the profiles are too few to share
    facts = _facts(checked)
    rows = [u[3] for u in facts["units"]["activity"]]
    assert UNSHIPPED in rows  # the rows the child read stayed in the child
    assert any(r not in (UNSHIPPED, ()) for r in rows)  # the parent's are its own
    strip = {**facts["units"], "activity": None}
    assert strip == {**full["units"], "activity": None}
    assert [(p, line, k, v) for p, line, k, _, v in facts["units"]["activity"]] == [
        (p, line, k, v) for p, line, k, _, v in full["units"]["activity"]
    ]
    assert {k: v for k, v in facts.items() if k != "units"} == {
        k: v for k, v in full.items() if k != "units"
    }
    codes = [p.code for p in checked.problems]
    assert codes.count("duplicate-identical") == 2 and "duplicate-slug" in codes
    with pytest.raises(ValueError, match="no rows to import"):
        import_snapshot(
            Database.memory(),
            checked,
            declarations=Declarations(),
            config=make_config(timezone="Asia/Kolkata"),
        )


def test_check_only_read_sees_a_line_changed_under_it(
    upstream_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repeated slug whose unshipped row can no longer be read back as it was (the file
    changed between the two reads) is a conflict, never silently 'identical'."""
    row = ("a", "b")
    unit = Unit("activity", "activities/contributors/gone.jsonl", 3, "a", UNSHIPPED)
    snap = RepoSnapshot(data_dir=upstream_repo, import_rows=False)
    snap.line_context = snapshot_of(upstream_repo).line_context
    again = reader._shipped_row(snap, "activity", unit, {})
    assert again != row and again != UNSHIPPED
    assert reader._shipped_row(snap, "activity", Unit("activity", "x", 1, "a", row), {}) is row


def test_profile_digests_are_of_the_bytes_parsed(
    upstream_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """runmemo.py keys a run on the sha256 of each profile as the reader parsed it (forked or
    not): a profile edited while the run reads it is then seen as changed by the next run."""
    import hashlib

    _add_contributors(upstream_repo, 60)
    monkeypatch.setattr(reader, "PARALLEL_READ_BYTES", 0)
    monkeypatch.setattr(forkmap, "usable_cores", lambda: 2)
    snap = snapshot_of(upstream_repo)
    profiles = sorted((upstream_repo / "contributors").glob("*.md"))
    assert snap.profile_digests == {
        f"contributors/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in profiles
    }
