"""The cyclic collector is paused only for the duration of a bulk read (CORE-80)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from aggworld import AggWorld

from leaderboard.aggregates import run_standard_aggregation
from leaderboard.badges.evaluate import evaluate
from leaderboard.gcpause import gc_paused


def test_gc_paused_restores_the_previous_state() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: stays off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_phases_leave_the_collector_on(world: AggWorld) -> None:
    world.contributor("bob").definition("pr", "PR", points=1)
    world.activity("bob", "pr", "2024-03-01T10:00:00.000Z")
    now = datetime(2024, 3, 10, tzinfo=UTC)
    run_standard_aggregation(world.db, now=now, tz=UTC)
    assert gc.isenabled()
    evaluate(world.db, [], now=now, tz=UTC)
    assert gc.isenabled()
