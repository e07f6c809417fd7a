"""Fixtures for the Slack plugin tests; the helpers live in `slack_e2e.py` (a unique module name)."""

from slack_e2e import repo, run_cli, slack, workspace

__all__ = ["repo", "run_cli", "slack", "workspace"]
