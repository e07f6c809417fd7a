"""Hostile JSONL lines (issue 15 items 4, 5): each is a problem naming file and line."""

from __future__ import annotations

from pathlib import Path

from datarepo.helpers import snapshot_of
from leaderboard.inputlimits import MAX_LINE_BYTES


def test_jsonl_hostile_lines_name_file_and_line(upstream_repo: Path) -> None:
    path = upstream_repo / "activities" / "contributors" / "alice.jsonl"
    head = '{"slug":"h%d","contributor":"alice","activity_definition":"pr_opened",'
    tail = '"occurred_at":"2024-05-01T04:30:00.000Z"'
    lines = [
        head % 1 + tail + ',"meta":' + "[" * 400 + "]" * 400 + "}",
        head % 2 + tail + ',"meta":' + "[" * 1000 + "]" * 1000 + "}",
        head % 3 + '"title":"\\ud800x",' + tail + "}",
        head % 4 + tail + ',"text":"' + "x" * MAX_LINE_BYTES + '"}',
    ]
    original = path.read_text()
    path.write_text(original + "\n".join(lines) + "\n")
    first = original.count("\n") + 1
    snap = snapshot_of(upstream_repo)
    got = [(p.path, p.line, p.code) for p in snap.problems]
    rel = "activities/contributors/alice.jsonl"
    assert got == [
        (rel, first, "too-deep"),
        (rel, first + 1, "too-deep"),
        (rel, first + 2, "invalid-string"),
        (rel, first + 3, "too-large"),
    ]
