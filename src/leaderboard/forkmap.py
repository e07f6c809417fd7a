"""The project's one way to use other processes (CORE-80: all cores): forked children that
inherit everything the work needs (no pickling of inputs, no import cost, no module globals to
set up) and stream pickled results back through a pipe. Two entry points share the machinery:

- `fork_map(work, items)`: an in-order map computed by the parent and one forked child
  together, yielding each result as soon as it and those before it are known (reading the data
  repository, Open Graph images).
- `start_fork_map(work, items, children=n)`: children start now while the parent does something
  else; `results()` later lets the parent join in and returns everything in input order
  (profile pages, generated avatars). With `spawn=True` the children are fresh interpreters
  that receive `work` and `items` pickled, for a parent too large to fork (the export after a
  10× import).

Both share one queue of items (`ForkMapJob`): the parent and its children claim items from it
one chunk at a time, so whoever is free works and nobody waits for a fixed share. A fixed split
had to guess what the child's extra work (pickling what it computed) costs against the
parent's (unpickling it), and the guess that suited 1× (a 42% tail) left the parent of a 10×
read waiting 0.6 s for its child. Results come back in input order, exactly as a plain loop
would give them, so output stays deterministic (CORE-81). A parent thread drains each child's
pipe meanwhile, so a child never waits for the parent.

Failures never change results: a child that dies or raises only means the parent computes the
items it did not deliver, and an exception reaches the caller as a plain loop would raise it
(the first failing item in input order). Without `os.fork` (Windows), or for small inputs, or
on one core, it is a plain loop.

Fork while the process is small: the child's resident size counts every page it inherits, so a
fork from a process holding 1 GB adds 1 GB to the process tree's peak (the CORE-80 measure).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any, Generic, TypeVar

from leaderboard.gcpause import gc_frozen

T = TypeVar("T")
R = TypeVar("R")

_HEADER = struct.Struct("<Q")
_TOKEN = struct.Struct("<I")  # the first index of one queued chunk (atomic to read)
# Chunks queued at most: 32 KiB of tokens, half of Linux's default pipe capacity, so the whole
# queue is written before the first fork; more items go by chunks of several.
_MAX_TOKENS = 8192


def fork_map(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    weight: Callable[[T], int] | None = None,
    min_weight: int = 0,
    ship: Callable[[R], R] | None = None,
) -> Iterator[R]:
    """`work(item)` for each item, in order, computed by this process and one forked child
    taking items from a shared queue (see the module docstring). `ship`, when given, is applied
    by the child to each of its results before sending it: what the caller does not need need
    not be pickled (so the child's results may differ from the parent's exactly as `ship`
    makes them differ).

    `work` must be a pure function of the item and of state that exists before the call (the
    child sees the parent's memory as it was at the fork; its side effects are lost). Results
    must be picklable. Runs as a plain loop when the total `weight` (one per item without it)
    is below `min_weight`.
    """
    if not _weighs_at_least(items, weight, min_weight):
        yield from map(work, items)
        return
    yield from ForkMapJob(work, items, children=1, freeze=False, ship=ship).in_order()


def _weighs_at_least(items: Sequence[T], weight: Callable[[T], int] | None, minimum: int) -> bool:
    """Whether the items' total weight (one each without `weight`) reaches `minimum`, weighing
    only as many as it takes (a weight may be a `stat`: 15,000 profiles at 10×)."""
    if weight is None:
        return len(items) >= minimum
    total = 0
    for item in items:
        if total >= minimum:
            return True
        total += weight(item)
    return total >= minimum


def resident_bytes() -> int | None:
    """This process's resident set size now (Linux `/proc/self/statm`), None when unknown.

    A caller that may fork late in a run compares it with its limit: a forked child's RSS
    counts every page it inherits, so forking a large process doubles the tree's peak."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _can_fork() -> bool:
    return hasattr(os, "fork") and usable_cores() >= 2


def _can_spawn() -> bool:
    return hasattr(os, "posix_spawn") and bool(sys.executable) and usable_cores() >= 2


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Child:
    """One forked worker and the thread that collects its frames."""

    def __init__(self, pid: int, read_fd: int, *, drain: bool = True) -> None:
        self.pid = pid
        self.read_fd = read_fd
        self.frames: deque[bytes] = deque()
        self.complete = False
        self.thread = threading.Thread(target=self._drain, name="fork-map", daemon=True)
        if drain:
            self.thread.start()

    @classmethod
    def fork(cls, body: Callable[[int], None], *, drain: bool = True) -> _Child:
        """Fork a child running `body(write_fd)` (which must end in `os._exit`). Without
        `drain` the collecting thread is started later (`start_draining`), so that several
        children can be forked before the parent has a second thread."""
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            body(write_fd)
        os.close(write_fd)
        return cls(pid, read_fd, drain=drain)

    @classmethod
    def spawn(cls, job: bytes, queue_fd: int, *, drain: bool = True) -> _Child:
        """Start a fresh interpreter running `_spawned_main`: it reads the pickled `(work,
        items)` of `job` from a pipe (fed by a thread, so a large job never blocks the parent),
        then serves the queue as a forked child does. Nothing of this process is inherited but
        the three pipe ends, so its memory is its own (CORE-80)."""
        read_fd, write_fd = os.pipe()
        job_read, job_write = os.pipe()
        passed = (job_read, queue_fd, write_fd)
        code = (
            f"import sys; sys.path[:0] = {sys.path!r}; "
            f"from leaderboard.forkmap import _spawned_main; _spawned_main{passed!r}"
        )
        try:
            for fd in passed:
                os.set_inheritable(fd, True)
            # Its standard error goes nowhere: whatever it fails on, the parent redoes (and
            # reports) itself, so an interpreter that cannot start adds no noise to the output.
            quiet = [(os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
            pid = os.posix_spawn(
                sys.executable, [sys.executable, "-c", code], os.environ, file_actions=quiet
            )
        except BaseException:
            for fd in (read_fd, job_write):
                os.close(fd)
            raise
        finally:
            for fd in passed:
                if fd != queue_fd:
                    os.close(fd)
            with contextlib.suppress(OSError):
                os.set_inheritable(queue_fd, False)
        threading.Thread(
            target=_feed, args=(job_write, job), name="fork-map-feed", daemon=True
        ).start()
        return cls(pid, read_fd, drain=drain)

    def start_draining(self) -> None:
        self.thread.start()

    def _drain(self) -> None:
        with os.fdopen(self.read_fd, "rb", buffering=1 << 20) as pipe:
            while header := pipe.read(_HEADER.size):
                if len(header) < _HEADER.size:
                    return
                (size,) = _HEADER.unpack(header)
                if size == 0:  # the child's end-of-work marker
                    self.complete = True
                    return
                frame = pipe.read(size)
                if len(frame) < size:
                    return
                self.frames.append(frame)

    def delivered(self) -> Iterator[Any]:
        """Wait for the child; the results of every whole frame it sent, even if it then
        failed (for the queue, where each frame names its items)."""
        self.thread.join()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        frames, self.frames = self.frames, deque()
        return _unpickled(frames)

    def arrived(self) -> Iterator[Any]:
        """The results of the frames drained so far, without waiting."""
        return _unpickled(self.frames)

    def abandon(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, 9)
        if self.thread.is_alive():
            self.thread.join()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _unpickled(frames: deque[bytes]) -> Iterator[Any]:
    """Frame by frame, each dropped once loaded, so bytes and objects are not held twice."""
    while frames:
        yield from pickle.loads(frames.popleft())


def _feed(fd: int, data: bytes) -> None:
    """Write `data` into a pipe and close it; a child that died early just stops the write."""
    with contextlib.suppress(OSError), os.fdopen(fd, "wb") as pipe:
        pipe.write(data)


def _spawned_main(job_fd: int, queue_fd: int, write_fd: int) -> None:
    """A spawned child (`_Child.spawn`): load the job, then serve the queue; any failure
    (say, the job cannot be unpickled) ends it quietly and the parent computes the rest."""
    try:
        with os.fdopen(job_fd, "rb") as pipe:
            work, items, ship = pickle.load(pipe)
    except BaseException:
        os._exit(1)
    _queue_child_main(work, items, queue_fd, write_fd, ship)


# -- a shared queue, started now and collected later -------------------------------------------


def start_fork_map(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    children: int,
    freeze: bool = False,
    spawn: bool = False,
) -> ForkMapJob[T, R]:
    """`work(item)` for each item, started now by up to `children` forked children; call
    `results()` (the parent then takes its share of what is left) or `close()` on the job.

    `work` has the same contract as for `fork_map`. With `freeze`, the objects that exist at
    the fork are moved to the permanent GC generation until the job ends (`gc.freeze`), so a
    child's collections do not touch, and so copy, every inherited page (CORE-80 counts the
    process tree's memory); `close` undoes it. No child runs for fewer than two items or on
    one core: `results()` is then a plain loop.

    With `spawn`, the children are fresh interpreters instead of forks, for a parent too large
    to fork (a fork's resident size counts every page it inherits): `work` and `items` are
    pickled to them, so `work` must be a module-level function or an instance of a
    module-level class, and must not rely on anything else of the parent's state. They take
    items once the interpreter and the modules `work` needs are loaded; the parent works
    through the queue meanwhile when it calls `results()`.
    """
    return ForkMapJob(work, items, children=children, freeze=freeze, spawn=spawn)


class ForkMapJob(Generic[T, R]):
    """Items claimed one chunk at a time from a queue shared by the parent and its children.

    The queue is a pipe holding the first index of each chunk, written before the fork and
    closed for writing, so every reader sees the end of it; a read of one token is atomic, so
    each chunk is taken by exactly one process. Children work from the moment they are forked;
    the parent joins in `in_order()` or `results()`.
    """

    def __init__(
        self,
        work: Callable[[T], R],
        items: Sequence[T],
        *,
        children: int,
        freeze: bool,
        spawn: bool = False,
        ship: Callable[[R], R] | None = None,
    ) -> None:
        self.work = work
        self.items = items
        self.chunk = _chunk_size(len(items))
        self.children: list[_Child] = []
        self.queue_fd: int | None = None
        self.resources = ExitStack()  # the GC freeze, undone by `close`
        if children < 1 or len(items) < 2 or not (_can_spawn() if spawn else _can_fork()):
            return
        # Pickled first: `work` that a fresh interpreter cannot load is the caller's error.
        job = pickle.dumps((work, items, ship), protocol=pickle.HIGHEST_PROTOCOL) if spawn else b""
        self.queue_fd = _queue(len(items), self.chunk)
        queue_fd = self.queue_fd
        count = min(children, len(items) - 1)
        if spawn:
            self.children = [_Child.spawn(job, queue_fd, drain=False) for _ in range(count)]
        else:
            if freeze:
                self.resources.enter_context(gc_frozen())
            for _ in range(count):
                self.children.append(
                    _Child.fork(
                        lambda fd: _queue_child_main(work, items, queue_fd, fd, ship),
                        drain=False,
                    )
                )
        for child in self.children:  # threads only once every child is forked
            child.start_draining()

    def results(self) -> list[R]:
        """Every result in input order (see `in_order`). Ends the job."""
        return list(self.in_order())

    def in_order(self) -> Iterator[R]:
        """Every result in input order, each as soon as it and those before it are known: the
        parent claims chunks from the queue like a child and takes in the children's frames
        between its own items. Whatever a child took and did not deliver, the parent computes
        at the end. An exception is raised where a plain loop would raise it: when the parent's
        item fails, it stops claiming, collects what the children finished and computes any
        earlier item still missing (which may fail first). Ends the job, also when the caller
        stops early."""
        try:
            known: dict[int, R] = {}
            failed: tuple[int, Exception] | None = None
            next_out = 0
            if self.queue_fd is not None:
                while failed is None and (token := os.read(self.queue_fd, _TOKEN.size)):
                    (first,) = _TOKEN.unpack(token)
                    for index in range(first, min(first + self.chunk, len(self.items))):
                        try:
                            known[index] = self.work(self.items[index])
                        except Exception as exc:
                            failed = (index, exc)
                            break
                    for child in self.children:
                        for index, result in child.arrived():
                            known.setdefault(index, result)
                    while next_out in known:
                        yield known.pop(next_out)
                        next_out += 1
                if failed is not None:  # empty the queue, so the children stop after their chunk
                    while os.read(self.queue_fd, 1 << 16):
                        pass
                for child in self.children:
                    for index, result in child.delivered():
                        known.setdefault(index, result)
                self.children = []
            for index in range(next_out, len(self.items)):
                if index in known:
                    yield known.pop(index)
                elif failed is not None and index == failed[0]:
                    raise failed[1]
                else:
                    yield self.work(self.items[index])
        finally:
            self.close()

    def wait(self) -> None:
        """Let the children empty the queue and exit, discarding their results (the work's
        side effects are what counted). Ends the job."""
        try:
            for child in self.children:
                child.delivered()
            self.children = []
        finally:
            self.close()

    def close(self) -> None:
        """Stop the children that are still working (a stage failed) and undo `freeze`."""
        for child in self.children:
            child.abandon()
        self.children = []
        if self.queue_fd is not None:
            os.close(self.queue_fd)
            self.queue_fd = None
        self.resources.close()


def _chunk_size(count: int) -> int:
    """Items per queued token: one, unless there are more than `_MAX_TOKENS` items."""
    return max(1, -(-count // _MAX_TOKENS))


def _queue(count: int, chunk: int) -> int:
    """A pipe's read end holding the first index of each chunk of `chunk` items in 0..count-1.
    The write is non-blocking and in pieces of at most PIPE_BUF bytes, each written whole or
    not at all: chunks that do not fit in the pipe are simply not queued, and the parent
    computes them at the end."""
    read_fd, write_fd = os.pipe()
    try:
        os.set_blocking(write_fd, False)
        data = b"".join(_TOKEN.pack(i) for i in range(0, count, chunk))
        with contextlib.suppress(BlockingIOError):
            for start in range(0, len(data), 4096):
                os.write(write_fd, data[start : start + 4096])
    finally:
        os.close(write_fd)
    return read_fd


def _queue_child_main(
    work: Callable[[T], R],
    items: Sequence[T],
    queue_fd: int,
    write_fd: int,
    ship: Callable[[R], R] | None = None,
) -> None:
    """Take chunks until the queue is empty, streaming one `[(index, result), ...]` frame per
    chunk (each result passed through `ship` when given); `os._exit` so that nothing of the
    parent (atexit handlers, buffered output, open databases) runs or flushes twice. A raising
    item ends the child; the parent computes what is missing."""
    code = 1
    chunk = _chunk_size(len(items))
    try:
        with os.fdopen(write_fd, "wb", buffering=1 << 20) as pipe:
            while token := os.read(queue_fd, _TOKEN.size):
                (first,) = _TOKEN.unpack(token)
                done = [
                    (i, work(items[i]) if ship is None else ship(work(items[i])))
                    for i in range(first, min(first + chunk, len(items)))
                ]
                frame = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(_HEADER.pack(len(frame)))
                pipe.write(frame)
                pipe.flush()
            pipe.write(_HEADER.pack(0))
        code = 0
    except BaseException:
        code = 1
    finally:
        os._exit(code)
