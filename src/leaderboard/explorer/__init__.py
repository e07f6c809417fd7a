"""What the Data Explorer needs at build time (WEB-47…WEB-49, NEW-20): vendored assets and the page.

`build_stage(state)` is the site builder's hook; `write_explorer(...)` is the builder-independent
stage; `assets.obtain_assets(...)` fetches and verifies the pinned browser library.
"""

from leaderboard.explorer.page import ExplorerOutcome, write_explorer
from leaderboard.explorer.stage import build_stage

__all__ = ["ExplorerOutcome", "build_stage", "write_explorer"]
