"""Fixtures for the end-to-end tests; the helpers live in `e2e.py` (a unique module name)."""

from e2e import cli

__all__ = ["cli"]
