"""Fixtures of the MCP server tests (defined in `mcpfixture`)."""

from mcpfixture import demo, http_server, served

__all__ = ["demo", "http_server", "served"]
