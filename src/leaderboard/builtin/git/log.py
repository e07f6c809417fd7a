"""Reading commits with the `git` executable (ECO-56).

One `git log` per repository streams control-character separated records: U+001E starts a record,
U+001F separates its fields, U+001D separates co-author trailers, and the `--numstat` lines that
follow a record give its size. Names and e-mails are the `.mailmap`-mapped `%aN`/`%aE`. Running git
itself (rather than a library such as pygit2) keeps mailmap, trailers and numstat exactly as the
user's own `git log` shows them, and needs nothing but git ≥ 2.22.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import select
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, NamedTuple

from leaderboard.errors import PluginError
from leaderboard.forkmap import usable_cores
from leaderboard.timeutil import canonical

FORMAT = (
    "--format=%x1e%H%x1f%aI%x1f%aN%x1f%aE%x1f%s%x1f"
    "%(trailers:key=Co-authored-by,valueonly,separator=%x1d)%x1f"
)
# Pinned so a user's git configuration cannot change what is counted (deterministic output).
_CONFIG = (
    "-c",
    "core.quotePath=false",
    "-c",
    "diff.renames=true",
    "-c",
    "log.showSignature=false",
)
_CONTACT = re.compile(r"^\s*(.*?)\s*<([^<>\s]+@[^<>\s]*|[^<>\s]+)>\s*$")


class Commit(NamedTuple):
    """One commit as `git log` printed it (a tuple: 100,000 of them are built per full read)."""

    sha: str
    author_date: str  # strict ISO 8601 with offset, as git prints %aI
    name: str
    email: str
    subject: str
    co_authors: tuple[tuple[str, str], ...]  # (name, email), as written in the trailers
    insertions: int
    deletions: int
    files_changed: int


def git_env() -> dict[str, str]:
    """The environment for every git call: C locale, no pager, no prompts, no system editor."""
    env = dict(os.environ)
    env.update(
        {
            "LC_ALL": "C",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
        }
    )
    return env


def run_git(
    path: Path,
    *args: str,
    check: bool = True,
    stdin: bytes | IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`git -C <path> <args>` with `git_env()`; a missing git executable is a PluginError.
    Input is `stdin` (bytes, or a file to read); output is captured, or written to `stdout` when
    given (its `.stdout` is then None)."""
    command = ["git", "-C", str(path), *_CONFIG, *args]
    out = subprocess.PIPE if stdout is None else stdout
    try:
        if stdin is None or isinstance(stdin, bytes):
            done = subprocess.run(
                command, input=stdin, stdout=out, stderr=subprocess.PIPE, env=git_env()
            )
        else:
            done = subprocess.run(
                command, stdin=stdin, stdout=out, stderr=subprocess.PIPE, env=git_env()
            )
    except FileNotFoundError:
        raise PluginError(
            "the git executable was not found on PATH (the git plugin needs git >= 2.22)"
        ) from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PluginError(f"git {' '.join(args[:2])} failed in {path}: {' '.join(message[-2:])}")
    return done


def repository_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a git work tree (ECO-55), or None."""
    if not path.exists():
        return "path does not exist"
    if not path.is_dir():
        return "path is not a directory"
    done = run_git(path, "rev-parse", "--is-inside-work-tree", "--show-toplevel", check=False)
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if done.returncode != 0 or len(lines) < 2 or lines[0] != "true":
        return "not a git work tree (no .git found)"
    if Path(lines[1]).resolve() != path.resolve():
        return f"not the top of a git work tree (the repository is {lines[1]})"
    shallow = run_git(path, "rev-parse", "--is-shallow-repository", check=False)
    if shallow.stdout.strip() == b"true":
        return (
            "is a shallow clone: its history is cut off, so commits and their sizes would be "
            "wrong; run `git fetch --unshallow` (in GitHub Actions: actions/checkout with "
            "fetch-depth: 0)"
        )
    return None


def resolve_refs(path: Path, refs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Each ref's commit sha, and the refs that name no commit."""
    found: dict[str, str] = {}
    missing: list[str] = []
    for ref in refs:
        done = run_git(path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        sha = done.stdout.decode("ascii", "replace").strip()
        if done.returncode == 0 and sha:
            found[ref] = sha
        else:
            missing.append(ref)
    return found, missing


def is_commit(path: Path, sha: str) -> bool:
    """True when `sha` still names a commit in the repository (history may have been rewritten)."""
    done = run_git(path, "cat-file", "-e", f"{sha}^{{commit}}", check=False)
    return done.returncode == 0


def rev_args(
    include: Sequence[str], exclude: Sequence[str], *, merges: bool, since: str | None
) -> list[str]:
    """The revision selection shared by `git log` and `git rev-list --count`."""
    args = [*include]
    if not merges:
        args.append("--no-merges")
    if since:
        args.append(f"--since={since}")
    if exclude:
        args.append("--not")
        args.extend(exclude)
    return args


def log_args(
    include: Sequence[str], exclude: Sequence[str], *, merges: bool, since: str | None
) -> list[str]:
    """The `git log` arguments of ECO-56 for commits reachable from `include` but not `exclude`."""
    selection = rev_args(include, exclude, merges=merges, since=since)
    return ["log", "--date=iso-strict", FORMAT, "--numstat", "--no-textconv", *selection]


_LISTED = re.compile(r"^\x1f([^\x1f\n]*)\x1f([^\x1f\n]*)$", re.M)  # `rev-list` lines: sha, %aI
_NUMSTAT = re.compile(r"^([0-9]+|-)\t([0-9]+|-)\t", re.M)
_BLANK = " \t\n\r\x0b\x0c"  # what bytes.strip() strips (str.strip() would also take \x1c-\x1f)


def parse_contact(text: str) -> tuple[str, str] | None:
    """`Name <email>` from a trailer value, or None when it names no address."""
    match = _CONTACT.match(text)
    if not match or not match.group(2):
        return None
    return match.group(1), match.group(2)


def parse_records(data: bytes) -> Iterator[Commit]:
    """Commits from `git log` output in the ECO-56 format.

    The output is decoded once ("replace": every field is text, and invalid UTF-8 ends at the
    ASCII separators either way, so this is the same as decoding field by field)."""
    numstat = _NUMSTAT.findall
    make = tuple.__new__  # Commit(...) without the keyword-handling constructor: 100,000 calls
    for chunk in data.decode("utf-8", "replace").split("\x1e"):
        fields = chunk.split("\x1f", 6)
        if len(fields) < 7:
            if not chunk.strip(_BLANK):
                continue
            raise PluginError(f"unexpected git log record: {chunk[:80].encode()!r}")
        sha, date, name, email, subject, trailers, stats = fields
        insertions = deletions = files = 0
        for added, removed in numstat(stats):
            files += 1
            if added != "-":  # binary files show "-": they count as 0 lines
                insertions += int(added)
            if removed != "-":
                deletions += int(removed)
        co_authors: tuple[tuple[str, str], ...] = ()
        if trailers:
            found = []
            for value in trailers.split("\x1d"):
                contact = parse_contact(value) if value.strip() else None
                if contact is not None:
                    found.append(contact)
            co_authors = tuple(found)
        yield make(
            Commit, (sha, date, name, email, subject, co_authors, insertions, deletions, files)
        )


# Commits from which the listed history is read in slices, and read ahead while it is listed
# (a first read of 5,000 commits takes two 2,500-commit slices).
PARALLEL_FROM = 5_000
# Commits per parallel slice. Small slices cost git less CPU in total: a `git log` process keeps
# every commit and tree it has parsed, so a long one works on an ever larger heap (245 MB for
# 100,000 commits, 32 MB for 2,500). Measured on the 100,000-commit benchmark repository, the same
# commits as slices of 100,000 / 12,500 / 2,500 / 1,000 took about 6.2 / 5.8 / 4.9 / 5.3 CPU-s of
# git (below 2,000, process start-up and page faults win back what is saved).
SLICE_MIN, SLICE_MAX = 1_000, 2_500
IN_FLIGHT = 3  # slices per worker handed to git ahead of the one being stored
LIST_POLL = 0.005  # seconds between reads of what `git rev-list` has printed so far

Dated = tuple[str, Commit]  # (canonical UTC author date, commit)


@functools.lru_cache(maxsize=4096)
def occurred(author_date: str) -> str:
    """The canonical UTC timestamp of git's strict ISO 8601 author date (`%aI`, whole seconds)."""
    if author_date.endswith(("+00:00", "Z")) and len(author_date) in (20, 25):
        return author_date[:19] + ".000Z"  # already UTC: most CI and bot commits
    return canonical(datetime.fromisoformat(author_date).astimezone(UTC))


def _in_order(commits: Iterator[Commit], since: str | None) -> list[Dated]:
    dated = [(occurred(c.author_date), c) for c in commits]
    if since:
        dated = [d for d in dated if d[0] >= since]
    dated.sort(key=lambda d: (d[0], d[1].sha))
    return dated


def read_dated(
    path: Path, args: Sequence[str], *, since: str | None = None, workers: int | None = None
) -> tuple[int, Iterator[list[Dated]]]:
    """The commits `git log` with `args` (from `log_args`) prints, authored at or after `since`,
    as (occurred_at, commit) pairs in (occurred_at, sha) order (ECO-57): their number, and the
    pairs in consecutive chunks.

    Computing `--numstat` dominates a large first read, and git does it on one core. With more
    than one usable core, `git rev-list` first lists the commits with their author dates (cheap:
    no diffs); for `PARALLEL_FROM` commits or more (or when some were read ahead) they are sorted, and consecutive slices of
    that order are printed by `workers` `git log --no-walk=unsorted --stdin` processes at once —
    the same records, since each commit is still diffed against its parent. Chunks come back in
    order while later slices are still being read, so the caller's work overlaps git's.

    While `rev-list` runs (one core), the other cores are not left idle: once the listing is
    long enough to be sliced, the commits it has printed so far (the newest) are read ahead by
    up to `workers - 1` processes; the slices that need them later take them from there.
    """
    workers = min(usable_cores() if workers is None else workers, 4)
    if workers > 1:
        cut = args.index("--no-textconv") + 1
        options, selection = list(args[:cut]), list(args[cut:])
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            listed, early = _list(path, options, selection, pool, workers - 1)
            order = [(occurred(date), sha) for sha, date in listed]
            if since:
                order = [pair for pair in order if pair[0] >= since]
            if early or len(order) >= PARALLEL_FROM:
                order.sort()
                return len(order), _sliced(path, options, order, workers, pool, early)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    dated = _in_order(parse_records(run_git(path, *args).stdout), since)
    return len(dated), iter([dated])


Early = list[tuple[list[str], "Future[list[Commit]]"]]  # commits read ahead, and their records


def _read(path: Path, options: Sequence[str], shas: Sequence[str]) -> list[Commit]:
    """The commits `git log --no-walk=unsorted --stdin` prints for `shas`, in that order, parsed.

    Runs on a pool thread: parsing there overlaps the main thread's storing (SQLite releases the
    GIL while it inserts) instead of adding to it. Input, output and errors go through files,
    not pipes: while the main thread is busy with earlier slices, a pipe would fill up and stall
    git until a thread got the GIL to drain it."""
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out:
        given.write("".join(f"{sha}\n" for sha in shas).encode("ascii"))
        given.seek(0)
        run_git(path, *options, "--no-walk=unsorted", "--stdin", stdin=given, stdout=out)
        out.seek(0)
        return list(parse_records(out.read()))


def _exit_fd(pid: int) -> int | None:
    """A descriptor that becomes readable when process `pid` exits (Linux 5.3+), else None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _list(
    path: Path, options: Sequence[str], selection: Sequence[str], pool: Executor, spare: int
) -> tuple[list[tuple[str, str]], Early]:
    """`git rev-list` of `selection`: (sha, %aI) pairs as printed, and the slices read ahead
    with `pool` (at most `spare` at a time) while it ran.

    git prints into a temporary file, read every `LIST_POLL` seconds while it runs: through a
    pipe, rev-list's one write per commit woke this thread 75,000 times for 100,000 commits
    (0.19 CPU-s of reads alone), while a file never makes git wait for a reader."""
    listed: list[tuple[str, str]] = []
    early: Early = []
    ahead = 0  # listed commits already handed to a read-ahead
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as out:
        try:
            proc = subprocess.Popen(
                [
                    "git",
                    "-C",
                    str(path),
                    *_CONFIG,
                    "rev-list",
                    "--format=%x1f%H%x1f%aI",
                    *selection,
                ],
                stdout=out,
                stderr=errors,
                env=git_env(),
            )
        except FileNotFoundError:
            raise PluginError(
                "the git executable was not found on PATH (the git plugin needs git >= 2.22)"
            ) from None
        exited = _exit_fd(proc.pid)
        with proc, contextlib.ExitStack() as stack:
            if exited is not None:
                stack.callback(os.close, exited)
            fd, offset, rest = out.fileno(), 0, b""
            while True:
                finished = proc.poll() is not None  # before reading: then the read gets it all
                # pread: git's writes move the file offset it shares with `out`; ours is separate.
                while data := os.pread(fd, 1 << 20, offset):
                    offset += len(data)
                    data = rest + data
                    end = data.rfind(b"\n") + 1
                    rest = data[end:]
                    # One C-level scan per read (rev-list prints "commit <sha>" before each line).
                    listed.extend(_LISTED.findall(data[:end].decode("ascii")))
                if len(listed) >= PARALLEL_FROM:  # long enough to be worth slicing so far
                    running = sum(1 for _, future in early if not future.done())
                    while running < spare and len(listed) - ahead >= SLICE_MAX:
                        part = [sha for sha, _ in listed[ahead : ahead + SLICE_MAX]]
                        early.append((part, pool.submit(_read, path, options, part)))
                        ahead += SLICE_MAX
                        running += 1
                if finished:
                    break
                if exited is None:
                    time.sleep(LIST_POLL)
                else:  # wakes at once when git exits: a short listing is not held up
                    select.select([exited], [], [], LIST_POLL)
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise PluginError(f"git rev-list failed in {path}: {' '.join(message[-2:])}")
    return listed, early


def _sliced(
    path: Path,
    options: Sequence[str],
    order: list[tuple[str, str]],
    workers: int,
    pool: ThreadPoolExecutor,
    early: Early,
) -> Iterator[list[Dated]]:
    """Consecutive slices of `order`, each read by `pool` (the commits of `early`, read ahead,
    are taken from there), parsed and yielded in order; `pool` is shut down at the end."""
    size = min(max(-(-len(order) // (workers * 4)), SLICE_MIN), SLICE_MAX)
    slices = [order[i : i + size] for i in range(0, len(order), size)]
    ahead = {sha: n for n, (part, _) in enumerate(early) for sha in part}
    parsed: dict[int, dict[str, Commit]] = {}  # read-ahead commits by sha, when first needed

    def taken(n: int) -> dict[str, Commit]:
        if n not in parsed:
            parsed[n] = {c.sha: c for c in early[n][1].result()}
        return parsed[n]

    # Slices are handed to the pool at most `workers * IN_FLIGHT` ahead of the one being yielded:
    # enough to keep every worker busy, while git cannot pile up parsed commits faster than the
    # caller stores them (a long history would otherwise be held in memory all at once).
    window = workers * IN_FLIGHT
    outputs: dict[int, Future[list[Commit]] | None] = {}

    def submit(k: int) -> None:
        if k < len(slices):
            missing = [sha for _, sha in slices[k] if sha not in ahead]
            outputs[k] = pool.submit(_read, path, options, missing) if missing else None

    try:
        for k in range(window):
            submit(k)
        for k, part in enumerate(slices):
            output = outputs.pop(k)
            submit(k + window)
            commits = output.result() if output is not None else []
            if len(commits) != len(part):  # some were read ahead: put the slice together
                own = {c.sha: c for c in commits}
                found = [
                    taken(ahead[sha]).get(sha) if sha in ahead else own.get(sha) for _, sha in part
                ]
                commits = [c for c in found if c is not None]
            if [c.sha for c in commits] != [sha for _, sha in part]:
                raise PluginError(
                    f"git log in {path} did not print the commits git rev-list listed "
                    "(did the repository change while it was read?)"
                )
            yield [(when, c) for (when, _), c in zip(part, commits, strict=True)]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def read_commits(path: Path, args: Sequence[str], *, workers: int | None = None) -> list[Commit]:
    """Every commit `read_dated` reads, in its order (tests and the benchmark)."""
    _, chunks = read_dated(path, args, workers=workers)
    return [commit for chunk in chunks for _, commit in chunk]


def mailmap_contacts(
    path: Path, contacts: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """Co-author contacts mapped through the repository's `.mailmap` (`git check-mailmap`), so a
    renamed co-author resolves like a renamed author."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    unique = sorted(set(contacts))
    for start in range(0, len(unique), 200):
        batch = unique[start : start + 200]
        done = run_git(path, "check-mailmap", *[f"{n} <{e}>" for n, e in batch], check=False)
        lines = done.stdout.decode("utf-8", "replace").splitlines()
        if done.returncode != 0 or len(lines) != len(batch):
            continue  # keep them as written
        for contact, line in zip(batch, lines, strict=True):
            mapped = parse_contact(line)
            out[contact] = mapped if mapped is not None else contact
    return out
