"""The MCP server (ECO-01…27, NEW-10, NEW-28): the leaderboard for AI assistants.

Built on the official MCP SDK's low-level `Server`; every tool is a thin typed function over the
shared query layer (`leaderboard.queries`) run on a read-only connection to the served database
(the public view by default). Modules, one noun each:

- `settings`: the resolved command-line options (ECO-01, ECO-02);
- `source`: the served database and what the server knows about the organisation;
- `params`: argument validation (ECO-07);
- `envelope`: result and error envelopes (ECO-06);
- `tools`: the 20 tools of ECO-08…27; `sqltool`: `run_sql` (NEW-28); `resources`: NEW-28;
- `server`: the SDK server object; `http`: the ASGI app (Streamable HTTP, SSE, health, security).
"""
