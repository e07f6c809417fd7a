"""contributor-leaderboard: collect contributions, award badges, publish a static leaderboard."""

__version__ = "0.1.0"
