"""round2 is upstream's Math.round(x*100)/100 in doubles (CORE-61)."""

from __future__ import annotations

import pytest

from leaderboard.aggregates import round2
from leaderboard.jsonfmt import dumps_compact


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (1.005, 1),  # 1.005 is 1.00499999999999989… in binary: JS gives 1 too
        (1.015, 1.01),  # 101.49999999999999 + 0.5 floors to 101
        (1.025, 1.02),
        (2.675, 2.68),  # 2.675 * 100 rounds to exactly 267.5 in doubles
        (0.125, 0.13),  # exact half rounds up, not to even
        (0.375, 0.38),
        (2.5, 2.5),
        (-0.125, -0.12),  # half rounds towards +infinity like Math.round
        (-1.005, -1),
        (5 / 3, 1.67),
        (10 / 3, 3.33),
        (0.0, 0),
        (7.0, 7),
    ],
)
def test_core_61_round2_half_up_in_doubles(x: float, expected: float) -> None:
    assert round2(x) == expected


def test_core_61_round2_integral_results_are_ints() -> None:
    assert isinstance(round2(3.0), int)
    assert isinstance(round2(2.999), int)
    assert dumps_compact({"value": round2(4.0)}) == '{"value":4}'
