"""WEB-48: vendored explorer assets from a (fake, 127.0.0.1) npm registry, verified and cached."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaderboard.explorer.assets import (
    PINS,
    AssetMismatch,
    AssetsUnavailable,
    Pins,
    cache_path,
    load_pins,
    obtain_assets,
    registry_base,
    sri,
)
from leaderboard.serve import make_server

REPO = Path(__file__).resolve().parents[2]
CONTENT = {
    "package/LICENSE": b"Apache License 2.0 (test)\n",
    "package/dist/index.js": b"window.createDbWorker = function () {};\n",
    "package/dist/sqlite.worker.js": b"/* worker */\n",
    "package/dist/sql-wasm.wasm": b"\0asm\1\0\0\0",
    "package/README.md": b"readme\n",
}


def make_tarball(members: dict[str, bytes], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info)
    return buf.getvalue()


def pins_for(tarball: bytes, contents: dict[str, bytes] = CONTENT) -> Pins:
    def pin(member: str) -> dict[str, object]:
        data = contents[member]
        return {"member": member, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    return load_pins(
        {
            "package": "sql.js-httpvfs",
            "version": "0.8.12",
            "integrity": sri(tarball),
            "files": {
                "LICENSE": pin("package/LICENSE"),
                "index.js": pin("package/dist/index.js"),
                "sqlite.worker.js": pin("package/dist/sqlite.worker.js"),
                "sql-wasm.wasm": pin("package/dist/sql-wasm.wasm"),
            },
        }
    )


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fake npm registry: a static server over a directory laid out like the registry."""
    root = tmp_path / "registry"
    (root / "sql.js-httpvfs" / "-").mkdir(parents=True)
    server = make_server(root, host="127.0.0.1", port=0, base_path="/")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root / "sql.js-httpvfs" / "-"
    server.shutdown()
    server.server_close()


def publish(folder: Path, tarball: bytes) -> None:
    (folder / "sql.js-httpvfs-0.8.12.tgz").write_bytes(tarball)


def test_web_48_pins_agree_with_package_lock() -> None:
    lock = json.loads((REPO / "package-lock.json").read_text())
    entry = lock["packages"]["node_modules/sql.js-httpvfs"]
    assert entry["version"] == PINS.version == "0.8.12"
    assert entry["integrity"] == PINS.integrity
    assert PINS.integrity == (
        "sha512-lcEBc2q0psFRfdCx8Di22oUIkkv5MUIaVO/fGCj/Jjx6YQDKVylQEcjd7NSSbmINHTRwVkm/vWP8uuevT7Rkkw=="
    )
    package = json.loads((REPO / "package.json").read_text())
    assert package["dependencies"]["sql.js-httpvfs"] == "0.8.12"
    assert PINS.files["index.js"].sha256.startswith("02747547b535")
    assert PINS.files["sqlite.worker.js"].size == 83728
    assert PINS.files["sql-wasm.wasm"].size == 1239572


def test_web_48_registry_base(monkeypatch: pytest.MonkeyPatch) -> None:
    assert registry_base({}) == "https://registry.npmjs.org"
    assert registry_base({"npm_config_registry": "http://a/"}) == "http://a"
    assert (
        registry_base({"npm_config_registry": "http://a", "LEADERBOARD_NPM_REGISTRY": "http://b"})
        == "http://b"
    )


def test_web_48_fetch_verify_cache(registry: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = registry
    tarball = make_tarball(CONTENT)
    publish(folder, tarball)
    pins = pins_for(tarball)
    cache = tmp_path / "cache"
    files = obtain_assets(cache, offline=False, env={"LEADERBOARD_NPM_REGISTRY": url}, pins=pins)
    assert sorted(files) == ["LICENSE", "index.js", "sql-wasm.wasm", "sqlite.worker.js"]
    assert files["index.js"] == CONTENT["package/dist/index.js"]
    cached = cache_path(cache, pins)
    assert sorted(p.name for p in cached.iterdir()) == sorted(files)
    # Second time: offline, from the cache.
    (folder / "sql.js-httpvfs-0.8.12.tgz").unlink()
    assert obtain_assets(cache, offline=True, env={}, pins=pins) == files


def test_web_48_wrong_integrity_refused(registry: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = registry
    tarball = make_tarball(CONTENT)
    pins = pins_for(tarball)
    publish(folder, make_tarball({**CONTENT, "package/dist/index.js": b"evil()"}))
    with pytest.raises(AssetMismatch, match="integrity mismatch"):
        obtain_assets(tmp_path / "c", offline=False, env={"npm_config_registry": url}, pins=pins)
    assert not cache_path(tmp_path / "c", pins).exists()


def test_web_48_file_pin_mismatch_refused(registry: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = registry
    good = pins_for(make_tarball(CONTENT))
    evil = {**CONTENT, "package/dist/sqlite.worker.js": b"/* evil */"}
    tarball = make_tarball(evil)
    publish(folder, tarball)
    pins = Pins(
        good.package, good.version, sri(tarball), good.files
    )  # tarball hash right, file pin not
    with pytest.raises(AssetMismatch, match=r"sqlite\.worker\.js: sha256 mismatch"):
        obtain_assets(tmp_path / "c", offline=False, env={"npm_config_registry": url}, pins=pins)


@pytest.mark.parametrize(
    "bad",
    ["package/../../evil.js", "/etc/evil", "package/dist/../../../x"],
)
def test_core_82_traversal_members_refused(
    registry: tuple[str, Path], tmp_path: Path, bad: str
) -> None:
    url, folder = registry
    tarball = make_tarball({**CONTENT, bad: b"x"})
    publish(folder, tarball)
    with pytest.raises(AssetMismatch, match="unsafe member path"):
        obtain_assets(
            tmp_path / "c", offline=False, env={"npm_config_registry": url}, pins=pins_for(tarball)
        )
    assert not (tmp_path / "evil.js").exists()


def test_core_82_link_member_refused(registry: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = registry
    members = {k: v for k, v in CONTENT.items() if k != "package/dist/index.js"}
    link = tarfile.TarInfo("package/dist/index.js")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    tarball = make_tarball(members, [link])
    publish(folder, tarball)
    pins = pins_for(make_tarball(CONTENT))
    pins = Pins(pins.package, pins.version, sri(tarball), pins.files)
    with pytest.raises(AssetMismatch, match="not a regular file"):
        obtain_assets(tmp_path / "c", offline=False, env={"npm_config_registry": url}, pins=pins)


def test_web_48_offline_without_cache_unavailable(tmp_path: Path) -> None:
    with pytest.raises(AssetsUnavailable, match="not cached and --offline is set"):
        obtain_assets(tmp_path / "c", offline=True, env={})


def test_web_48_registry_unreachable(registry: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = registry  # nothing published: 404
    with pytest.raises(AssetsUnavailable, match="HTTP 404"):
        obtain_assets(
            tmp_path / "c", offline=False, env={"npm_config_registry": url}, pins=pins_for(b"")
        )
    with pytest.raises(AssetsUnavailable, match="could not download"):
        obtain_assets(
            tmp_path / "c", offline=False, env={"npm_config_registry": "http://127.0.0.1:9"}
        )


def test_web_48_corrupted_cache_refetched(
    registry: tuple[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, folder = registry
    tarball = make_tarball(CONTENT)
    publish(folder, tarball)
    pins = pins_for(tarball)
    cache = tmp_path / "cache"
    obtain_assets(cache, offline=False, env={"npm_config_registry": url}, pins=pins)
    (cache_path(cache, pins) / "index.js").write_bytes(b"tampered")
    with pytest.raises(AssetsUnavailable):
        obtain_assets(cache, offline=True, env={}, pins=pins)
    with caplog.at_level(logging.INFO):
        files = obtain_assets(cache, offline=False, env={"npm_config_registry": url}, pins=pins)
    assert files["index.js"] == CONTENT["package/dist/index.js"]


def test_web_48_vendor_dir(tmp_path: Path) -> None:
    tarball = make_tarball(CONTENT)
    pins = pins_for(tarball)
    vendor = tmp_path / "node_modules" / "sql.js-httpvfs"
    (vendor / "dist").mkdir(parents=True)
    for member, data in CONTENT.items():
        name = member.removeprefix("package/")
        (vendor / name).write_bytes(data)
    files = obtain_assets(
        tmp_path / "c", offline=True, env={"LEADERBOARD_VENDOR_DIR": str(vendor)}, pins=pins
    )
    assert sorted(files) == ["LICENSE", "index.js", "sql-wasm.wasm", "sqlite.worker.js"]
    (vendor / "dist" / "index.js").write_bytes(b"changed")
    with pytest.raises(AssetMismatch):
        obtain_assets(
            tmp_path / "c", offline=True, env={"LEADERBOARD_VENDOR_DIR": str(vendor)}, pins=pins
        )


def test_web_48_real_pins_match_npm_ci_files() -> None:
    real = REPO / "node_modules" / "sql.js-httpvfs"
    if not real.is_dir():
        pytest.fail("node_modules/sql.js-httpvfs is missing: run `make system-deps`")
    files = obtain_assets(
        Path("/nonexistent"), offline=True, env={"LEADERBOARD_VENDOR_DIR": str(real)}
    )
    assert len(files["sql-wasm.wasm"]) == 1239572
