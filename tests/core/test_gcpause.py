"""`gc_frozen` undoes its `gc.freeze` whatever happens in the block (issue #15: a run's freeze
was never undone, so a library caller kept every object of the run out of the collector)."""

from __future__ import annotations

import gc

import pytest

from leaderboard.gcpause import gc_frozen


def test_gc_frozen_is_undone_at_the_end_of_the_block() -> None:
    assert gc.get_freeze_count() == 0
    with gc_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), gc_frozen():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0
