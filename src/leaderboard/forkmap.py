"""`fork_map`: an in-order map whose second half runs in a forked child (CORE-80: all cores).

Reading the data repository is CPU-bound Python (JSON lines, YAML front matter), so one process
uses one of the machine's cores. `fork_map` hands the tail of the work to a forked child: the
child inherits everything the work needs (no pickling of inputs, no import cost), computes its
items in batches and streams each batch back pickled through a pipe, while the parent computes
the head. A parent thread drains the pipe meanwhile, so the child never waits for the parent and
holds only one batch at a time. Results come back in input order, exactly as a plain loop would
give them, so output stays deterministic (CORE-81).

Failures never change results: if the child dies or its work raises, the parent computes the
tail itself, and any exception is then raised by the parent as a plain loop would raise it.
Without `os.fork` (Windows), or for small inputs, or on one core, it is a plain loop.

Fork while the process is small: the child's resident size counts every page it inherits, so a
fork from a process holding 1 GB adds 1 GB to the process tree's peak (the CORE-80 measure).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_HEADER = struct.Struct("<Q")
_BATCH = 64


def fork_map(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    weight: Callable[[T], int] | None = None,
    min_weight: int = 0,
    tail_share: float = 0.5,
) -> Iterator[R]:
    """`work(item)` for each item, in order; the tail (`tail_share` of the total `weight`)
    computed by a child. A share below one half balances the child's extra cost of pickling.

    `work` must be a pure function of the item and of state that exists before the call (the
    child sees the parent's memory as it was at the fork; its side effects are lost). Results
    must be picklable. Runs as a plain loop when the total weight is below `min_weight`.
    """
    weights = [weight(item) for item in items] if weight else [1] * len(items)
    total = sum(weights)
    if len(items) < 2 or total < min_weight or not _can_fork():
        yield from map(work, items)
        return
    split = _split_index(weights, total * (1 - tail_share))
    head, tail = items[:split], items[split:]
    child = _Child.start(work, tail)
    try:
        yield from map(work, head)
    except BaseException:
        child.abandon()
        raise
    results: Iterator[R] | None = child.finish()
    if results is None:
        yield from map(work, tail)
    else:
        yield from results


def _can_fork() -> bool:
    return hasattr(os, "fork") and _usable_cores() >= 2


def _usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _split_index(weights: list[int], head_weight: float) -> int:
    """The first index at which the head carries `head_weight`; each side gets one item."""
    running = 0
    for index, w in enumerate(weights):
        running += w
        if running >= head_weight:
            return max(1, min(index + 1, len(weights) - 1))
    return len(weights) - 1


class _Child:
    """One forked worker and the thread that collects its frames."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self.pid = pid
        self.read_fd = read_fd
        self.frames: list[bytes] = []
        self.complete = False
        self.thread = threading.Thread(target=self._drain, name="fork-map", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls, work: Callable[[T], R], tail: Sequence[T]) -> _Child:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            _child_main(work, tail, write_fd)
        os.close(write_fd)
        return cls(pid, read_fd)

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

    def finish(self) -> Iterator[Any] | None:
        """The child's results in order, or None when it did not deliver all of them."""
        self.thread.join()
        _, status = os.waitpid(self.pid, 0)
        if not self.complete or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        frames, self.frames = self.frames, []
        return _unpickled(frames)

    def abandon(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, 9)
        self.thread.join()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _unpickled(frames: list[bytes]) -> Iterator[Any]:
    """Frame by frame, each dropped once loaded, so bytes and objects are not held twice."""
    frames.reverse()
    while frames:
        yield from pickle.loads(frames.pop())


def _child_main(work: Callable[[T], R], tail: Sequence[T], write_fd: int) -> None:
    """Compute the tail in batches and stream them; `os._exit` so that nothing of the parent
    (atexit handlers, buffered output, open databases) runs or flushes twice."""
    code = 1
    try:
        with os.fdopen(write_fd, "wb", buffering=1 << 20) as pipe:
            for start in range(0, len(tail), _BATCH):
                batch = [work(item) for item in tail[start : start + _BATCH]]
                frame = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(_HEADER.pack(len(frame)))
                pipe.write(frame)
            pipe.write(_HEADER.pack(0))
        code = 0
    except BaseException:  # the parent recomputes the tail and raises what it raises
        code = 1
    finally:
        os._exit(code)
