"""Adopting a data repository written by upstream changes no file (CORE-45, CORE-54).

Upstream appended JSONL lines in insertion order, so its files hold the very lines our export
renders, in another order. `run import export` must keep every such file (bytes and mtime); a
contributor whose rows change is rewritten in the canonical order.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

from e2e import Runner, tree

UPSTREAM = Path(__file__).parents[1] / "fixtures" / "repos" / "upstream"
DEFINITIONS = ("comment_created", "pr_merged", "pr_opened")
PEOPLE = (
    "alice",
    "bob",
    "dependabot[bot]",
    "krishnaprasad-venkataraman-1987",
    "MaryO",
    "zz-top",
    "x",
)
OLD_MTIME_NS = 1_600_000_000_000_000_000  # 2020-09-13: far from now, equal for every file


def _upstream_line(obj: dict[str, object]) -> str:
    """What upstream's `JSON.stringify` wrote: compact, key order as given, UTF-8 as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def _activities(rng: random.Random, user: str, count: int) -> list[dict[str, object]]:
    out = []
    for i in range(count):
        day = rng.randrange(1, 29)
        # A few activities share a timestamp, so the slug decides their export order.
        hour = 0 if i % 7 == 0 else rng.randrange(24)
        definition = rng.choice(DEFINITIONS)
        out.append(
            {
                "slug": f"{user}-{definition}-{rng.randrange(10**9)}",
                "contributor": user,
                "activity_definition": definition,
                "title": rng.choice([None, "Fix the build — ünïcode", 'Quote "this"']),
                "occurred_at": f"2023-{rng.randrange(1, 13):02d}-{day:02d}T{hour:02d}:00:00.000Z",
                "link": rng.choice([None, f"https://github.com/org/repo/pull/{i}"]),
                "text": rng.choice([None, "LGTM\nline two"]),
                "points": rng.choice([None, 1, 10]),
                "meta": rng.choice([None, {"repo": "org/repo", "n": i}]),
            }
        )
    return out


def upstream_repo(root: Path, seed: int = 3) -> Path:
    """The upstream fixture grown into an organisation: a few very active people, a bot, a
    long username, a long tail; every JSONL file in a shuffled (insertion) order."""
    rng = random.Random(seed)
    shutil.copytree(UPSTREAM, root)
    counts = {"alice": 240, "bob": 90, "dependabot[bot]": 60}
    for user in PEOPLE:
        profile = root / "contributors" / f"{user}.md"
        if not profile.exists():
            profile.write_text(f"---\nname: {user.title()}\nrole: core\n---\n", encoding="utf-8")
        rows = _activities(rng, user, counts.get(user, rng.randrange(1, 4)))
        path = root / "activities" / "contributors" / f"{user}.jsonl"
        if path.exists():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        rng.shuffle(rows)
        path.write_text("".join(_upstream_line(r) for r in rows), encoding="utf-8")
    for rel in ("aggregates/contributors/alice.jsonl", "badges/contributors/alice.jsonl"):
        path = root / rel
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(reversed(lines)), encoding="utf-8")
    for path in root.rglob("*"):
        os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return root


def _canonical_order(path: Path) -> bool:
    keys = [
        (o["occurred_at"], o["slug"].encode())
        for o in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]
    return keys == sorted(keys)


def test_core_45_adopted_upstream_repo_changes_no_file(tmp_path: Path, cli: Runner) -> None:
    data = upstream_repo(tmp_path / "data")
    shuffled = data / "activities" / "contributors" / "alice.jsonl"
    assert not _canonical_order(shuffled)  # the test data really is out of export order
    before = tree(data)
    out = cli("run", "import", "export", "-d", str(data), now="2024-06-01T12:00:00Z")
    assert out.returncode == 0, out.stderr
    assert tree(data) == before  # every byte and every mtime
    # A second run (the working DB now remembers the files) and one from an empty DB.
    assert cli("run", "import", "export", "-d", str(data)).returncode == 0
    assert tree(data) == before
    (data / ".leaderboard.db").unlink()
    assert cli("run", "import", "export", "-d", str(data)).returncode == 0
    assert tree(data) == before


def test_core_45_contributor_with_a_changed_row_is_rewritten_in_canonical_order(
    tmp_path: Path, cli: Runner
) -> None:
    data = upstream_repo(tmp_path / "data")
    assert cli("run", "import", "export", "-d", str(data)).returncode == 0
    before = tree(data)
    # A new activity for bob arrives in a legacy flat file (which file holds a line does not
    # matter, CORE-44): bob's rows change, nobody else's do.
    new = _activities(random.Random(99), "bob", 1)[0]
    flat = data / "activities" / "bob.jsonl"
    flat.write_text(_upstream_line(new), encoding="utf-8")
    out = cli("run", "import", "export", "-d", str(data))
    assert out.returncode == 0, out.stderr
    after = tree(data)
    bob = "activities/contributors/bob.jsonl"
    assert sorted(k for k in after.keys() | before.keys() if after.get(k) != before.get(k)) == [bob]
    assert not flat.exists()
    assert _canonical_order(data / bob)
    lines = (data / bob).read_bytes().splitlines(keepends=True)
    assert sorted(lines) == sorted(
        [*before[bob][0].splitlines(keepends=True), _upstream_line(new).encode()]
    )
