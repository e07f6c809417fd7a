"""Fixtures of the GitHub plugin tests; helpers live in `ghtest.py` (a unique module name)."""
