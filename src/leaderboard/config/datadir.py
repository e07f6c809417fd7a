"""Where the data dir is (CORE-04): option, environment, `./config.yaml`, else `./data`."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from leaderboard.errors import ConfigNotFoundError

ENV_VAR = "LEADERBOARD_DATA_DIR"
# Inside the data dir, ignored by git (the scaffolded .gitignore and workflow use these names).
CACHE_DIR_NAME = ".leaderboard-cache"
PUBLIC_DB_NAME = ".leaderboard-public.db"
CONFIG_NAME = "config.yaml"


def _expand_home(raw: str, env: Mapping[str, str]) -> str:
    if raw == "~" or raw.startswith("~/"):
        home = env.get("HOME") or str(Path.home())
        return home + raw[1:]
    return raw


def _has_exact(directory: Path, name: str) -> bool:
    """`name` exists with exactly that spelling (case-insensitive file systems included)."""
    try:
        return name in os.listdir(directory) and (directory / name).is_file()
    except OSError:
        return False


def resolve_data_dir(option: str | None, env: Mapping[str, str], cwd: Path) -> Path:
    """The absolute data dir; raises `ConfigNotFoundError` (exit 3) when it has no config.yaml.

    `--data-dir` wins over `LEADERBOARD_DATA_DIR`; empty values count as not given. Without
    either, the current directory is used when it holds `config.yaml`, else `./data`.
    """
    raw = option or env.get(ENV_VAR) or ""
    if raw:
        candidate = Path(_expand_home(raw, env))
        directory = candidate if candidate.is_absolute() else cwd / candidate
    elif _has_exact(cwd, CONFIG_NAME):
        directory = cwd
    else:
        directory = cwd / "data"
    directory = Path(os.path.abspath(directory))
    if not directory.exists():
        # CORE-04's message first, then what a newcomer needs to know: the dir itself is missing.
        origin = "given by --data-dir / LEADERBOARD_DATA_DIR" if raw else "the default ./data"
        raise ConfigNotFoundError(
            f"{CONFIG_NAME} not found in {directory}: the directory does not exist ({origin}); "
            f"create a data repository with `leaderboard init {directory}` or pass --data-dir"
        )
    if not directory.is_dir():
        raise ConfigNotFoundError(f"{CONFIG_NAME} not found in {directory}: it is not a directory")
    if not _has_exact(directory, CONFIG_NAME):
        message = f"{CONFIG_NAME} not found in {directory}"
        if _has_exact(directory, "config.yml"):
            message += " (found config.yml: rename it to config.yaml)"
        raise ConfigNotFoundError(message)
    return directory


def export_data_dir(environ: MutableMapping[str, str], data_dir: Path) -> None:
    """CORE-04 step 4: make `${{ env.LEADERBOARD_DATA_DIR }}` resolve in upstream configs."""
    if ENV_VAR not in environ:
        environ[ENV_VAR] = str(data_dir)


def default_cache_dir(data_dir: Path) -> Path:
    """Where a data dir's cache lives unless `LEADERBOARD_CACHE_DIR` / `cache_dir` says otherwise
    (plugin caches, avatars, fingerprints, vendored assets): the one definition of it."""
    return data_dir / CACHE_DIR_NAME
