"""Fixtures for the data repository tests (helpers live in helpers.py)."""

from datarepo.helpers import upstream_repo

__all__ = ["upstream_repo"]
