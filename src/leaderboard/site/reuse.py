"""Reusing the previous build when none of its inputs changed (NEW-09, CORE-80).

An unchanged rebuild must finish in about two seconds and write nothing, but rebuilding the public
DB and fingerprinting 1,500 page contexts alone takes far longer. So before any stage runs, the
builder computes an *input key* over everything a build reads:

- the working DB's bytes (a content hash: plugins and imports change rows without touching
  `data_updated_at`, so no timestamp is trusted),
- every file of the data directory that is not a dot-file (config, templates, static overrides,
  `theme.css`, `assets/`, docs, fonts, local avatars, the data files themselves) by size and mtime,
- the package's own files by size and mtime (templates, static files, code) and its version,
- the build options (`now`, site URL, base path, switches), the `LEADERBOARD_*` variables of
  `options.env` (the environment the build is given; never the process environment).

A `run` that changes no data still rewrites bookkeeping in the working DB, so a second key uses
the public DB's bytes instead of the working DB's: it is checked right after the public DB is
built (about a second), and a match skips every later step the same way.

When the key equals the one recorded after the previous build into the same output directory,
and every file that build produced still has the size, mtime and digest recorded for it (racy
entries are re-read), the previous result is returned and its warnings are logged again. Builds
whose outcome depended on the network or on a cache that may have changed since (avatar failures,
Data Explorer assets unavailable while online) are marked *volatile* and never reused; `--clean`,
`--refresh-avatars` and `--from-files` always build.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any

import orjson

from leaderboard import __version__
from leaderboard.config.model import PluginEntry
from leaderboard.site.options import BuildOptions, BuildResult
from leaderboard.site.output import (
    MANIFEST,
    FileState,
    load_file_state,
    replace_file,
    sha256_hex,
)
from leaderboard.timeutil import canonical

PACKAGE_DIR = Path(__file__).resolve().parents[1]
_CHUNK = 1 << 20


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _tree(h: hashlib._Hash, root: Path, *, skip: tuple[Path, ...] = ()) -> None:
    """Feed (relative path, size, mtime) of every regular file below `root`, in sorted order;
    dot-files and dot-directories are left out (caches, locks, the working DB, `.git`)."""
    entries: list[tuple[str, int, int]] = []
    skipped = {str(p) for p in skip}
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d != "__pycache__"
            and os.path.join(current, d) not in skipped
        )
        for name in files:
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            path = os.path.join(current, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            entries.append((os.path.relpath(path, root), st.st_size, st.st_mtime_ns))
    entries.sort()
    h.update(orjson.dumps(entries))


def input_key(options: BuildOptions) -> str | None:
    """The key described in the module docstring, or None when this build cannot be reused."""
    inputs = inputs_digest(options)
    if inputs is None or options.db_path is None:
        return None
    return keyed(inputs, Path(options.db_path))


def keyed(inputs: str, database: Path) -> str:
    """`inputs` combined with the content hash of a database file."""
    return hashlib.sha256(f"{inputs}\0{_file_digest(database)}".encode()).hexdigest()


def config_material(config: Any) -> bytes:
    """The config as the build reads it, as canonical JSON: the same bytes for the same config
    whatever PYTHONHASHSEED is (no set or repr ordering), and no plugin `config` map — the build
    never reads them, and that is where tokens substituted from the environment live (CORE-82).
    Other substituted values stay: the build publishes them (a site URL, an organisation name),
    so a change must rebuild. The parsed sections are hashed, not `raw`, so a config changed in
    code (not only in the file) is a different key too."""
    material = {
        name: _canonical(getattr(config, name))
        for name in ("path", "org", "meta", "leaderboard", "runner")
        if hasattr(config, name)
    }
    return orjson.dumps(material, option=orjson.OPT_SORT_KEYS)


def _canonical(value: Any) -> Any:
    """JSON-safe and ordered: dataclass fields and mapping keys typed and sorted, sets sorted,
    floats as their repr (nan, inf); a plugin entry's `config` map is left out."""
    if is_dataclass(value) and not isinstance(value, type):
        skip = {"config"} if isinstance(value, PluginEntry) else set()
        return [
            [f.name, _canonical(getattr(value, f.name))]
            for f in sorted(fields(value), key=lambda f: f.name)
            if f.name not in skip
        ]
    if isinstance(value, dict):
        return [
            [f"{type(k).__name__}:{k}", _canonical(v)]
            for k, v in sorted(value.items(), key=lambda kv: (type(kv[0]).__name__, str(kv[0])))
        ]
    if isinstance(value, frozenset | set):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return repr(value)


def inputs_digest(options: BuildOptions) -> str | None:
    """Everything a build reads except the database, or None when it cannot be reused."""
    o = options
    if o.clean or o.refresh_avatars or o.from_files or o.db_path is None:
        return None
    db = Path(o.db_path)
    if not db.is_file():
        return None
    h = hashlib.sha256(f"reuse-v2\0{__version__}\0".encode())
    for suffix in ("-wal", "-journal"):
        side = Path(f"{db}{suffix}")
        if side.is_file() and side.stat().st_size > 0:
            return None  # a writer is active or crashed mid-transaction: build for real
    h.update(config_material(o.config))
    env_all = dict(o.env)  # what the build reads (the CLI passes the process environment)
    secrets = o.config.secrets
    env = sorted(
        (k, "***" if v in secrets else v)
        for k, v in env_all.items()
        if k.startswith("LEADERBOARD_")
    )
    settings = [
        str(o.data_dir.resolve()),
        str(o.out.resolve()),
        canonical(o.now),
        o.site_url,
        o.base_path,
        str(o.public_db_path) if o.public_db_path else None,
        o.og,
        o.avatars,
        o.explorer,
        o.offline,
        o.strict,
        str(o.cache_dir) if o.cache_dir else None,
        env,
    ]
    h.update(orjson.dumps(settings))
    out = o.out.resolve()
    _tree(h, o.data_dir.resolve(), skip=(out,))
    _tree(h, PACKAGE_DIR)
    # the Data Explorer's vendored assets come from LEADERBOARD_VENDOR_DIR or the cache
    from leaderboard.explorer.assets import cache_path

    cache = o.cache_dir or (o.data_dir / ".leaderboard-cache")
    for directory in (cache_path(cache), Path(env_all.get("LEADERBOARD_VENDOR_DIR", "") or "/-")):
        h.update(str(directory).encode())
        if directory.is_dir():
            _tree(h, directory)
    return h.hexdigest()


def _record_path(cache_dir: Path, out: Path) -> Path:
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"build-reuse-{key}.json"


def _outputs_intact(out: Path, state: FileState, manifest_digest: str) -> bool:
    """Every recorded output still holds its recorded bytes (stat check, racy ones re-read)."""
    try:
        if sha256_hex((out / MANIFEST).read_bytes()) != manifest_digest:
            return False
    except OSError:
        return False
    for rel, (_, _, digest) in state.files.items():
        if state.verify(rel, out / rel, digest) is None:
            return False
    return True


def reuse_previous(
    options: BuildOptions, cache_dir: Path, key: str | None, *, field: str = "key"
) -> BuildResult | None:
    """The previous build's result when `key` matches its `field` ("key": working DB,
    "public_key": public DB) and its outputs are intact."""
    if key is None:
        return None
    try:
        record = orjson.loads(_record_path(cache_dir, options.out).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get(field) != key or record.get("volatile"):
        return None
    state = load_file_state(cache_dir, options.out)
    if not state.files or len(state.files) != record.get("files"):
        return None
    extra = record.get("extra_files") or {}
    for path, digest in extra.items():
        try:
            if _file_digest(Path(path)) != digest:
                return None
        except OSError:
            return None
    if not _outputs_intact(options.out, state, str(record.get("manifest", ""))):
        return None
    previous = record.get("result") or {}
    return BuildResult(
        out=options.out,
        pages=int(previous.get("pages", 0)),
        written=0,
        unchanged=int(previous.get("pages_total", 0)),
        deleted=0,
        rendered=0,
        warnings=[str(w) for w in previous.get("warnings", [])],
    )


def previous_record(options: BuildOptions, cache_dir: Path) -> dict[str, Any]:
    """File count and extra outputs of the recorded build (carried over when it is reused)."""
    try:
        record = orjson.loads(_record_path(cache_dir, options.out).read_bytes())
    except (OSError, ValueError):
        record = {}
    extra = [Path(p) for p in (record.get("extra_files") or {})]
    return {"files": int(record.get("files", 0)), "extra": extra}


def remember(
    options: BuildOptions,
    cache_dir: Path,
    key: str | None,
    result: BuildResult,
    *,
    public_key: str | None,
    files: int,
    volatile: bool,
    extra_files: list[Path],
) -> None:
    """Record the key and result of a finished build (or forget it when it cannot be reused)."""
    path = _record_path(cache_dir, options.out)
    if key is None:
        path.unlink(missing_ok=True)
        return
    try:
        manifest = sha256_hex((options.out / MANIFEST).read_bytes())
        extra = {str(p): _file_digest(p) for p in extra_files if p.is_file()}
    except OSError:
        path.unlink(missing_ok=True)
        return
    summary = asdict(result)
    record = {
        "key": key,
        "public_key": public_key,
        "volatile": volatile,
        "files": files,
        "manifest": manifest,
        "extra_files": extra,
        "result": {
            "pages": summary["pages"],
            "pages_total": files,
            "warnings": summary["warnings"],
        },
    }
    replace_file(path, orjson.dumps(record))
