"""The Data Explorer's browser library, vendored at build time from the npm registry (WEB-48).

`sql.js-httpvfs` is never committed to our repository. The build downloads the pinned tarball,
checks the registry's sha512 integrity string, extracts exactly the four files it needs (no other
members, no links, no paths outside the package), checks each against its sha256 pin and caches
them under `<cache dir>/vendor/sql.js-httpvfs-<version>/`. Cached files are verified again on
every use, so a corrupted or tampered cache is never published.

Two failure kinds are kept apart on purpose: *unavailable* (offline without cache, registry
unreachable) degrades the page with a warning, while a *mismatch* (wrong bytes) is an error,
because it means someone served us something other than the pinned package.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from leaderboard.datarepo.atomic import write_if_changed
from leaderboard.errors import LeaderboardError

DEFAULT_REGISTRY = "https://registry.npmjs.org"
DIST_FILES = ("index.js", "sqlite.worker.js", "sql-wasm.wasm")


class AssetsUnavailable(LeaderboardError):
    """The assets could not be obtained (offline without cache, registry unreachable)."""


class AssetMismatch(LeaderboardError):
    """Bytes that do not match a pin: the explorer step must fail, never publish them."""


@dataclass(frozen=True)
class FilePin:
    member: str  # path inside the tarball
    sha256: str
    size: int


@dataclass(frozen=True)
class Pins:
    """What we trust: the package, its tarball integrity and every file we extract."""

    package: str
    version: str
    integrity: str
    files: dict[str, FilePin]  # output name → pin

    @property
    def dir_name(self) -> str:
        return f"{self.package}-{self.version}"

    def tarball_url(self, registry: str) -> str:
        return f"{registry.rstrip('/')}/{self.package}/-/{self.package}-{self.version}.tgz"


def load_pins(data: Mapping[str, Any] | None = None) -> Pins:
    """The pins shipped in `explorer/pins.json` (or given as a mapping, for tests)."""
    if data is None:
        data = json.loads(resources.files("leaderboard.explorer").joinpath("pins.json").read_text())
    files = {name: FilePin(**pin) for name, pin in data["files"].items()}
    return Pins(data["package"], data["version"], data["integrity"], files)


PINS = load_pins()


def registry_base(env: Mapping[str, str]) -> str:
    """`LEADERBOARD_NPM_REGISTRY`, else `npm_config_registry`, else the public registry."""
    for key in ("LEADERBOARD_NPM_REGISTRY", "npm_config_registry"):
        value = env.get(key, "").strip()
        if value:
            return value.rstrip("/")
    return DEFAULT_REGISTRY


# -- verification ----------------------------------------------------------------------------


def sri(data: bytes, algorithm: str = "sha512") -> str:
    """An npm-style Subresource Integrity string for `data`."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def check_integrity(data: bytes, expected: str, what: str) -> None:
    algorithm = expected.split("-", 1)[0]
    if algorithm not in ("sha512", "sha384", "sha256"):
        raise AssetMismatch(f"{what}: unsupported integrity algorithm '{algorithm}'")
    actual = sri(data, algorithm)
    if actual != expected:
        raise AssetMismatch(
            f"{what}: integrity mismatch: expected {expected}, got {actual}",
            hint="the registry served different bytes than the pinned package; check "
            "LEADERBOARD_NPM_REGISTRY / npm_config_registry",
        )


def check_file(name: str, data: bytes, pin: FilePin, where: str) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != pin.sha256 or len(data) != pin.size:
        raise AssetMismatch(
            f"{where}/{name}: sha256 mismatch: expected {pin.sha256} ({pin.size} bytes), "
            f"got {actual} ({len(data)} bytes)",
            hint="delete the file so that it is fetched again from the npm registry",
        )


def extract(tarball: bytes, pins: Pins = PINS) -> dict[str, bytes]:
    """The pinned members of a verified tarball, by output name.

    Every member is inspected: absolute paths, `..` components, links or devices carrying a
    wanted name, and duplicates are refused, so a crafted archive cannot place anything
    outside the package even if a pin were wrong.
    """
    wanted = {pin.member: name for name, pin in pins.files.items()}
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            found = _pick_members(archive, wanted, pins)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise AssetMismatch(f"{pins.dir_name}.tgz is not a valid gzip tar archive: {exc}") from None
    missing = sorted(set(pins.files) - set(found))
    if missing:
        raise AssetMismatch(f"{pins.dir_name}.tgz lacks {', '.join(missing)}")
    for name, data in found.items():
        check_file(name, data, pins.files[name], f"{pins.dir_name}.tgz")
    return found


def _pick_members(archive: tarfile.TarFile, wanted: dict[str, str], pins: Pins) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or "\\" in member.name:
            raise AssetMismatch(f"{pins.dir_name}.tgz: refusing unsafe member path '{member.name}'")
        name = wanted.get(path.as_posix())
        if name is None:
            continue
        if not member.isreg():
            raise AssetMismatch(
                f"{pins.dir_name}.tgz: member '{member.name}' is not a regular file"
            )
        if name in found:
            raise AssetMismatch(f"{pins.dir_name}.tgz: duplicate member '{member.name}'")
        handle = archive.extractfile(member)
        assert handle is not None
        found[name] = handle.read()
    return found


# -- sources ---------------------------------------------------------------------------------


def _read_dir(directory: Path, names: tuple[str, ...], pins: Pins) -> dict[str, bytes] | None:
    """Verified files from a directory, or None when any is missing (mismatch raises)."""
    files: dict[str, bytes] = {}
    for name in names:
        path = directory / name
        if not path.is_file():
            return None
        data = path.read_bytes()
        check_file(name, data, pins.files[name], str(directory))
        files[name] = data
    return files


def from_vendor_dir(directory: Path, pins: Pins = PINS) -> dict[str, bytes]:
    """`LEADERBOARD_VENDOR_DIR`: the three dist files directly, under `dist/` or `package/dist/`
    (so `node_modules/sql.js-httpvfs` works). LICENSE is used when present next to them."""
    for candidate in (directory, directory / "dist", directory / "package" / "dist"):
        files = _read_dir(candidate, DIST_FILES, pins)
        if files is None:
            continue
        for license_dir in (candidate, candidate.parent):
            if "LICENSE" in pins.files and (license_dir / "LICENSE").is_file():
                data = (license_dir / "LICENSE").read_bytes()
                check_file("LICENSE", data, pins.files["LICENSE"], str(license_dir))
                files["LICENSE"] = data
                break
        return files
    raise AssetsUnavailable(
        f"LEADERBOARD_VENDOR_DIR {directory} does not contain {', '.join(DIST_FILES)}",
        hint="point it at a directory holding the dist files of "
        f"{pins.package}@{pins.version} (e.g. node_modules/{pins.package})",
    )


def cache_path(cache_dir: Path, pins: Pins = PINS) -> Path:
    return cache_dir / "vendor" / pins.dir_name


def from_cache(cache_dir: Path, pins: Pins = PINS) -> dict[str, bytes] | None:
    """The cached files when all are present and verified; a bad cache is removed (None)."""
    directory = cache_path(cache_dir, pins)
    try:
        return _read_dir(directory, tuple(sorted(pins.files)), pins)
    except AssetMismatch:
        for name in pins.files:
            (directory / name).unlink(missing_ok=True)
        return None


def download(registry: str, client: httpx.Client | None, pins: Pins = PINS) -> bytes:
    """The verified tarball bytes; AssetsUnavailable when the registry cannot be reached."""
    url = pins.tarball_url(registry)
    own = client is None
    http = client or httpx.Client(timeout=60.0, follow_redirects=True)
    try:
        response = http.get(url)
    except httpx.HTTPError as exc:
        raise AssetsUnavailable(f"could not download {url}: {exc}") from None
    finally:
        if own:
            http.close()
    if response.status_code != 200:
        raise AssetsUnavailable(f"could not download {url}: HTTP {response.status_code}")
    check_integrity(response.content, pins.integrity, url)
    return response.content


def obtain_assets(
    cache_dir: Path,
    *,
    offline: bool,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    pins: Pins = PINS,
    logger: logging.Logger | None = None,
) -> dict[str, bytes]:
    """The verified explorer files by name (`index.js`, `sqlite.worker.js`, `sql-wasm.wasm`,
    and `LICENSE` unless a vendor dir lacks it).

    Order: `LEADERBOARD_VENDOR_DIR`, the cache, then (unless offline) the registry, whose
    result is cached. Raises AssetsUnavailable or AssetMismatch.
    """
    env = os.environ if env is None else env
    log = logger or logging.getLogger("leaderboard.explorer")
    vendor = env.get("LEADERBOARD_VENDOR_DIR", "").strip()
    if vendor:
        return from_vendor_dir(Path(vendor), pins)
    cached = from_cache(cache_dir, pins)
    if cached is not None:
        return cached
    if offline:
        raise AssetsUnavailable(
            f"{pins.dir_name} is not cached and --offline is set",
            hint="run one build online, or set LEADERBOARD_VENDOR_DIR",
        )
    registry = registry_base(env)
    log.info("Fetching %s@%s from %s", pins.package, pins.version, registry)
    files = extract(download(registry, client, pins), pins)
    directory = cache_path(cache_dir, pins)
    for name, data in sorted(files.items()):
        write_if_changed(directory / name, data)
    return files
