"""`round2` (CORE-61): upstream's `Math.round(x * 100) / 100`, half rounds up, in doubles."""

from __future__ import annotations

import math


def round2(x: float) -> int | float:
    """Round to two decimals as upstream does: floor(x × 100 + 0.5) / 100 in IEEE-754 doubles.

    Not banker's rounding and not decimal rounding: 1.005 is stored as 1.00499999… so it becomes
    1, exactly as JavaScript computes it. Integral results are returned as `int` so that they
    serialise as `3`, never `3.0`.
    """
    r = math.floor(float(x) * 100 + 0.5) / 100
    return int(r) if r.is_integer() else r
