"""The static site (WEB-01…WEB-62): `build_site(BuildOptions) -> BuildResult`."""

from leaderboard.site.builder import STAGES, build_site
from leaderboard.site.contexts import CONTEXT_VERSION
from leaderboard.site.options import BuildOptions, BuildResult

__all__ = ["CONTEXT_VERSION", "STAGES", "BuildOptions", "BuildResult", "build_site"]
