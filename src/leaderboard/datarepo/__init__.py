"""The data repository: reading, validating, importing and exporting it (CORE-38…CORE-57).

snapshot = read_repo(data_dir, config=config, declarations=decl, now=now, strict=strict)
if skip_invalid:
    snapshot = snapshot.without_invalid()
import_snapshot(db, snapshot, declarations=decl, config=config)
export_repo(db, data_dir, tz=config.tz, imported=snapshot,
            default_role=config.leaderboard.default_role)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leaderboard.datarepo.atomic import remove_stale_temp_files, write_if_changed
    from leaderboard.datarepo.exporter import ExportStats, export_repo
    from leaderboard.datarepo.importer import ImportStats, import_snapshot
    from leaderboard.datarepo.reader import read_repo
    from leaderboard.datarepo.report import render_json, render_text
    from leaderboard.datarepo.snapshot import RepoSnapshot, Unit

# Where each name of the package lives. Loaded on first use: importing one submodule (layout,
# values: the configuration needs them) would otherwise load reader, importer and exporter too,
# a tenth of a second of start-up that `validate` and a run with nothing to do never use.
_HOMES = {
    "remove_stale_temp_files": "atomic",
    "write_if_changed": "atomic",
    "ExportStats": "exporter",
    "export_repo": "exporter",
    "ImportStats": "importer",
    "import_snapshot": "importer",
    "read_repo": "reader",
    "render_json": "report",
    "render_text": "report",
    "RepoSnapshot": "snapshot",
    "Unit": "snapshot",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
