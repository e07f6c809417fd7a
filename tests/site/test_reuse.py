"""Reusing an unchanged build (NEW-09, CORE-80) and the stat-trusted changed-only writer."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from leaderboard.db.database import Database
from leaderboard.site import BuildOptions, build_site, render
from leaderboard.site.output import RACY_NS, FileState, load_file_state, write_known


def _no_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(state: object) -> None:
        raise AssertionError("a stage ran although nothing changed")

    monkeypatch.setattr(render, "render_all", boom)


def _age_state(options: BuildOptions) -> None:
    """Pretend the previous build finished long ago, so no recorded entry is racy."""
    assert options.cache_dir is not None
    for path in options.cache_dir.glob("build-files-*.json"):
        import orjson

        doc = orjson.loads(path.read_bytes())
        doc["saved_ns"] = time.time_ns() + 10 * RACY_NS
        path.write_bytes(orjson.dumps(doc))


def _fresh_state(options: BuildOptions) -> None:
    """Pretend the previous build finished right after it wrote every file, so every recorded
    entry is racy however long the build took on a busy machine."""
    assert options.cache_dir is not None
    import orjson

    for path in options.cache_dir.glob("build-files-*.json"):
        doc = orjson.loads(path.read_bytes())
        doc["saved_ns"] = min(entry[1] for entry in doc["files"].values())
        path.write_bytes(orjson.dumps(doc))


def test_unchanged_rebuild_runs_no_stage(
    site_inputs: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_site(site_inputs)
    stamps = {p: p.stat().st_mtime_ns for p in site_inputs.out.rglob("*") if p.is_file()}
    _no_stages(monkeypatch)
    again = build_site(site_inputs)
    assert again.written == 0 and again.rendered == 0 and again.deleted == 0
    assert again.pages == first.pages
    assert again.warnings == first.warnings  # replayed, not lost
    assert {p: p.stat().st_mtime_ns for p in site_inputs.out.rglob("*") if p.is_file()} == stamps


def test_changed_db_row_is_not_reused(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    assert site_inputs.db_path is not None
    db = Database.open(site_inputs.db_path)
    db.execute("UPDATE contributor SET bio = 'Another bio' WHERE username = 'dave'")
    db.close()
    again = build_site(site_inputs)
    assert "dave/index.html" in again.written_paths


def test_changed_data_dir_file_is_not_reused(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    (site_inputs.data_dir / "theme.css").write_text(":root { --x: 1px; }\n")
    again = build_site(site_inputs)
    assert "static/site.css" in again.written_paths


def test_changed_now_is_not_reused(site_inputs: BuildOptions) -> None:
    import dataclasses
    from datetime import timedelta

    build_site(site_inputs)
    later = dataclasses.replace(site_inputs, now=site_inputs.now + timedelta(days=1))
    again = build_site(later)
    assert again.rendered > 0


def test_tampered_output_is_rebuilt(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    target = site_inputs.out / "robots.txt"
    original = target.read_bytes()
    target.write_bytes(b"x" * len(original))  # same size, new mtime
    again = build_site(site_inputs)
    assert "robots.txt" in again.written_paths
    assert target.read_bytes() == original


def test_tampered_page_with_kept_stat_is_trusted_only_when_not_racy(
    site_inputs: BuildOptions,
) -> None:
    """The documented limit: a same-size edit that also restores the mtime is not noticed once
    the entry is older than the racy window; within the window the bytes are read."""
    build_site(site_inputs)
    _fresh_state(site_inputs)
    target = site_inputs.out / "robots.txt"
    st = target.stat()
    original = target.read_bytes()
    target.write_bytes(b"y" * len(original))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = build_site(site_inputs)  # entries are racy right after a build: bytes compared
    assert "robots.txt" in again.written_paths
    assert target.read_bytes() == original


def test_deleted_output_is_rebuilt(site_inputs: BuildOptions) -> None:
    build_site(site_inputs)
    (site_inputs.out / "alice" / "index.html").unlink()
    again = build_site(site_inputs)
    assert "alice/index.html" in again.written_paths


def test_clean_is_never_reused(site_inputs: BuildOptions) -> None:
    import dataclasses

    build_site(site_inputs)
    again = build_site(dataclasses.replace(site_inputs, clean=True))
    assert again.written > 0


def test_file_state_trusts_matching_stat_without_reading(tmp_path: Path) -> None:
    root = tmp_path / "out"
    digest, written, st = write_known(FileState(), root, "a.txt", b"hello")
    assert written and st is not None and st[2] == digest
    old = FileState({"a.txt": st}, saved_ns=st[1] + 10 * RACY_NS)
    assert old.trusted("a.txt", root / "a.txt") == st
    _, written, _ = write_known(old, root, "a.txt", b"hello")
    assert not written
    racy = FileState({"a.txt": st}, saved_ns=st[1])
    assert racy.trusted("a.txt", root / "a.txt") is None  # must be read
    assert racy.verify("a.txt", root / "a.txt", digest) is not None
    (root / "a.txt").write_bytes(b"HELLO")
    assert old.verify("a.txt", root / "a.txt", digest) is None
    _, written, _ = write_known(old, root, "a.txt", b"hello")
    assert written and (root / "a.txt").read_bytes() == b"hello"


def test_file_state_survives_a_build(site_inputs: BuildOptions) -> None:
    result = build_site(site_inputs)
    state = load_file_state(site_inputs.cache_dir, site_inputs.out)
    assert "index.html" in state.files
    assert len(state.files) == result.written + result.unchanged
    _age_state(site_inputs)
    assert load_file_state(site_inputs.cache_dir, site_inputs.out).trusted(
        "index.html", site_inputs.out / "index.html"
    )


def test_same_public_db_after_bookkeeping_change_is_reused(
    site_inputs: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `run` that changes no published data still writes the working DB; the second key (the
    public DB's bytes) catches that right after the public DB is built."""
    first = build_site(site_inputs)
    assert site_inputs.db_path is not None
    db = Database.open(site_inputs.db_path)
    db.execute("CREATE TABLE bookkeeping (x INTEGER)")  # not published
    db.close()
    _no_stages(monkeypatch)
    again = build_site(site_inputs)
    assert again.written == 0 and again.rendered == 0 and again.pages == first.pages
    import leaderboard.publicdb

    def no_public_db(*args: object, **kwargs: object) -> None:
        raise AssertionError("the public DB was rebuilt")

    monkeypatch.setattr(leaderboard.publicdb, "build_public_db", no_public_db)
    third = build_site(site_inputs)  # the new working-DB key was remembered: no public DB build
    assert third.written == 0


_KEY_SCRIPT = """
import sys
from datetime import UTC, datetime
from pathlib import Path

from leaderboard.config import load_config
from leaderboard.site.options import BuildOptions
from leaderboard.site.reuse import inputs_digest

data, token, host = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
env = {"T1": token, "T2": token + "-two", "T3": "third-" + token, "T4": "x" + token, "HOST": host}
config = load_config(data, env=env).config
assert config is not None and len(config.secrets) == 5
options = BuildOptions(
    data_dir=data, config=config, now=datetime(2024, 2, 1, tzinfo=UTC), out=data / "_site",
    db_path=data / "w.db", cache_dir=data / ".cache",
)
print(inputs_digest(options))
"""

_KEY_CONFIG = """org:
  name: Key Org
  description: Reuse key test
  url: https://example.org
  logo_url: /logo.svg
meta:
  site_url: https://${{ env.HOST }}
leaderboard:
  plugins:
    github:
      source: dummy
      config:
        token: ${{ env.T1 }}
        tokens: ["${{ env.T2 }}", "${{ env.T3 }}", "${{ env.T4 }}"]
"""


def test_reuse_key_is_deterministic_and_free_of_plugin_secrets(tmp_path: Path) -> None:
    """Issue 15: the key hashed `repr(config)` — a frozenset of secrets whose order follows the
    hash seed, and the secret values themselves."""
    import subprocess
    import sys

    (tmp_path / "config.yaml").write_text(_KEY_CONFIG)
    (tmp_path / "w.db").write_bytes(b"")
    Database.open(tmp_path / "w.db").close()
    base = {k: v for k, v in os.environ.items() if not k.startswith("LEADERBOARD_")}

    def key(seed: str, token: str, host: str = "lb.example.org") -> str:
        out = subprocess.run(
            [sys.executable, "-c", _KEY_SCRIPT, str(tmp_path), token, host],
            capture_output=True,
            text=True,
            env={**base, "PYTHONHASHSEED": seed},
            timeout=120,
            check=True,
        )
        return out.stdout.strip()

    first = key("1", "ghp_first_token_value")
    assert len(first) == 64
    assert key("2", "ghp_first_token_value") == first  # another hash seed
    assert key("3", "ghp_rotated_token_value") == first  # the token is no input of the build
    assert key("1", "ghp_first_token_value", host="other.example.org") != first  # published


def test_reuse_key_follows_the_parsed_config_not_only_the_file(site_inputs: BuildOptions) -> None:
    """A config changed in code (as `serve --build` overrides or tests do) is another key; a
    plugin's own `config` map (where tokens live) never enters it."""
    import dataclasses

    from leaderboard.config.model import PluginEntry
    from leaderboard.site.reuse import config_material

    cfg = site_inputs.config
    moved = dataclasses.replace(cfg, org=dataclasses.replace(cfg.org, logo_url="/elsewhere.png"))
    assert config_material(moved) != config_material(cfg)
    token = "ghp_" + "q" * 36
    entry = PluginEntry(id="github", source="github", config={"token": token})
    with_plugin = dataclasses.replace(
        cfg, leaderboard=dataclasses.replace(cfg.leaderboard, plugins={"github": entry})
    )
    assert token.encode() not in config_material(with_plugin)
    assert config_material(with_plugin) != config_material(cfg)


def test_reuse_key_reads_the_given_environment_not_the_process_one(
    site_inputs: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: `reuse` read `os.environ`; the build's environment is `options.env`."""
    import dataclasses

    from leaderboard.site.reuse import inputs_digest

    key = inputs_digest(site_inputs)
    monkeypatch.setenv("LEADERBOARD_VENDOR_DIR", "/somewhere/else")
    assert inputs_digest(site_inputs) == key
    given = dataclasses.replace(site_inputs, env={"LEADERBOARD_VENDOR_DIR": "/somewhere/else"})
    assert inputs_digest(given) != key
