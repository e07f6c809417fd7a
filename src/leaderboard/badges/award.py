"""What a rule returns for one contributor: the variant, the date and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Award:
    """One qualifying tier. `meta` is the rule's explanation, in the spec's key order."""

    variant: str
    achieved_on: date
    meta: dict[str, Any] = field(default_factory=dict)
