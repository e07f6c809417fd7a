"""Reading commits with the `git` executable (ECO-56).

One `git log` per repository streams control-character separated records: U+001E starts a record,
U+001F separates its fields, U+001D separates co-author trailers, and the `--numstat` lines that
follow a record give its size. Names and e-mails are the `.mailmap`-mapped `%aN`/`%aE`. Running git
itself (rather than a library such as pygit2) keeps mailmap, trailers and numstat exactly as the
user's own `git log` shows them, and needs nothing but git ≥ 2.22.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from leaderboard.errors import PluginError

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


def run_git(path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """`git -C <path> <args>` with `git_env()`; a missing git executable is a PluginError."""
    try:
        done = subprocess.run(
            ["git", "-C", str(path), *_CONFIG, *args],
            capture_output=True,
            env=git_env(),
            check=False,
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


_NUMSTAT = re.compile(rb"^([0-9]+|-)\t([0-9]+|-)\t", re.M)


def parse_contact(text: str) -> tuple[str, str] | None:
    """`Name <email>` from a trailer value, or None when it names no address."""
    match = _CONTACT.match(text)
    if not match or not match.group(2):
        return None
    return match.group(1), match.group(2)


def parse_records(data: bytes) -> Iterator[Commit]:
    """Commits from `git log` output in the ECO-56 format."""
    numstat = _NUMSTAT.findall
    for chunk in data.split(b"\x1e"):
        if not chunk.strip():
            continue
        fields = chunk.split(b"\x1f", 6)
        if len(fields) < 7:
            raise PluginError(f"unexpected git log record: {chunk[:80]!r}")
        sha, date, name, email, subject, trailers, stats = fields
        insertions = deletions = files = 0
        for added, removed in numstat(stats):
            files += 1
            if added != b"-":  # binary files show "-": they count as 0 lines
                insertions += int(added)
            if removed != b"-":
                deletions += int(removed)
        co_authors: tuple[tuple[str, str], ...] = ()
        if trailers:
            found = []
            for value in trailers.decode("utf-8", "replace").split("\x1d"):
                contact = parse_contact(value) if value.strip() else None
                if contact is not None:
                    found.append(contact)
            co_authors = tuple(found)
        yield Commit(
            sha.decode("ascii"),
            date.decode("ascii"),
            name.decode("utf-8", "replace"),
            email.decode("utf-8", "replace"),
            subject.decode("utf-8", "replace"),
            co_authors,
            insertions,
            deletions,
            files,
        )


PARALLEL_FROM = 20_000  # commits; below this one `git log` is quicker than counting first


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def read_commits(path: Path, args: Sequence[str], *, workers: int | None = None) -> list[Commit]:
    """Run `git log` with `args` (from `log_args`) and parse every record.

    Computing `--numstat` dominates a large first read, and git does it on one core; for
    histories of `PARALLEL_FROM` commits or more the same command runs as `workers` slices of the
    same walk (`--skip`/`--max-count`) in parallel, which prints exactly the same records.
    """
    workers = usable_cores() if workers is None else workers
    workers = min(workers, 4)
    if workers > 1:
        selection = list(args[args.index("--no-textconv") + 1 :])
        counted = run_git(path, "rev-list", "--count", *selection)
        total = int(counted.stdout.strip() or 0)
        if total >= PARALLEL_FROM:
            size = -(-total // workers)
            slices = [[*args, f"--skip={i * size}", f"--max-count={size}"] for i in range(workers)]
            with ThreadPoolExecutor(max_workers=workers) as pool:
                outputs = list(pool.map(lambda a: run_git(path, *a).stdout, slices))
            commits = [c for out in outputs for c in parse_records(out)]
            if len(commits) != total:
                raise PluginError(
                    f"git log in {path} printed {len(commits)} commits, rev-list counted {total} "
                    "(did the repository change while it was read?)"
                )
            return commits
    done = run_git(path, *args)
    return list(parse_records(done.stdout))


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
