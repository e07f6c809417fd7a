"""Fetch the Data Explorer's pinned JavaScript assets for the test suite, without npm.

Uses the same code as `leaderboard build` (`leaderboard.explorer.assets`): the pinned tarball of
`sql.js-httpvfs` from the npm registry, checked against its sha512 integrity string, and each
extracted file against its sha256 pin. The files are written in npm's layout to
`node_modules/sql.js-httpvfs/` (where the explorer tests look, and where `npm ci` would put the
same bytes), so npm is not needed. Exits 1 with the reason when the registry cannot be reached
or the bytes do not match.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from leaderboard.datarepo.atomic import write_if_changed
from leaderboard.explorer.assets import (
    PINS,
    AssetMismatch,
    AssetsUnavailable,
    download,
    extract,
    from_vendor_dir,
    registry_base,
)

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "node_modules" / PINS.package


def main() -> int:
    try:
        from_vendor_dir(TARGET)
        print(f"{PINS.package}@{PINS.version} already present and verified in {TARGET}")
        return 0
    except (AssetsUnavailable, AssetMismatch):
        pass
    try:
        files = extract(download(registry_base(os.environ), None))
    except (AssetsUnavailable, AssetMismatch) as exc:
        print(f"Cannot fetch the explorer assets: {exc}", file=sys.stderr)
        return 1
    for name, data in sorted(files.items()):
        rel = PINS.files[name].member.removeprefix("package/")
        write_if_changed(TARGET / rel, data)
    from_vendor_dir(TARGET)  # verify what was written
    print(f"Fetched {PINS.package}@{PINS.version} into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
