"""`fork_map`: same results, same order and same exceptions as a plain loop."""

from __future__ import annotations

import gc
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from leaderboard import forkmap
from leaderboard.forkmap import fork_map, start_fork_map

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(autouse=True)
def _two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkmap, "usable_cores", lambda: 2)


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def _wait_for(marker: Path) -> None:
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.002)


def _square_and_pid_waiting(
    parent: int, markers: Path, count: int
) -> Callable[[int], tuple[int, int]]:
    """`_square_and_pid`, except that each process's first item waits (at most 30 s) until
    the other process has started one too, and the parent's then until the child has computed
    `count` items: whatever the scheduler does, both take part, and the child takes `count`
    items from the queue while the parent is busy with one."""
    done = [0]  # items computed by this process (each process has its own copy)

    def work(n: int) -> tuple[int, int]:
        done[0] += 1
        me, other = ("parent", "child") if os.getpid() == parent else ("child", "parent")
        if done[0] == 1:
            (markers / f"{me}-started").touch()
            _wait_for(markers / f"{other}-started")
            if me == "parent":
                _wait_for(markers / "child-reached")
        if me == "child" and done[0] == count:
            (markers / "child-reached").touch()
        return _square_and_pid(n)

    return work


def test_results_are_in_input_order_and_whoever_is_free_takes_the_next_item(
    tmp_path: Path,
) -> None:
    items = list(range(1000))
    work = _square_and_pid_waiting(os.getpid(), tmp_path, 150)
    results = list(fork_map(work, items))
    assert [r for r, _ in results] == [n * n for n in items]
    pids = [pid for _, pid in results]
    assert len(set(pids)) == 2 and os.getpid() in pids
    child = next(pid for pid in pids if pid != os.getpid())
    assert pids.count(child) >= 150  # taken while the parent was busy with its first item


def test_more_items_than_queue_tokens_go_by_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(forkmap, "_MAX_TOKENS", 4)  # 100 items: 4 chunks of 25
    work = _square_and_pid_waiting(os.getpid(), tmp_path, 25)
    results = list(fork_map(work, list(range(100))))
    assert [r for r, _ in results] == [n * n for n in range(100)]
    pids = [pid for _, pid in results]
    chunks = [set(pids[start : start + 25]) for start in range(0, 100, 25)]
    assert all(len(chunk) == 1 for chunk in chunks)  # each chunk taken whole by one process
    assert len(set.union(*chunks)) == 2


def test_the_child_ships_what_the_caller_needs() -> None:
    results = list(fork_map(_square_and_pid, list(range(300)), ship=lambda r: (r[0], -1)))
    assert [r for r, _ in results] == [n * n for n in range(300)]
    assert {pid for _, pid in results} <= {os.getpid(), -1}


def test_a_caller_that_stops_early_leaves_no_child() -> None:
    results = fork_map(_square_and_pid, list(range(10_000)))
    assert next(results)[0] == 0
    results.close()  # the child was still working: it is stopped and reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_small_inputs_and_one_core_run_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    results = list(fork_map(_square_and_pid, [1, 2, 3], weight=lambda n: n, min_weight=100))
    assert {pid for _, pid in results} == {os.getpid()}
    monkeypatch.setattr(forkmap, "usable_cores", lambda: 1)
    results = list(fork_map(_square_and_pid, list(range(100))))
    assert {pid for _, pid in results} == {os.getpid()}


def test_items_are_weighed_only_until_the_minimum_is_reached() -> None:
    weighed: list[int] = []

    def weight(n: int) -> int:
        weighed.append(n)
        return 10

    results = list(fork_map(_square_and_pid, list(range(100)), weight=weight, min_weight=35))
    assert [r for r, _ in results] == [n * n for n in range(100)]
    assert weighed == [0, 1, 2, 3]  # 40 ≥ 35: the other 96 are never weighed
    weighed.clear()
    results = list(fork_map(_square_and_pid, list(range(3)), weight=weight, min_weight=35))
    assert weighed == [0, 1, 2] and {pid for _, pid in results} == {os.getpid()}


def _fails_in_child(parent: int) -> Callable[[int], int]:
    def work(n: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("child only")
        return n

    return work


def test_a_failing_child_is_replaced_by_the_parent() -> None:
    work = _fails_in_child(os.getpid())
    assert list(fork_map(work, list(range(200)))) == list(range(200))


def _dies_in_child(parent: int) -> Callable[[int], int]:
    def work(n: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return n

    return work


def test_a_dead_child_is_replaced_by_the_parent() -> None:
    work = _dies_in_child(os.getpid())
    assert list(fork_map(work, list(range(200)))) == list(range(200))


def _raise_on(bad: int) -> Callable[[int], int]:
    def work(n: int) -> int:
        if n == bad:
            raise ValueError(f"bad item {n}")
        return n

    return work


@pytest.mark.parametrize("bad", [0, 3, 150, 199])
def test_an_exception_reaches_the_caller_as_in_a_plain_loop(bad: int) -> None:
    with pytest.raises(ValueError, match=f"bad item {bad}"):
        list(fork_map(_raise_on(bad), list(range(200))))


def test_the_first_failing_item_in_input_order_is_the_one_raised(tmp_path: Path) -> None:
    """The child dies on item 3 (it takes items up to 3 while the parent waits on its first
    one); the parent goes on and fails on item 150, yet the caller sees item 3's error, as
    from a plain loop, after the results of items 0 to 2."""
    parent = os.getpid()

    def work(n: int) -> int:
        if n == 3 and os.getpid() != parent:
            (tmp_path / "child-at-3").touch()
        if n in (3, 150):
            raise ValueError(f"bad item {n}")
        if os.getpid() == parent and not (tmp_path / "parent-started").exists():
            (tmp_path / "parent-started").touch()
            _wait_for(tmp_path / "child-at-3")
        return n

    seen: list[int] = []
    with pytest.raises(ValueError, match="bad item 3"):
        for n in fork_map(work, list(range(200))):
            seen.append(n)
    assert seen == [0, 1, 2]


# -- start_fork_map: a shared queue started now, collected later -------------------------------


def test_started_job_gives_a_plain_loops_results_from_several_processes() -> None:
    items = list(range(300))
    job = start_fork_map(_square_and_pid, items, children=2)
    assert len(job.children) == 2
    results = job.results()
    assert [r for r, _ in results] == [n * n for n in items]
    # (which process took which item depends on scheduling; `wait` below shows children work)
    assert job.children == [] and job.queue_fd is None


def test_started_job_freezes_the_gc_until_it_ends() -> None:
    job = start_fork_map(_square_and_pid, list(range(50)), children=1, freeze=True)
    assert gc.get_freeze_count() > 0
    job.results()
    assert gc.get_freeze_count() == 0
    job = start_fork_map(_square_and_pid, list(range(50)), children=1, freeze=True)
    job.close()  # a failing stage: children stopped, the freeze undone
    assert gc.get_freeze_count() == 0 and job.children == []


def test_started_job_survives_dying_and_failing_children() -> None:
    assert start_fork_map(_dies_in_child(os.getpid()), list(range(200)), children=2).results() == (
        list(range(200))
    )
    assert start_fork_map(_fails_in_child(os.getpid()), list(range(200)), children=2).results() == (
        list(range(200))
    )
    with pytest.raises(ValueError, match="bad item 150"):
        start_fork_map(_raise_on(150), list(range(200)), children=2).results()


def test_started_job_wait_lets_the_children_finish_the_queue(tmp_path: Path) -> None:
    def touch(n: int) -> int:
        (tmp_path / str(n)).write_text("x")
        return n

    job = start_fork_map(touch, list(range(40)), children=2)
    job.wait()  # the parent computes nothing; the children's side effects are what counts
    assert sorted(int(p.name) for p in tmp_path.iterdir()) == list(range(40))
    assert job.children == [] and job.queue_fd is None


def test_started_job_without_children_is_a_plain_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkmap, "usable_cores", lambda: 1)
    job = start_fork_map(_square_and_pid, list(range(20)), children=3, freeze=True)
    assert job.children == [] and gc.get_freeze_count() == 0
    assert {pid for _, pid in job.results()} == {os.getpid()}


def test_a_queue_too_long_for_the_pipe_leaves_the_rest_to_the_parent() -> None:
    items = list(range(40_000))  # 160 KB of indices: more than a pipe holds
    assert [r for r, _ in start_fork_map(_square_and_pid, items, children=1).results()] == [
        n * n for n in items
    ]


# -- spawned children: fresh interpreters for a parent too large to fork ------------------------

_INHERITED: list[int] = []  # filled by the tests: a fork sees it, a fresh interpreter does not


def _square_and_inherited(n: int) -> tuple[int, int]:
    return n * n, len(_INHERITED)


def test_spawned_child_is_a_fresh_interpreter_serving_the_queue() -> None:
    _INHERITED.append(1)
    try:
        items = list(range(120))
        job = start_fork_map(_square_and_inherited, items, children=1, spawn=True)
        assert len(job.children) == 1
        got = dict(job.children[0].delivered())  # the parent takes nothing: all from the child
        job.close()
        assert got == {n: (n * n, 0) for n in items}
    finally:
        _INHERITED.clear()


def test_spawned_job_gives_a_plain_loops_results() -> None:
    items = list(range(300))
    results = start_fork_map(_square_and_inherited, items, children=1, spawn=True).results()
    assert [r for r, _ in results] == [n * n for n in items]
    with pytest.raises(ValueError, match="bad item 150"):
        start_fork_map(_raise_on_150, list(range(200)), children=1, spawn=True).results()


def _raise_on_150(n: int) -> int:
    if n == 150:
        raise ValueError("bad item 150")
    return n


def test_spawning_needs_work_picklable_by_reference() -> None:
    def local(n: int) -> int:  # a closure: a fresh interpreter could not load it
        return n + 1

    with pytest.raises((AttributeError, pickle.PicklingError)):
        start_fork_map(local, list(range(10)), children=1, spawn=True)


def _dies_unless_parent(n: int) -> int:
    if str(os.getpid()) != os.environ.get("FORKMAP_TEST_PARENT"):
        os._exit(3)  # a spawned child that dies on its first item
    return n * 2


def test_a_spawned_child_that_dies_leaves_its_items_to_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORKMAP_TEST_PARENT", str(os.getpid()))
    job = start_fork_map(_dies_unless_parent, list(range(50)), children=1, spawn=True)
    assert len(job.children) == 1
    job.children[0].thread.join()  # the child took an item and died without delivering it
    assert job.results() == [n * 2 for n in range(50)]
