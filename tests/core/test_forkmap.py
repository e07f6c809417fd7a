"""`fork_map`: same results, same order and same exceptions as a plain loop."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from leaderboard import forkmap
from leaderboard.forkmap import fork_map

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(autouse=True)
def _two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkmap, "_usable_cores", lambda: 2)


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_are_in_input_order_and_the_tail_comes_from_a_child() -> None:
    items = list(range(1000))
    results = list(fork_map(_square_and_pid, items))
    assert [r for r, _ in results] == [n * n for n in items]
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid()
    assert pids[-1] != os.getpid()  # the tail was computed elsewhere
    split = pids.index(pids[-1])
    assert set(pids[:split]) == {os.getpid()} and set(pids[split:]) == {pids[-1]}
    assert split == 500


def test_weights_decide_the_split() -> None:
    items = list(range(10))
    weights = {n: (91 if n == 0 else 1) for n in items}  # the first item is most of the work
    results = list(fork_map(_square_and_pid, items, weight=weights.__getitem__))
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid() and set(pids[1:]) == {pids[-1]} and pids[-1] != os.getpid()


def test_small_inputs_and_one_core_run_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    results = list(fork_map(_square_and_pid, [1, 2, 3], weight=lambda n: n, min_weight=100))
    assert {pid for _, pid in results} == {os.getpid()}
    monkeypatch.setattr(forkmap, "_usable_cores", lambda: 1)
    results = list(fork_map(_square_and_pid, list(range(100))))
    assert {pid for _, pid in results} == {os.getpid()}


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


@pytest.mark.parametrize("bad", [3, 150])  # in the parent's head, in the child's tail
def test_an_exception_reaches_the_caller_as_in_a_plain_loop(bad: int) -> None:
    with pytest.raises(ValueError, match=f"bad item {bad}"):
        list(fork_map(_raise_on(bad), list(range(200))))
