"""Badges (CORE-65…CORE-73): variant order, rule types, the evaluation pass, rule wording."""

from leaderboard.badges.variants import ordered_variants

__all__ = ["ordered_variants"]
