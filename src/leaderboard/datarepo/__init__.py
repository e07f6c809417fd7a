"""The data repository: reading, validating, importing and exporting it (CORE-38…CORE-57).

snapshot = read_repo(data_dir, config=config, declarations=decl, now=now, strict=strict)
if skip_invalid:
    snapshot = snapshot.without_invalid()
import_snapshot(db, snapshot, declarations=decl, config=config)
export_repo(db, data_dir, tz=config.tz, imported=snapshot,
            default_role=config.leaderboard.default_role)
"""

from leaderboard.datarepo.atomic import remove_stale_temp_files, write_if_changed
from leaderboard.datarepo.exporter import ExportStats, export_repo
from leaderboard.datarepo.importer import ImportStats, import_snapshot
from leaderboard.datarepo.reader import read_repo
from leaderboard.datarepo.report import render_json, render_text
from leaderboard.datarepo.snapshot import RepoSnapshot, Unit

__all__ = [
    "ExportStats",
    "ImportStats",
    "RepoSnapshot",
    "Unit",
    "export_repo",
    "import_snapshot",
    "read_repo",
    "remove_stale_temp_files",
    "render_json",
    "render_text",
    "write_if_changed",
]
