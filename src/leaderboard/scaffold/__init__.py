"""Scaffolders: `leaderboard init` (a data repository, ECO-28…31, NEW-13) and
`leaderboard new-plugin` (a plugin project, ECO-32/33).

Both validate every answer before writing anything, so a bad flag or a cancelled prompt leaves the
target directory exactly as it was.
"""
