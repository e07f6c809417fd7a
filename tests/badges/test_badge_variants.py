"""CORE-66: variants by ascending order (missing = 0), ties by position."""

from __future__ import annotations

from leaderboard.badges.variants import ordered_variants


def test_core_66_order_then_position() -> None:
    variants = {
        "gold": {"order": 3},
        "bronze": {"order": 1},
        "special": {},
        "silver": {"order": 2},
        "early": {"order": -1},
        "tie": {"order": 1},
    }
    assert [k for k, _ in ordered_variants(variants)] == [
        "early",
        "special",
        "bronze",
        "tie",
        "silver",
        "gold",
    ]


def test_core_66_float_and_odd_orders() -> None:
    variants = {"a": {"order": 1.5}, "b": {"order": "9"}, "c": {"order": True}, "d": {"order": 1}}
    # non-numeric orders (strings, booleans) count as missing → 0
    assert [k for k, _ in ordered_variants(variants)] == ["b", "c", "d", "a"]


def test_core_66_values_are_returned() -> None:
    assert ordered_variants({"x": {"description": "X"}}) == [("x", {"description": "X"})]
    assert ordered_variants({}) == []
