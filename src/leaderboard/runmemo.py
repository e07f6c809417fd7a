"""A `run` whose inputs and working DB are exactly as the previous run left them does nothing
(CORE-80: a second run with no data change in well under a second; NEW-09: it writes no file).

A run is a deterministic function of the data files, the effective configuration, the package
version, `now`, its options and the working DB (CORE-81). When the previous run ended without any
problem, and neither the files nor the DB changed since, running again would import rows the DB
already holds, compute the same aggregates and awards and export the same bytes: nothing. So the
end of such a run records, in its `_run` row (the one table outside CORE-81's determinism):

- `key`: a sha256 over the package version, `now`, the options that change a run, the effective
  configuration (env substitution included) and the path and sha256 of every data file as the
  run left them (after export), found exactly as the reader finds them (`layout.discover`);
- `db_counter`: SQLite's file change counter (bytes 24-27 of the header) after that row's own
  write. In rollback-journal mode SQLite adds one to it for every committed write transaction,
  whichever process writes, so an unchanged counter proves that nothing wrote to the DB since.

The next run computes the same key and reads the counter before opening the DB; when both match
it records a `_run` row and stops. Anything else takes the full path: plugins (a scrape reads the
network), a subset of phases, any problem or warning, a WAL-mode or hot-journalled DB, a file that
cannot be read, another `now`. Only content counts, never modification times, so a `touch` or a
checkout costs nothing but a full run is never skipped on a stale stat.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from leaderboard import __version__
from leaderboard.config.model import Config
from leaderboard.datarepo import layout
from leaderboard.db import Database
from leaderboard.timeutil import canonical

MEMO = "unchanged"  # the key of the record in the `_run` summary JSON
_HEADER = 100
_ROLLBACK_JOURNAL = 1  # header bytes 18-19 (write/read format): 1 legacy journal, 2 WAL


def eligible(settings: Any, config: Config) -> bool:
    """Runs whose result depends on nothing but the key: every phase, no plugin configured."""
    from leaderboard.pipeline import PHASES

    return (
        tuple(settings.phases) == PHASES
        and not settings.selected_plugins
        and not config.leaderboard.plugins
        and settings.db_path != ":memory:"
    )


def data_files(data_dir: Path) -> list[str] | None:
    """`config.yaml` and every data file, found as the reader finds them; None on any problem."""
    found = layout.discover(data_dir)
    if found.problems:
        return None
    return ["config.yaml", *sorted(found.all_files())]


def digest_files(data_dir: Path, rels: list[str]) -> dict[str, str] | None:
    """sha256 of each file, or None when one cannot be read."""
    out: dict[str, str] = {}
    for rel in rels:
        raw, problem = layout.read_raw(data_dir, rel)
        if raw is None or problem is not None:
            return None
        out[rel] = hashlib.sha256(raw).hexdigest()
    return out


def key_of(settings: Any, config: Config, digests: dict[str, str]) -> str:
    """The key described in the module docstring."""
    h = hashlib.sha256()
    for part in (
        __version__,
        canonical(settings.now),
        f"strict={bool(settings.strict)} skip_invalid={bool(settings.skip_invalid)}",
        repr(config),
        *(f"{rel}\0{digests[rel]}" for rel in sorted(digests)),
    ):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def digests_before_reading(settings: Any, config: Config) -> dict[str, str] | None:
    """At the start of an eligible run: sha256 of `config.yaml` and of every data file that is
    neither a JSONL record file nor a profile (the definition files). The reader digests the
    JSONL files and the profiles itself, from the very bytes it imports. A file that changes
    while the run reads it thus keeps the digest of what the DB may hold, and the next run sees
    a difference."""
    if not eligible(settings, config):
        return None
    files = data_files(settings.data_dir)
    if files is None:
        return None
    return digest_files(settings.data_dir, [f for f in files if not _read_and_digested(f)])


def _read_and_digested(rel: str) -> bool:
    """Files whose digest the reader takes from the bytes it parses (`key_after_run`)."""
    return rel.endswith(".jsonl") or (
        rel.startswith(layout.CONTRIBUTORS_DIR + "/") and rel.endswith(".md")
    )


def key_after_run(
    settings: Any, config: Config, before: dict[str, str], snapshot: Any, exported: Any
) -> str | None:
    """The key of the files as this run leaves them: digests from before reading, the reader's
    digests of the JSONL files, and the digests of what export wrote; None when some data file
    present now is not covered by them (it appeared during the run)."""
    digests = dict(before)
    digests.update(snapshot.profile_digests)
    for states in snapshot.file_states.values():
        for rel, state in states.items():
            digests[rel] = state.digest
    for rel in exported.deleted:
        digests.pop(rel, None)
    for rel, file_digest in exported.digests.items():
        if not file_digest:
            return None
        digests[rel] = file_digest
    files = data_files(settings.data_dir)
    if files is None or set(files) != set(digests):
        return None
    return key_of(settings, config, digests)


def change_counter(db_path: str) -> int | None:
    """The DB file's change counter, or None when it cannot prove "no write since": no file, not
    in rollback-journal mode, or a journal or WAL file next to it (an unfinished write).

    Read with a plain file read: call it only while this process has no connection to the DB
    (closing a second descriptor would drop that connection's POSIX locks).
    """
    path = Path(db_path)
    for suffix in ("-journal", "-wal"):
        if Path(f"{db_path}{suffix}").exists():
            return None
    try:
        with path.open("rb") as fh:
            header = fh.read(_HEADER)
    except OSError:
        return None
    if len(header) < _HEADER or not header.startswith(b"SQLite format 3\0"):
        return None
    if header[18] != _ROLLBACK_JOURNAL or header[19] != _ROLLBACK_JOURNAL:
        return None
    return int.from_bytes(header[24:28], "big")


def recorded(db_path: str) -> dict[str, Any] | None:
    """The memo of the DB's last `_run` row when that run succeeded, read-only; else None."""
    last_run = "SELECT status, summary FROM _run ORDER BY id DESC LIMIT 1"
    row = Database.peek(db_path, lambda db: db.execute(last_run).fetchone())
    if row is None or row[0] != "ok" or not isinstance(row[1], str):
        return None
    try:
        memo = json.loads(row[1]).get(MEMO)
    except (ValueError, AttributeError):
        return None
    return memo if isinstance(memo, dict) else None


def unchanged_since_last_run(settings: Any, config: Config) -> str | None:
    """The key when this run would change nothing (module docstring), else None."""
    if not eligible(settings, config):
        return None
    memo = recorded(settings.db_path)
    if memo is None:
        return None
    counter = change_counter(settings.db_path)
    if counter is None or memo.get("db_counter") != counter:
        return None
    files = data_files(settings.data_dir)
    digests = None if files is None else digest_files(settings.data_dir, files)
    if digests is None:
        return None
    key = key_of(settings, config, digests)
    return key if memo.get("key") == key else None


def memo_for(key: str, db_path: str) -> dict[str, Any] | None:
    """What to record in the `_run` row about to be written (one write transaction, which adds
    one to the counter); None when the counter cannot be trusted. No connection may be open."""
    counter = change_counter(db_path)
    if counter is None:
        return None
    return {"key": key, "db_counter": (counter + 1) & 0xFFFFFFFF}
