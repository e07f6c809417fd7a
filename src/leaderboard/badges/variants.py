"""Variant order (CORE-66): the one ordering every consumer (site, API, MCP, feeds) uses."""

from __future__ import annotations

from typing import Any


def _order(spec: Any) -> float:
    if isinstance(spec, dict):
        value = spec.get("order")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return 0.0


def ordered_variants(variants: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Variants from lowest to highest tier: ascending `order` (missing counts as 0), ties by
    position in the `variants` object. Non-mapping variant values are returned as `{}`.
    """
    if not isinstance(variants, dict):
        return []
    indexed = list(enumerate(variants.items()))
    indexed.sort(key=lambda item: (_order(item[1][1]), item[0]))
    return [(key, spec if isinstance(spec, dict) else {}) for _, (key, spec) in indexed]
