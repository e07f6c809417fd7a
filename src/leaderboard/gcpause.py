"""Keeping Python's cyclic garbage collector off millions of objects (CORE-80), in one place.

`gc_paused` pauses it while they are created (reading the data repository, the activity
snapshot of aggregation and evaluation); `gc_frozen` keeps it off objects that stay alive for
a while (a run's parsed data files, what forked children inherit) and undoes that at the end.

Reading the activity snapshot creates a tuple per activity and a few per contributor; none of
them form reference cycles, but every 700 allocations the collector still walks the young
objects and, ever more often, the old ones. At 1.3 million activities that is a third of the
read time. Reference counting frees everything as usual while the collector is paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it only if it was enabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Move every object that exists now to the permanent generation for the block (collections
    then never traverse them; reference counting still frees them), and back at its end."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
