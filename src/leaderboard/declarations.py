"""Static definitions known before import (CORE-10, CORE-25, CORE-52).

Import needs to know which activity, aggregate and badge definitions exist besides the files:
config badge definitions and each loaded plugin's static lists. The runner collects them here, in
precedence order, in the file shapes of CORE-43, CORE-47 and CORE-49 (plain dicts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Declarations:
    # Plugin static activity definitions, plugin config order (insert-or-ignore: files win).
    activity_definitions: list[dict[str, Any]] = field(default_factory=list)
    # Plugin static contributor aggregate definitions (insert-or-ignore at import).
    aggregate_definitions: list[dict[str, Any]] = field(default_factory=list)
    # Config badge definitions first, then plugins' (upserts: the later one wins).
    badge_definitions: list[dict[str, Any]] = field(default_factory=list)
    # Plugin ids whose declarations could not be checked (URL plugin not cached, CORE-56).
    unchecked_plugins: list[str] = field(default_factory=list)

    def activity_slugs(self) -> set[str]:
        return {str(d.get("slug")) for d in self.activity_definitions}

    def aggregate_slugs(self) -> set[str]:
        return {str(d.get("slug")) for d in self.aggregate_definitions}

    def badge_slugs(self) -> set[str]:
        return {str(d.get("slug")) for d in self.badge_definitions}
