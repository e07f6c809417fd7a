"""`python -m leaderboard` behaves like the `leaderboard` command (CORE-01)."""

from leaderboard.cli import main

if __name__ == "__main__":
    main()
